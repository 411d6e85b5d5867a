// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import HTTPTypes
import Hummingbird

// MARK: - Attachment blobs

extension Relay {
    static let uploadKeyHeader = HTTPField.Name(RelayAPI.Header.uploadKey)!
    static let confirmationKeyHeader = HTTPField.Name(RelayAPI.Header.confirmationKey)!

    /// Creates a blob for a contact of the mailbox (deposit token over the body); the blob is not
    /// linked to the mailbox afterwards.
    func createBlob(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (mailbox, create): (MailboxID, RelayAPI.CreateBlobRequest) = try await admitFresh(
            request, context, purpose: .blob)
        guard (1...configuration.maximumBlobBytes).contains(create.size),
            (1...configuration.maximumBlobDownloads).contains(create.confirmations.count)
        else { throw RelayHTTPError.invalidField }
        let confirmations = create.confirmations.compactMap { bytes($0, count: DownloadConfirmation.byteCount) }
        // Distinct and ascending, so their order says nothing about the recipients'.
        guard confirmations.count == create.confirmations.count,
            zip(confirmations, confirmations.dropFirst()).allSatisfy({ $0.lexicographicallyPrecedes($1) })
        else { throw RelayHTTPError.invalidField }
        let uploadKey = SecureRandom.bytes(count: 32)
        let now = clock()
        if let wait = blobReservations.reserve(
            create.size, for: mailbox, now: now, window: configuration.blobUploadWindow,
            limit: configuration.blobReservationBytesPerMailbox)
        {
            RelayMetrics.rateLimited.increment()
            throw RelayHTTPError.rateLimited(retryAfter: Int(clamping: wait))
        }
        // Until it is whole, a blob lives only through its upload window; the upload of its last
        // chunk moves its expiry to the full retention (both rounded up to the hour, so the
        // stored expiry does not give away the creation time).
        let record = BlobRecord(
            id: .random(), uploadKeyDigest: try BLAKE2b.hash(uploadKey), size: create.size,
            chunkSize: configuration.blobChunkSize, confirmations: confirmations,
            expiresAt: Self.roundedUp(now + configuration.blobUploadWindow))
        try await perform { try await store.createBlob(record, totalBytes: configuration.maximumBlobStorageBytes) }
        RelayMetrics.blobsCreated.increment()
        return try json(
            RelayAPI.CreatedBlob(
                blob: record.id.base64URL, uploadKey: Base64URL.encode(uploadKey),
                chunkSize: record.chunkSize, chunks: record.chunkCount, expiresAt: record.expiresAt),
            status: .created)
    }

    func blobStatus(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try blobParameter(context)
        guard let status = try await perform({ try await store.blob(id) }) else {
            throw RelayHTTPError(RelayError.unknownBlob)
        }
        return try json(statusResponse(status))
    }

    func statusResponse(_ status: BlobStatus) -> RelayAPI.BlobStatus {
        RelayAPI.BlobStatus(
            size: status.record.size, chunkSize: status.record.chunkSize, chunks: status.record.chunkCount,
            present: status.presentChunks, complete: status.isComplete, downloadsLeft: status.downloadsLeft,
            expiresAt: status.record.expiresAt)
    }

    /// Uploads one chunk; the upload key from creation authorises it.
    func putChunk(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try blobParameter(context)
        let index = try chunkParameter(context)
        guard let keyText = request.headers[Self.uploadKeyHeader], let key = bytes(keyText, count: 32) else {
            throw RelayHTTPError.badUploadKey
        }
        guard let status = try await perform({ try await store.blob(id) }) else {
            throw RelayHTTPError(RelayError.unknownBlob)
        }
        guard ConstantTime.equals(try BLAKE2b.hash(key), status.record.uploadKeyDigest) else {
            throw RelayHTTPError.badUploadKey
        }
        let data = try await collect(request, limit: status.record.chunkSize)
        guard status.record.sizeOfChunk(index) == data.count else { throw RelayHTTPError.invalidField }
        let retainedUntil = Self.roundedUp(clock() + configuration.blobRetention)
        let updated = try await perform {
            try await store.putChunk(data, index: index, of: id, retainingWholeUntil: retainedUntil)
        }
        return try json(statusResponse(updated))
    }

    /// `time` rounded up to the hour.
    static func roundedUp(_ time: UInt64) -> UInt64 { time + (3600 - time % 3600) % 3600 }

    func getChunk(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try blobParameter(context)
        let index = try chunkParameter(context)
        let data = try await perform { try await store.chunk(index, of: id) }
        return Response(
            status: .ok, headers: [.contentType: "application/octet-stream"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A recipient confirms it has the whole blob with its confirmation key; each recipient
    /// counts once, and the last confirmation deletes the blob.
    func confirmDownload(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try blobParameter(context)
        guard let keyText = request.headers[Self.confirmationKeyHeader],
            let key = bytes(keyText, count: DownloadConfirmation.byteCount),
            let digest = try? DownloadConfirmation.digest(of: SecureBytes(copying: key))
        else { throw RelayHTTPError(RelayError.badConfirmation) }
        let left = try await perform { try await store.confirmDownload(of: id, presenting: digest) }
        return try json(RelayAPI.DownloadConfirmed(downloadsLeft: left))
    }

    func blobParameter(_ context: BasicRequestContext) throws -> BlobID {
        guard let text = context.parameters.get("blob"), let id = BlobID(base64URL: text) else {
            throw RelayHTTPError(RelayError.unknownBlob)
        }
        return id
    }

    func chunkParameter(_ context: BasicRequestContext) throws -> Int {
        guard let text = context.parameters.get("index"), text.utf8.count <= 9, let index = Int(text), index >= 0 else {
            throw RelayHTTPError.invalidField
        }
        return index
    }
}
