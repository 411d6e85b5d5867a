// SPDX-License-Identifier: AGPL-3.0-or-later

// MARK: - Prekey directory and roster (SPEC.md §8.6, §8.7)

extension RelayAPI {
    /// A sealed one-time prekey directory entry with the id it is published under.
    public struct UploadedEntry: Codable, Sendable, Equatable {
        public let id: UInt32
        public let entry: String

        public init(id: UInt32, entry: String) {
            self.id = id
            self.entry = entry
        }
    }

    /// `PUT /v1/mailboxes/{mailbox}/prekeys` (owner-signed): the head and one-time entries.
    /// Answered with ``PrekeyCounts``.
    public struct PrekeyUploadRequest: Codable, Sendable, Equatable {
        public let head: String?
        public let oneTimePrekeys: [UploadedEntry]?
        public let oneTimePostQuantumPrekeys: [UploadedEntry]?

        public init(head: String?, oneTimePrekeys: [UploadedEntry]?, oneTimePostQuantumPrekeys: [UploadedEntry]?) {
            self.head = head
            self.oneTimePrekeys = oneTimePrekeys
            self.oneTimePostQuantumPrekeys = oneTimePostQuantumPrekeys
        }
    }

    /// A contact's request body that must not be replayed: it carries the sender's clock and a
    /// fresh nonce, covered by the deposit token (prekey claims, blob creation).
    public protocol Fresh: Decodable, Sendable {
        /// The sender's clock, Unix seconds (±300 s of the relay's).
        var time: UInt64 { get }
        /// 16 fresh random bytes, base64url.
        var nonce: String { get }
    }

    /// The body of a prekey claim: nothing but what makes it fresh.
    public struct FreshRequest: Fresh, Codable, Sendable, Equatable {
        /// The sender's clock, Unix seconds (±300 s of the relay's).
        public let time: UInt64
        /// 16 fresh random bytes.
        public let nonce: String

        public init(time: UInt64, nonce: String) {
            self.time = time
            self.nonce = nonce
        }
    }

    /// The answer to `POST /v1/mailboxes/{mailbox}/prekeys/claim`: the sealed head and at most one
    /// entry of each one-time pool, each handed out once.
    public struct PrekeyClaim: Codable, Sendable, Equatable {
        public let head: String
        public let oneTimePrekey: String?
        public let oneTimePostQuantumPrekey: String?

        public init(head: String, oneTimePrekey: String?, oneTimePostQuantumPrekey: String?) {
            self.head = head
            self.oneTimePrekey = oneTimePrekey
            self.oneTimePostQuantumPrekey = oneTimePostQuantumPrekey
        }
    }

    /// The 201 answer to `PUT /v1/roster`.
    public struct RosterPublished: Codable, Sendable, Equatable {
        public let version: UInt64

        public init(version: UInt64) {
            self.version = version
        }
    }
}
