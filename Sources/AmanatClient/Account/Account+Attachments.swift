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

/// A message whose attachments are encrypted but not all uploaded yet: kept in the store so an
/// interrupted upload resumes where it stopped (SPEC.md §9.2; issue #6).
struct Draft: Codable, Sendable {
    struct File: Codable, Sendable {
        var localFile: String
        var key: Data
        var size: UInt64
        var encryptedSize: UInt64
        var fileName: String
        var mimeType: String
        var blob: Data?
        var uploadKey: Data?
        var digest: Data?
        /// The metadata fields removed before encrypting (``DocumentMetadata``).
        var removed: [String]?
    }

    var id: Data
    var kind: Message.Kind
    var text: String
    var inReplyTo: Data?
    var recipients: [Data]
    var files: [File]
}

extension ProfileStore {
    func saveDraft(_ draft: Draft, row: Data, in db: Database) throws {
        let sealed = try cipher.seal(Array(try JSONEncoder().encode(draft)), place: "drafts.record", row: Array(row))
        try db.execute(
            sql:
                "INSERT INTO drafts (row, record) VALUES (?, ?) ON CONFLICT (row) DO UPDATE SET record = excluded.record",
            arguments: [row, Data(sealed)])
    }

    func drafts(in db: Database) throws -> [(row: Data, draft: Draft)] {
        try Row.fetchAll(db, sql: "SELECT row, record FROM drafts ORDER BY seq").map { row in
            let rowId: Data = row["row"]
            let sealed: Data = row["record"]
            return (
                rowId,
                try JSONDecoder().decode(
                    Draft.self, from: Data(try cipher.open(Array(sealed), place: "drafts.record", row: Array(rowId))))
            )
        }
    }

    func deleteDraft(row: Data, in db: Database) throws {
        try db.execute(sql: "DELETE FROM drafts WHERE row = ?", arguments: [row])
    }
}

extension Account {
    // MARK: - Sending attachments

    /// Encrypts `files` into the profile and records the message as a draft, in one commit.
    func prepareDraft(
        kind: Message.Kind, text: String, inReplyTo: Data?, routes: [Route], files: [OutgoingFile]
    ) throws(AccountError) -> (row: Data, draft: Draft) {
        guard files.count <= Payload.maximumAttachmentCount else { throw .tooLarge }
        let limit = try loadState()?.maximumBlobBytes ?? .max
        var prepared: [Draft.File] = []
        do {
            for file in files {
                let name = "out-" + SecureRandom.bytes(count: 16).hexText
                // Images and documents lose their metadata unless the sender keeps the original
                // on purpose.
                var source = file.url
                var cleaned: DocumentMetadata.CleanedFile?
                if !file.keepOriginal, let kind = DocumentMetadata.kind(of: file.url, named: file.fileName) {
                    cleaned = try DocumentMetadata.cleaned(file.url, kind: kind)
                    source = cleaned?.url ?? source
                }
                defer { cleaned?.remove() }
                let ranges = file.keepOriginal ? nil : try ImageMetadata.keptRanges(of: source)
                let encrypted = try AttachmentCipher.encrypt(
                    source, to: store.filesDirectory.appendingPathComponent(name), keeping: ranges)
                guard encrypted.encryptedSize <= limit else {
                    try? FileManager.default.removeItem(at: store.filesDirectory.appendingPathComponent(name))
                    throw AttachmentError.tooLarge
                }
                prepared.append(
                    Draft.File(
                        localFile: name, key: Data(encrypted.key.withUnsafeBytes { Array($0) }), size: encrypted.size,
                        encryptedSize: encrypted.encryptedSize, fileName: file.fileName, mimeType: file.mimeType,
                        removed: cleaned?.removed))
            }
        } catch {
            for file in prepared {
                try? FileManager.default.removeItem(at: store.filesDirectory.appendingPathComponent(file.localFile))
            }
            throw .attachment(error as? AttachmentError ?? .unreadable)
        }
        let draft = Draft(
            id: Data(SecureRandom.bytes(count: 16)), kind: kind, text: text, inReplyTo: inReplyTo,
            recipients: routes.map { Data($0.device.identity.encoded) }, files: prepared)
        let row = Data(SecureRandom.bytes(count: 16))
        // Shown at once as queued, to every recipient; completing the draft fills in the rest.
        let now = clock()
        let message = Message(
            id: draft.id, direction: .outgoing, kind: kind, sender: nil, senderName: nil, text: text,
            inReplyTo: inReplyTo, sentAt: now, storedAt: now, isRead: true,
            deliveries: routes.map {
                Message.Delivery(
                    device: Data($0.device.identity.encoded), name: $0.name, state: .queued, submittedAt: nil,
                    receiptSignature: nil)
            },
            attachments: prepared.map { file in
                var attachment = Message.Attachment(
                    fileName: file.fileName, mimeType: file.mimeType, size: file.size, state: .stored, blob: Data(),
                    key: file.key, encryptedSize: file.encryptedSize, digest: Data(), localFile: file.localFile)
                attachment.removedMetadata = file.removed
                return attachment
            })
        try store.transaction { db in
            try store.saveDraft(draft, row: row, in: db)
            try store.insertMessage(message, in: db)
        }
        return (row, draft)
    }

