// SPDX-License-Identifier: AGPL-3.0-or-later

// MARK: - Mailboxes (SPEC.md §8.1–§8.5)

extension RelayAPI {
    /// `POST /v1/mailboxes`: a mailbox created with a voucher (SPEC.md §8.3).
    public struct CreateMailboxRequest: Codable, Sendable, Equatable {
        /// The mailbox id, 32 random bytes.
        public let mailbox: String
        /// The Ed25519 key owner requests are signed with.
        public let ownerKey: String
        /// The key contacts make deposit tokens with.
        public let depositKey: String
        /// The voucher, signed by the organisation root.
        public let voucher: String

        public init(mailbox: String, ownerKey: String, depositKey: String, voucher: String) {
            self.mailbox = mailbox
            self.ownerKey = ownerKey
            self.depositKey = depositKey
            self.voucher = voucher
        }
    }

    /// The 201 answer to ``CreateMailboxRequest``.
    public struct CreateMailboxResponse: Codable, Sendable, Equatable {
        public let mailbox: String

        public init(mailbox: String) {
            self.mailbox = mailbox
        }
    }

    /// The 201 answer to `PUT /v1/mailboxes/{mailbox}/envelopes`: the relay-signed receipt
    /// (SPEC.md §8.4), given only after a durable commit.
    public struct Receipt: Codable, Sendable, Equatable {
        public let mailbox: String
        public let digest: String
        /// The relay's time of the deposit, Unix seconds.
        public let time: UInt64
        public let signature: String
        /// For a receipt signed with others (SPEC.md §8.4.1): its 290-byte proof, base64url.
        public let proof: String?

        public init(mailbox: String, digest: String, time: UInt64, signature: String, proof: String? = nil) {
            self.mailbox = mailbox
            self.digest = digest
            self.time = time
            self.signature = signature
            self.proof = proof
        }
    }

    /// `POST /v1/mailboxes/{mailbox}/fetch` (owner-signed): one page after a sequence number.
    public struct FetchRequest: Codable, Sendable, Equatable {
        public let after: Int64
        public let limit: Int

        public init(after: Int64, limit: Int) {
            self.after = after
            self.limit = limit
        }
    }

    /// What is left in a mailbox's prekey directory: the owner's cue to upload more.
    public struct PrekeyCounts: Codable, Sendable, Equatable {
        public let oneTimePrekeys: Int
        public let oneTimePostQuantumPrekeys: Int
        /// Either pool is below the relay's low-water mark.
        public let low: Bool

        public init(oneTimePrekeys: Int, oneTimePostQuantumPrekeys: Int, low: Bool) {
            self.oneTimePrekeys = oneTimePrekeys
            self.oneTimePostQuantumPrekeys = oneTimePostQuantumPrekeys
            self.low = low
        }
    }

    /// The answer to ``FetchRequest``.
    public struct FetchResponse: Codable, Sendable, Equatable {
        /// One stored envelope.
        public struct Envelope: Codable, Sendable, Equatable {
            /// The relay's sequence number, for paging.
            public let sequence: Int64
            /// BLAKE2b-256 of the envelope: its id, and what an acknowledgement names.
            public let digest: String
            public let envelope: String

            public init(sequence: Int64, digest: String, envelope: String) {
                self.sequence = sequence
                self.digest = digest
                self.envelope = envelope
            }
        }

        /// Oldest first.
        public let envelopes: [Envelope]
        /// Envelopes that expired before they were fetched, not yet acknowledged as seen.
        public let expiredUnread: Int
        public let prekeys: PrekeyCounts

        public init(envelopes: [Envelope], expiredUnread: Int, prekeys: PrekeyCounts) {
            self.envelopes = envelopes
            self.expiredUnread = expiredUnread
            self.prekeys = prekeys
        }
    }

    /// `POST /v1/mailboxes/{mailbox}/ack` (owner-signed): deletes envelopes by digest.
    public struct AcknowledgeRequest: Codable, Sendable, Equatable {
        public let digests: [String]
        /// How much of the expired-unread count the owner has shown.
        public let expiredUnreadSeen: Int

        public init(digests: [String], expiredUnreadSeen: Int) {
            self.digests = digests
            self.expiredUnreadSeen = expiredUnreadSeen
        }
    }

    /// The answer to ``AcknowledgeRequest``.
    public struct AcknowledgeResponse: Codable, Sendable, Equatable {
        /// How many of the named envelopes were still there.
        public let deleted: Int

        public init(deleted: Int) {
            self.deleted = deleted
        }
    }

    /// `POST /v1/mailboxes/{mailbox}/deposit-key` (owner-signed): a new deposit key.
    public struct RotateDepositKeyRequest: Codable, Sendable, Equatable {
        public let depositKey: String

        public init(depositKey: String) {
            self.depositKey = depositKey
        }
    }

    /// The answer to ``RotateDepositKeyRequest``.
    public struct RotateDepositKeyResponse: Codable, Sendable, Equatable {
        public let rotated: Bool

        public init(rotated: Bool) {
            self.rotated = rotated
        }
    }

    /// `POST /v1/mailboxes/{mailbox}/wait` (owner-signed): a long-poll for something new.
    public struct WaitRequest: Codable, Sendable, Equatable {
        /// The last sequence number the owner has; news is anything after it.
        public let after: Int64
        /// How long to wait at most, in seconds.
        public let timeout: Int

        public init(after: Int64, timeout: Int) {
            self.after = after
            self.timeout = timeout
        }
    }

    /// The answer to ``WaitRequest``.
    public struct WaitResponse: Codable, Sendable, Equatable {
        public let new: Bool

        public init(new: Bool) {
            self.new = new
        }
    }

    /// `PUT /v1/mailboxes/{mailbox}/seizure`: a seizure order, signed by the organisation root
    /// (SPEC.md §8.8).
    public struct SeizureRequest: Codable, Sendable, Equatable {
        public let order: String

        public init(order: String) {
            self.order = order
        }
    }

    /// The answer to ``SeizureRequest``: the mailbox is frozen (now or before).
    public struct SeizureResponse: Codable, Sendable, Equatable {
        public let frozen: Bool

        public init(frozen: Bool) {
            self.frozen = frozen
        }
    }
}
