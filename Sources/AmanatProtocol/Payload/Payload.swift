// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// What people send each other, inside the ratchet (SPEC.md §9):
///
///     u8 version = 1 ‖ u8 type ‖ id[16] ‖ u64 sentAt ‖ body
///
/// Decoders bound every length and count, check UTF-8, refuse unknown types and trailing bytes,
/// and never trap.
public struct Payload: Equatable, Sendable {
    static let version: UInt8 = 1
    /// The longest text, in UTF-8 bytes; longer text goes as an attachment.
    public static let maximumTextByteCount = 48 * 1024
    /// The most attachments one message may point to.
    public static let maximumAttachmentCount = 16
    /// The most message ids one receipt may acknowledge.
    public static let maximumReceiptCount = 256

    /// A random id the sender chooses; receipts and replies refer to it.
    public let id: [UInt8]
    /// Unix seconds, by the sender's clock.
    public let sentAt: UInt64
    /// The content.
    public let body: Body

    /// The kinds of content.
    public enum Body: Equatable, Sendable {
        /// A defender's case update (type 1).
        case caseUpdate(text: String, attachments: [AttachmentPointer])
        /// An expert's reply (type 2), optionally to a given message.
        case reply(inReplyTo: [UInt8]?, text: String, attachments: [AttachmentPointer])
        /// Delivery or read receipts for earlier messages (type 3).
        case receipt(ReceiptKind, messageIds: [[UInt8]])
        /// How to reach the sender: mailbox, deposit key, devices (type 4).
        case contactCard(ContactCard)
        /// The sender dropped its session and starts a new one (type 5).
        case sessionReset(SessionResetReason)
        /// A signed change to a case's triage state, between expert devices (type 6).
        case triage(TriageEvent)
        /// A copy of this device's reply to `defender`, for the other expert devices (type 7,
        /// SPEC.md §16.5): the payload's id and time are the reply's own.
        case teamCopy(defender: IdentityKey, inReplyTo: [UInt8]?, text: String, attachments: [AttachmentPointer])
        /// A piece of the cases' history, for an expert device that joined later (type 8,
        /// SPEC.md §16.6).
        case history(HistoryItem)
        /// A new roster key from the organisation root, after an expert device was lost (type 9,
        /// SPEC.md §16.2).
        case rosterKey(RosterKeyGrant)

        var type: UInt8 {
            switch self {
            case .caseUpdate: 1
            case .reply: 2
            case .receipt: 3
            case .contactCard: 4
            case .sessionReset: 5
            case .triage: 6
            case .teamCopy: 7
            case .history: 8
            case .rosterKey: 9
            }
        }
    }

    /// Receipt kinds.
    public enum ReceiptKind: UInt8, Sendable {
        /// The recipient's device stored the message.
        case delivered = 1
        /// A person opened it.
        case read = 2
    }

    /// Why a session was reset.
    public enum SessionResetReason: UInt8, Sendable {
        /// A message could not be decrypted and the session could not recover.
        case undecryptable = 1
        /// The sender moved to a new device or restored from a backup.
        case newDevice = 2
        /// The person asked for it.
        case requested = 3
    }

    /// A payload. `id` must be 16 bytes.
    public init(id: [UInt8], sentAt: UInt64, body: Body) {
        precondition(id.count == 16, "a payload id is 16 bytes")
        self.id = id
        self.sentAt = sentAt
        self.body = body
    }

    /// The encoding.
    ///
    /// - Throws: ``ProtocolError/tooLarge`` when a field exceeds its limit.
    public func encoded() throws(ProtocolError) -> [UInt8] {
        var writer = ByteWriter(capacity: 256)
        writer.u8(Self.version)
        writer.u8(body.type)
        writer.fixed(id)
        writer.u64(sentAt)
        switch body {
        case .caseUpdate(let text, let attachments):
            try Self.write(text: text, attachments: attachments, to: &writer)
        case .reply(let inReplyTo, let text, let attachments):
            guard inReplyTo == nil || inReplyTo?.count == 16 else { throw .malformed }
            writer.optional(inReplyTo) { $0.fixed($1) }
            try Self.write(text: text, attachments: attachments, to: &writer)
        case .receipt(let kind, let messageIds):
            guard (1...Self.maximumReceiptCount).contains(messageIds.count) else { throw .tooLarge }
            guard messageIds.allSatisfy({ $0.count == 16 }) else { throw .malformed }
            writer.u8(kind.rawValue)
            writer.u16(UInt16(messageIds.count))
            for messageId in messageIds { writer.fixed(messageId) }
        case .contactCard(let card):
            try card.write(to: &writer)
        case .sessionReset(let reason):
            writer.u8(reason.rawValue)
        case .triage(let event):
            event.write(to: &writer)
        case .teamCopy(let defender, let inReplyTo, let text, let attachments):
            guard inReplyTo == nil || inReplyTo?.count == 16 else { throw .malformed }
            writer.fixed(defender.encoded)
            writer.optional(inReplyTo) { $0.fixed($1) }
            try Self.write(text: text, attachments: attachments, to: &writer)
        case .history(let item):
            try item.write(to: &writer)
        case .rosterKey(let grant):
            grant.write(to: &writer)
        }
        return writer.bytes
    }