    /// Uploads what is missing of a draft's attachments (resuming from the chunks the relay has),
    /// then sends the message and drops the draft in the same commit.
    func complete(row: Data, draft initial: Draft) async throws(AccountError) -> Message {
        var draft = initial
        let routes = try perform { db in
            try draft.recipients.compactMap { bytes in
                try (try? IdentityKey(decoding: Array(bytes))).flatMap { identity in try route(to: identity, in: db) }
            }
        }
        // A recipient that left the roster since (or whose card is gone) is not waited for: its
        // delivery is dropped from the message, and a draft with nobody left is finished.
        let reachable = Set(routes.map { Data($0.device.identity.encoded) })
        if draft.recipients.contains(where: { !reachable.contains($0) }) {
            draft.recipients = draft.recipients.filter { reachable.contains($0) }
            let narrowed = draft
            try store.transaction { db in
                try store.updateMessage(id: narrowed.id, in: db) { message in
                    message.deliveries = message.deliveries.filter { reachable.contains($0.device) }
                }
                if narrowed.recipients.isEmpty {
                    try store.deleteDraft(row: row, in: db)
                } else {
                    try store.saveDraft(narrowed, row: row, in: db)
                }
            }
        }
        guard routes.first != nil else {
            guard let message = try messages().first(where: { $0.id == draft.id }) else { throw .unknownContact }
            return message
        }
        // One download per recipient device, and for a reply one per colleague's team copy
        // (SPEC.md §16.5), each confirmed with that device's own key (§9.4).
        let downloaders = (routes + (draft.kind == .reply ? try rosterRoutes() : [])).map(\.device.identity)
        for index in draft.files.indices where draft.files[index].digest == nil {
            // Twice at most: the relay deletes a blob not uploaded whole within its upload window
            // (this device was away too long); then a new one is created and the upload redone.
            for attempt in 1...2 where draft.files[index].digest == nil {
                if draft.files[index].blob == nil {
                    let confirmations: [[UInt8]]
                    do {
                        confirmations = try Self.confirmations(of: draft.files[index].key, for: downloaders)
                    } catch {
                        throw .transport(error)
                    }
                    let created = try await createBlob(
                        size: draft.files[index].encryptedSize, confirmations: confirmations, through: routes)
                    draft.files[index].blob = Data(created.blob)
                    draft.files[index].uploadKey = Data(created.uploadKey.withUnsafeBytes { Array($0) })
                    let saved = draft
                    try store.transaction { db in try store.saveDraft(saved, row: row, in: db) }
                }
                do {
                    draft.files[index].digest = Data(try await upload(draft.files[index]))
                } catch .transport(.refused(404, let code)) {
                    draft.files[index].blob = nil
                    draft.files[index].uploadKey = nil
                    if attempt == 2 { throw .transport(.refused(status: 404, code: code)) }
                }
                let saved = draft
                try store.transaction { db in try store.saveDraft(saved, row: row, in: db) }
            }
        }
        var attachments: [Message.Attachment] = []
        for file in draft.files {
            guard let blob = file.blob, let digest = file.digest else { throw .store(.corrupted) }
            var attachment = Message.Attachment(
                fileName: file.fileName, mimeType: file.mimeType, size: file.size, state: .stored, blob: blob,
                key: file.key, encryptedSize: file.encryptedSize, digest: digest, localFile: file.localFile)
            attachment.removedMetadata = file.removed
            attachments.append(attachment)
        }
        let pointers = attachments.map(\.pointer)
        let body: Payload.Body =
            draft.kind == .caseUpdate
            ? .caseUpdate(text: draft.text, attachments: pointers)
            : .reply(inReplyTo: draft.inReplyTo.map(Array.init), text: draft.text, attachments: pointers)
        return try await send(
            body, id: Array(draft.id), kind: draft.kind, text: draft.text, inReplyTo: draft.inReplyTo,
            attachments: attachments, to: routes, finishingDraft: row)
    }

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

