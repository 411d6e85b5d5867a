// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

/// A file to send with a message.
public struct OutgoingFile: Sendable {
    /// Where it is.
    public let url: URL
    /// The name the recipient sees (default: the file's own name).
    public let fileName: String
    /// Its MIME type (default: guessed from the name's extension).
    public let mimeType: String
    /// Send a JPEG or PNG untouched, metadata and all (evidence); by default its metadata (EXIF
    /// with GPS, XMP, IPTC, comments, text chunks) is removed first (``ImageMetadata``).
    public let keepOriginal: Bool

    /// A file to send.
    public init(url: URL, fileName: String? = nil, mimeType: String? = nil, keepOriginal: Bool = false) {
        self.url = url
        self.fileName = fileName ?? url.lastPathComponent
        self.mimeType = mimeType ?? Self.guessMimeType(url.pathExtension)
        self.keepOriginal = keepOriginal
    }

    /// The MIME type a file name suggests.
    public static func mimeType(for fileName: String) -> String {
        guessMimeType(URL(fileURLWithPath: fileName).pathExtension)
    }

    static func guessMimeType(_ pathExtension: String) -> String {
        switch pathExtension.lowercased() {
        case "jpg", "jpeg": "image/jpeg"
        case "png": "image/png"
        case "pdf": "application/pdf"
        case "txt": "text/plain"
        default: "application/octet-stream"
        }
    }
}

/// How far an attachment transfer has got.
public struct TransferProgress: Sendable, Equatable {
    /// Which way.
    public enum Direction: Sendable, Equatable {
        case upload, download
    }

    public let direction: Direction
    /// The file's name, as sent.
    public let fileName: String
    /// Encrypted bytes the relay holds (upload) or this device has (download), of `total`.
    public let done: UInt64
    public let total: UInt64
    /// Whether this chunk was sent or received now (false: the relay had it from an earlier try).
    public let transferred: Bool
}

extension Account {
    // MARK: - Uploading attachments (for Account+Outgoing)

    /// A blob created through the first of `routes` whose mailbox takes it (SPEC.md §9.4): a
    /// recipient whose mailbox refuses for good (gone, another deposit key) must not keep the
    /// file from the others; a transient failure stops at once.
    func createBlob(size: UInt64, confirmations: [[UInt8]], through routes: [Route]) async throws(AccountError)
        -> CreatedBlob
    {
        var refusal = TransportError.unexpectedAnswer
        for route in routes {
            do {
                return try await api.createBlob(
                    mailbox: route.mailbox, depositKey: route.depositKey, size: size, confirmations: confirmations)
            } catch .refused(let status, let code) where status == 403 || status == 404 {
                refusal = .refused(status: status, code: code)
            } catch {
                throw .transport(error)
            }
        }
        throw .transport(refusal)
    }

    /// What the relay is to expect of each of `recipients` before it deletes the blob of the file
    /// encrypted under `key` (SPEC.md §9.4).
    static func confirmations(of key: Data, for recipients: [IdentityKey]) throws(TransportError) -> [[UInt8]] {
        do {
            return try DownloadConfirmation.digests(fileKey: SecureBytes(copying: Array(key)), recipients: recipients)
        } catch {
            throw .invalidConfiguration("an attachment key has the wrong size")
        }
    }

    /// Uploads the chunks the relay does not have yet (it is asked, unless `status` says) and
    /// returns the digest of the whole file.
    func upload(_ file: Draft.File, status known: BlobStatus? = nil) async throws(AccountError) -> [UInt8] {
        guard let blob = file.blob.flatMap(BlobID.init), let uploadKey = file.uploadKey else {
            throw .store(.corrupted)
        }
        let key = SecureBytes(copying: Array(uploadKey))
        let status: BlobStatus
        if let known {
            status = known
        } else {
            do {
                status = try await api.blobStatus(blob)
            } catch {
                throw .transport(error)
            }
        }
        guard let reader = try? FileHandle(forReadingFrom: store.filesDirectory.appendingPathComponent(file.localFile))
        else { throw .attachment(.unreadable) }
        defer { try? reader.close() }
        // Chunks read (and hashed) in order, uploaded side by side: as many at a time as the
        // transport has connections. On a lossy link with a long round trip one TCP connection
        // stays far below the link's rate (each loss halves its window); several together fill
        // it (Benchmarks/link-sim).
        let window = max(1, api.transport.configuration.connections)
        let api = api
        let observer = transferObserver
        let (failure, unreadable, digest) = await withTaskGroup(
            of: (bytes: Int, missing: Bool, error: TransportError?).self
        ) { group -> (TransportError?, Bool, [UInt8]?) in
            guard var hasher = try? BLAKE2b.Hasher() else { return (nil, false, nil) }
            var done: UInt64 = 0
            var failure: TransportError?
            var running = 0
            func finished(_ result: (bytes: Int, missing: Bool, error: TransportError?)) {
                running -= 1
                if let error = result.error {
                    failure = failure ?? error
                    return
                }
                done += UInt64(result.bytes)
                observer?(
                    TransferProgress(
                        direction: .upload, fileName: file.fileName, done: done, total: file.encryptedSize,
                        transferred: result.missing))
            }
            for index in 0..<status.chunks where failure == nil {
                guard let chunk = try? reader.read(upToCount: status.chunkSize), !chunk.isEmpty else {
                    while let result = await group.next() { finished(result) }
                    return (failure, true, [])
                }
                let bytes = Array(chunk)
                hasher.update(bytes)
                let missing = !status.present.contains(index)
                if running == window, let result = await group.next() { finished(result) }
                running += 1
                group.addTask {
                    guard missing else { return (bytes.count, false, nil) }
                    do throws(TransportError) {
                        _ = try await api.uploadChunk(blob, index: index, uploadKey: key, bytes: bytes)
                        return (bytes.count, true, nil)
                    } catch {
                        return (bytes.count, true, error)
                    }
                }
            }
            while let result = await group.next() { finished(result) }
            return (failure, false, hasher.finalize())
        }
        if unreadable { throw .attachment(.unreadable) }
        if let failure { throw .transport(failure) }
        guard let digest else { throw .store(.corrupted) }
        return digest
    }