    /// Decodes a payload.
    ///
    /// - Throws: ``ProtocolError/malformed`` or ``ProtocolError/unsupportedVersion``.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try reader.version(Self.version)
        let type = try reader.u8()
        id = try reader.fixed(16)
        sentAt = try reader.u64()
        switch type {
        case 1:
            let (text, attachments) = try Self.readTextAndAttachments(&reader)
            body = .caseUpdate(text: text, attachments: attachments)
        case 2:
            let inReplyTo = try reader.optional { (reader) throws(ProtocolError) in try reader.fixed(16) }
            let (text, attachments) = try Self.readTextAndAttachments(&reader)
            body = .reply(inReplyTo: inReplyTo, text: text, attachments: attachments)
        case 3:
            guard let kind = ReceiptKind(rawValue: try reader.u8()) else { throw .malformed }
            let count = Int(try reader.u16())
            guard (1...Self.maximumReceiptCount).contains(count) else { throw .malformed }
            var ids: [[UInt8]] = []
            for _ in 0..<count { ids.append(try reader.fixed(16)) }
            body = .receipt(kind, messageIds: ids)
        case 4:
            body = .contactCard(try ContactCard(reading: &reader))
        case 5:
            guard let reason = SessionResetReason(rawValue: try reader.u8()) else { throw .malformed }
            body = .sessionReset(reason)
        case 6:
            body = .triage(try TriageEvent(reading: &reader))
        case 7:
            let defender = try IdentityKey(reading: &reader)
            let inReplyTo = try reader.optional { (reader) throws(ProtocolError) in try reader.fixed(16) }
            let (text, attachments) = try Self.readTextAndAttachments(&reader)
            body = .teamCopy(defender: defender, inReplyTo: inReplyTo, text: text, attachments: attachments)
        case 8:
            body = .history(try HistoryItem(reading: &reader))
        case 9:
            body = .rosterKey(try RosterKeyGrant(reading: &reader))
        default:
            throw .malformed
        }
        try reader.finish()
    }

    static func write(
        text: String, attachments: [AttachmentPointer], to writer: inout ByteWriter
    ) throws(ProtocolError) {
        let utf8 = Array(text.utf8)
        guard utf8.count <= maximumTextByteCount, attachments.count <= maximumAttachmentCount else { throw .tooLarge }
        writer.vector32(utf8)
        writer.u8(UInt8(attachments.count))
        for attachment in attachments {
            try attachment.write(to: &writer)
        }
    }

    static func readTextAndAttachments(
        _ reader: inout ByteReader
    ) throws(ProtocolError) -> (String, [AttachmentPointer]) {
        let text = try reader.utf8(try reader.vector32(maximum: maximumTextByteCount))
        let count = Int(try reader.u8())
        guard count <= maximumAttachmentCount else { throw .malformed }
        var attachments: [AttachmentPointer] = []
        for _ in 0..<count { attachments.append(try AttachmentPointer(reading: &reader)) }
        return (text, attachments)
    }
}

/// Where an encrypted attachment is and how to open it (SPEC.md §9.2):
///
///     blobId[32] ‖ key[32] ‖ u64 size ‖ u64 encryptedSize ‖ digest[32]
///     ‖ vector16 fileName (UTF-8, ≤ 255 bytes) ‖ vector8 mimeType (ASCII, ≤ 127 bytes)
public struct AttachmentPointer: Equatable, Sendable {
    /// The longest file name in UTF-8 bytes.
    public static let maximumFileNameByteCount = 255
    /// The longest MIME type.
    public static let maximumMimeTypeByteCount = 127

    /// The relay's id for the blob.
    public let blobId: BlobID
    /// The secretstream key of the file.
    public let key: SecureBytes
    /// The plaintext size in bytes.
    public let size: UInt64
    /// The size stored on the relay, padding included.
    public let encryptedSize: UInt64
    /// BLAKE2b-256 of the stored bytes, checked before decrypting.
    public let digest: [UInt8]
    /// The file's name, shown to the recipient.
    public let fileName: String
    /// The file's MIME type.
    public let mimeType: String

    /// A pointer; `digest` is 32 bytes and `key` is a secretstream key.
    public init(
        blobId: BlobID, key: SecureBytes, size: UInt64, encryptedSize: UInt64, digest: [UInt8], fileName: String,
        mimeType: String
    ) {
        self.blobId = blobId
        self.key = key
        self.size = size
        self.encryptedSize = encryptedSize
        self.digest = digest
        self.fileName = fileName
        self.mimeType = mimeType
    }

