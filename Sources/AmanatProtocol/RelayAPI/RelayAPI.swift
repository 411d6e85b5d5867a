// SPDX-License-Identifier: AGPL-3.0-or-later

/// The relay's HTTP API (`Protocol/openapi.yaml`, SPEC.md §8) as types: every JSON request and
/// response body, the header names, and the error body. The relay answers with them and the
/// client reads them, so the wire is defined once; a test checks them against openapi.yaml.
///
/// Binary fields are `String`s holding base64url without padding, as they travel; each side checks
/// their length where it uses them (a wrong size is the relay's `invalid_field`, not
/// `malformed_json`).
public enum RelayAPI {
    /// The API version `/v1/info` names.
    public static let version = "1"
    /// The value of ``Header/receipts`` that asks for a receipt signed with others.
    public static let receiptTree = "tree"

    /// The headers the API defines.
    public enum Header {
        /// A contact's proof that it may write to a mailbox (SPEC.md §8.1).
        public static let depositToken = "Amanat-Deposit-Token"
        /// An owner request's time, Unix seconds (SPEC.md §8.2).
        public static let timestamp = "Amanat-Timestamp"
        /// An owner request's nonce, base64url.
        public static let nonce = "Amanat-Nonce"
        /// An owner request's signature, base64url.
        public static let signature = "Amanat-Signature"
        /// The key that authorises a blob's chunk uploads.
        public static let uploadKey = "Amanat-Upload-Key"
        /// A recipient device's download confirmation key (SPEC.md §9.4).
        public static let confirmationKey = "Amanat-Confirmation-Key"
        /// On a deposit, `tree`: the sender takes a receipt signed with others (SPEC.md §8.4.1).
        public static let receipts = "Amanat-Receipts"
    }

    /// The body of every error answer.
    public struct ErrorResponse: Codable, Sendable, Equatable {
        public let error: RelayErrorCode
        /// With `mailbox_frozen`: the seizure order that froze the mailbox (SPEC.md §8.8).
        public let order: String?

        public init(error: RelayErrorCode, order: String? = nil) {
            self.error = error
            self.order = order
        }
    }

    /// `GET /v1/info`: the relay's version, receipt-signing key and the limits a client plans by.
    public struct Info: Codable, Sendable, Equatable {
        /// The limits, each named as `relay.json` names it.
        public struct Limits: Codable, Sendable, Equatable {
            public let envelopeSizes: [Int]
            public let mailboxEnvelopes: Int
            public let mailboxBytes: Int
            public let fetchLimit: Int
            public let retentionSeconds: UInt64
            public let prekeysPerPool: Int
            public let prekeyEntryBytes: Int
            public let blobBytes: Int
            public let blobChunkBytes: Int
            public let blobDownloads: Int
            public let blobRetentionSeconds: UInt64

            public init(
                envelopeSizes: [Int], mailboxEnvelopes: Int, mailboxBytes: Int, fetchLimit: Int,
                retentionSeconds: UInt64, prekeysPerPool: Int, prekeyEntryBytes: Int, blobBytes: Int,
                blobChunkBytes: Int, blobDownloads: Int, blobRetentionSeconds: UInt64
            ) {
                self.envelopeSizes = envelopeSizes
                self.mailboxEnvelopes = mailboxEnvelopes
                self.mailboxBytes = mailboxBytes
                self.fetchLimit = fetchLimit
                self.retentionSeconds = retentionSeconds
                self.prekeysPerPool = prekeysPerPool
                self.prekeyEntryBytes = prekeyEntryBytes
                self.blobBytes = blobBytes
                self.blobChunkBytes = blobChunkBytes
                self.blobDownloads = blobDownloads
                self.blobRetentionSeconds = blobRetentionSeconds
            }
        }

        /// Always ``RelayAPI/version``.
        public let version: String
        /// The Ed25519 key deposit receipts are signed with.
        public let relayKey: String
        public let limits: Limits

        public init(version: String = RelayAPI.version, relayKey: String, limits: Limits) {
            self.version = version
            self.relayKey = relayKey
            self.limits = limits
        }
    }
}