    // MARK: - Receiving attachments

    /// Downloads every pending attachment of received messages, checks it against its digest,
    /// keeps it encrypted in the profile, and confirms the download to the relay.
    func downloadPendingAttachments() async throws(AccountError) -> Int {
        var downloaded = 0
        // Incoming messages' files, and those of colleagues' replies (team copies).
        for message in try messages() where message.direction == .incoming || message.isColleagues {
            for (index, attachment) in message.attachments.enumerated() where attachment.state == .pending {
                // Bytes that do not match the digest may be a bad link or a relay's fault, and the
                // relay still has the blob: try again, a bounded number of times.
                var state = Message.Attachment.State.damaged
                for _ in 0..<Self.downloadAttempts where state == .damaged {
                    state = try await download(attachment, into: message.id, index: index)
                }
                if state == .damaged { try setAttachment(message.id, index, state: .damaged, file: nil) }
                if state == .stored { downloaded += 1 }
            }
        }
        return downloaded
    }

    /// How many times one sync downloads an attachment whose bytes do not match its digest
    /// before it counts as damaged.
    static let downloadAttempts = 3

    /// Downloads one attachment and stores it if it matches its digest; `.damaged` (nothing
    /// stored, nothing marked) when it does not.
    private func download(_ attachment: Message.Attachment, into id: Data, index: Int) async throws(AccountError)
        -> Message.Attachment.State
    {
        guard let blob = BlobID(attachment.blob) else { throw .store(.corrupted) }
        let status: BlobStatus
        do {
            status = try await api.blobStatus(blob)
        } catch .refused(404, _) {
            try setAttachment(id, index, state: .gone, file: nil)
            return .gone
        } catch {
            throw .transport(error)
        }
        guard status.complete else { return .pending }
        let name = "in-" + SecureRandom.bytes(count: 16).hexText
        let destination = store.filesDirectory.appendingPathComponent(name)
        let writer: AtomicWriter
        do {
            writer = try AtomicWriter(destination)
        } catch {
            throw .attachment(error)
        }
        guard var hasher = try? BLAKE2b.Hasher() else { throw .store(.corrupted) }
        var total: UInt64 = 0
        for chunkIndex in 0..<status.chunks {
            let bytes: [UInt8]
            do {
                bytes = try await api.downloadChunk(blob, index: chunkIndex)
            } catch {
                writer.discard()
                throw .transport(error)
            }
            hasher.update(bytes)
            total += UInt64(bytes.count)
            transferObserver?(
                TransferProgress(
                    direction: .download, fileName: attachment.fileName, done: total,
                    total: attachment.encryptedSize, transferred: true))
            do {
                try writer.write(bytes)
            } catch {
                writer.discard()
                throw .attachment(error)
            }
        }
        let digest = hasher.finalize()
        guard total == attachment.encryptedSize, ConstantTime.equals(digest, Array(attachment.digest)) else {
            writer.discard()
            return .damaged
        }
        do {
            try writer.commit()
        } catch {
            throw .attachment(error)
        }
        try setAttachment(id, index, state: .stored, file: name)
        // Stored first: a confirmation lost now leaves the blob to its retention time, never a
        // file this device does not have.
        if let key = try? DownloadConfirmation.key(
            fileKey: SecureBytes(copying: Array(attachment.key)), recipient: try identityKey)
        {
            try? await api.confirmDownload(blob, key: key)
        }
        return .stored
    }

    private func setAttachment(_ id: Data, _ index: Int, state: Message.Attachment.State, file: String?)
        throws(AccountError)
    {
        try store.transaction { db in
            try store.updateMessage(id: id, in: db) { message in
                guard message.attachments.indices.contains(index) else { return }
                message.attachments[index].state = state
                message.attachments[index].localFile = file
            }
        }
    }

    /// Attachment `index` of message `id`, decrypted in memory (to show it, never to write it),
    /// with its name and MIME type as sent.
    public func attachmentBytes(of id: Data, index: Int) throws(AccountError) -> (
        bytes: [UInt8], fileName: String, mimeType: String
    ) {
        guard let message = try message(id: id), message.attachments.indices.contains(index)
        else { throw .unknownContact }
        let attachment = message.attachments[index]
        guard attachment.state == .stored, let file = attachment.localFile else { throw .attachment(.unreadable) }
        do {
            let bytes = try AttachmentCipher.decryptedBytes(
                store.filesDirectory.appendingPathComponent(file), key: SecureBytes(copying: Array(attachment.key)),
                size: attachment.size)
            return (bytes, attachment.fileName, attachment.mimeType)
        } catch {
            throw .attachment(error)
        }
    }

    /// Decrypts attachment `index` of message `id` to `destination` (which appears only once the
    /// whole file has verified).
    public func saveAttachment(of id: Data, index: Int, to destination: URL) throws(AccountError) {
        guard let message = try message(id: id), message.attachments.indices.contains(index)
        else { throw .unknownContact }
        let attachment = message.attachments[index]
        guard attachment.state == .stored, let file = attachment.localFile else { throw .attachment(.unreadable) }
        do {
            try AttachmentCipher.decrypt(
                store.filesDirectory.appendingPathComponent(file), to: destination,
                key: SecureBytes(copying: Array(attachment.key)), size: attachment.size)
        } catch {
            throw .attachment(error)
        }
    }
}
