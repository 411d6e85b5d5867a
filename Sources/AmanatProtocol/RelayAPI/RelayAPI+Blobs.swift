// SPDX-License-Identifier: AGPL-3.0-or-later

// MARK: - Attachment blobs (SPEC.md §9)

extension RelayAPI {
    /// `POST /v1/mailboxes/{mailbox}/blobs` (deposit token over the body): a blob to upload.
    public struct CreateBlobRequest: RelayAPI.Fresh, Codable, Sendable, Equatable {
        /// The blob's size in bytes.
        public let size: Int
        /// BLAKE2b-256 of each recipient device's confirmation key, ascending (SPEC.md §9.4).
        public let confirmations: [String]
        /// The sender's clock, Unix seconds (±300 s of the relay's).
        public let time: UInt64
        /// 16 fresh random bytes.
        public let nonce: String

        public init(size: Int, confirmations: [String], time: UInt64, nonce: String) {
            self.size = size
            self.confirmations = confirmations
            self.time = time
            self.nonce = nonce
        }
    }

    /// The 201 answer to ``CreateBlobRequest``.
    public struct CreatedBlob: Codable, Sendable, Equatable {
        public let blob: String
        /// The key that authorises uploading its chunks.
        public let uploadKey: String
        public let chunkSize: Int
        public let chunks: Int
        /// The end of the upload window, Unix seconds on the hour.
        public let expiresAt: UInt64

        public init(blob: String, uploadKey: String, chunkSize: Int, chunks: Int, expiresAt: UInt64) {
            self.blob = blob
            self.uploadKey = uploadKey
            self.chunkSize = chunkSize
            self.chunks = chunks
            self.expiresAt = expiresAt
        }
    }

    /// `GET /v1/blobs/{blob}`, and the answer to a chunk upload: where the blob stands.
    public struct BlobStatus: Codable, Sendable, Equatable {
        public let size: Int
        public let chunkSize: Int
        public let chunks: Int
        /// Chunk indexes the relay holds.
        public let present: [Int]
        public let complete: Bool
        /// Confirmed downloads still expected before the relay deletes it.
        public let downloadsLeft: Int
        public let expiresAt: UInt64

        public init(
            size: Int, chunkSize: Int, chunks: Int, present: [Int], complete: Bool, downloadsLeft: Int,
            expiresAt: UInt64
        ) {
            self.size = size
            self.chunkSize = chunkSize
            self.chunks = chunks
            self.present = present
            self.complete = complete
            self.downloadsLeft = downloadsLeft
            self.expiresAt = expiresAt
        }
    }

    /// The answer to `POST /v1/blobs/{blob}/downloaded`.
    public struct DownloadConfirmed: Codable, Sendable, Equatable {
        public let downloadsLeft: Int

        public init(downloadsLeft: Int) {
            self.downloadsLeft = downloadsLeft
        }
    }
}