    package func write(to writer: inout ByteWriter) throws(ProtocolError) {
        let name = Array(fileName.utf8)
        let mime = Array(mimeType.utf8)
        guard key.count == SecretStream.keyByteCount, digest.count == 32,
            mimeType.allSatisfy(\.isASCII)
        else { throw .malformed }
        guard name.count <= Self.maximumFileNameByteCount, mime.count <= Self.maximumMimeTypeByteCount else {
            throw .tooLarge
        }
        writer.fixed(blobId.bytes)
        writer.fixed(key)
        writer.u64(size)
        writer.u64(encryptedSize)
        writer.fixed(digest)
        writer.vector16(name)
        writer.vector8(mime)
    }

    package init(reading reader: inout ByteReader) throws(ProtocolError) {
        blobId = try reader.identifier()
        key = try reader.fixedSecret(SecretStream.keyByteCount)
        size = try reader.u64()
        encryptedSize = try reader.u64()
        digest = try reader.fixed(32)
        fileName = try reader.utf8(try reader.vector16(maximum: Self.maximumFileNameByteCount))
        let mime = try reader.vector8(maximum: Self.maximumMimeTypeByteCount)
        guard mime.allSatisfy({ $0 < 0x80 }) else { throw .malformed }
        mimeType = try reader.utf8(mime)
    }
}

/// How to reach a person (SPEC.md §9.3): sent in a defender's first message so experts can
/// answer, and again when it changes.
///
///     mailboxId[32] ‖ depositKey[32] ‖ directoryKey[32] ‖ u8 deviceCount (1...8)
///     ‖ (IdentityKey ‖ SignedPrekey sealing key)*
public struct ContactCard: Equatable, Sendable {
    /// The most devices a card lists.
    public static let maximumDeviceCount = 8

    /// One device: its identity and the key envelopes to it are sealed to.
    public struct Device: Equatable, Sendable {
        /// The device's identity.
        public let identity: IdentityKey
        /// Its signed X-Wing sealing key.
        public let sealingKey: SignedPrekey

        /// A device entry.
        public init(identity: IdentityKey, sealingKey: SignedPrekey) {
            self.identity = identity
            self.sealingKey = sealingKey
        }
    }

    /// The mailbox to deposit into.
    public let mailbox: MailboxID
    /// The key that makes deposit tokens for it (the relay holds it too).
    public let depositKey: SecureBytes
    /// The key the mailbox's prekey directory entries are sealed with (SPEC.md §8.6); the relay
    /// never has it.
    public let directoryKey: SecureBytes
    /// The devices behind the mailbox.
    public let devices: [Device]

    /// A card; `depositKey` and `directoryKey` are 32 bytes, with 1 to 8 devices.
    public init(mailbox: MailboxID, depositKey: SecureBytes, directoryKey: SecureBytes, devices: [Device]) {
        self.mailbox = mailbox
        self.depositKey = depositKey
        self.directoryKey = directoryKey
        self.devices = devices
    }

    package func write(to writer: inout ByteWriter) throws(ProtocolError) {
        guard depositKey.count == DepositToken.byteCount,
            directoryKey.count == PrekeyDirectory.keyByteCount,
            devices.allSatisfy({ $0.sealingKey.kind == .sealingXWing })
        else { throw .malformed }
        guard (1...Self.maximumDeviceCount).contains(devices.count) else { throw .tooLarge }
        writer.fixed(mailbox.bytes)
        writer.fixed(depositKey)
        writer.fixed(directoryKey)
        writer.u8(UInt8(devices.count))
        for device in devices {
            writer.fixed(device.identity.encoded)
            device.sealingKey.write(to: &writer)
        }
    }

    package init(reading reader: inout ByteReader) throws(ProtocolError) {
        mailbox = try reader.identifier()
        depositKey = try reader.fixedSecret(DepositToken.byteCount)
        directoryKey = try reader.fixedSecret(PrekeyDirectory.keyByteCount)
        let count = Int(try reader.u8())
        guard (1...Self.maximumDeviceCount).contains(count) else { throw .malformed }
        var devices: [Device] = []
        for _ in 0..<count {
            let identity = try IdentityKey(reading: &reader)
            let sealingKey = try SignedPrekey(reading: &reader)
            guard sealingKey.kind == .sealingXWing else { throw .malformed }
            devices.append(Device(identity: identity, sealingKey: sealingKey))
        }
        self.devices = devices
    }

    /// The card's encoding on its own (as inside a contact-card payload).
    public var encoded: [UInt8] {
        get throws(ProtocolError) {
            var writer = ByteWriter(capacity: 128 + devices.count * 1400)
            try write(to: &writer)
            return writer.bytes
        }
    }

    /// Decodes a card encoded on its own.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try self.init(reading: &reader)
        try reader.finish()
    }

    /// Checks every device's sealing key signature and expiry.
    public func verify(now: UInt64) throws(ProtocolError) {
        for device in devices {
            try device.sealingKey.verify(by: device.identity, now: now)
        }
    }
}

extension ByteReader {
    /// Bytes that must be valid UTF-8.
    package func utf8(_ bytes: [UInt8]) throws(ProtocolError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed }
        return text
    }
}