    /// Uploads the chunks the relay does not have yet and returns the digest of the whole file.
    func upload(_ file: Draft.File) async throws(AccountError) -> [UInt8] {
        guard let blob = file.blob.map(Array.init), let uploadKey = file.uploadKey else { throw .store(.corrupted) }
        let key = SecureBytes(copying: Array(uploadKey))
        let status: BlobStatus
        do {
            status = try await api.blobStatus(blob)
        } catch {
            throw .transport(error)
        }
        guard let reader = try? FileHandle(forReadingFrom: store.filesDirectory.appendingPathComponent(file.localFile))
        else { throw .attachment(.unreadable) }
        defer { try? reader.close() }
        guard var hasher = try? BLAKE2b.Hasher() else { throw .store(.corrupted) }
        var done: UInt64 = 0
        for index in 0..<status.chunks {
            guard let chunk = try? reader.read(upToCount: status.chunkSize), !chunk.isEmpty else {
                throw .attachment(.unreadable)
            }
            let bytes = Array(chunk)
            hasher.update(bytes)
            let missing = !status.present.contains(index)
            if missing {
                do {
                    _ = try await api.uploadChunk(blob, index: index, uploadKey: key, bytes: bytes)
                } catch {
                    throw .transport(error)
                }
            }
            done += UInt64(bytes.count)
            transferObserver?(
                TransferProgress(
                    direction: .upload, fileName: file.fileName, done: done, total: file.encryptedSize,
                    transferred: missing))
        }
        return hasher.finalize()
    }

    /// Finishes every draft left by an interrupted send, or by a recipient device that could not
    /// be reached. A draft that still cannot go (that device still has no prekeys, say) waits for
    /// the next sync without holding up the others; a transient failure stops them all.
    func completeDrafts() async throws(AccountError) -> Int {
        var sent = 0
        for (row, draft) in try perform({ db in try store.drafts(in: db) }) {
            do {
                _ = try await complete(row: row, draft: draft)
                sent += 1
            } catch {
                switch error {
                case .transport(let failure) where failure.isTransient: throw error
                case .transport, .protocolFailure, .unknownContact: continue
                default: throw error
                }
            }
        }
        return sent
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
        let blob = Array(attachment.blob)
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
        guard let message = try messages().first(where: { $0.id == id }), message.attachments.indices.contains(index)
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
        guard let message = try messages().first(where: { $0.id == id }), message.attachments.indices.contains(index)
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
