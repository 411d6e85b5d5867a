// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

/// A payload's fields as JSON, so a vector shows what its bytes mean.
public struct PayloadDescription: Codable, Equatable, Sendable {
    public struct Attachment: Codable, Equatable, Sendable {
        public let blobId: String
        public let key: String
        public let size: UInt64
        public let encryptedSize: UInt64
        public let digest: String
        public let fileName: String
        public let mimeType: String
    }
    public struct Device: Codable, Equatable, Sendable {
        public let identity: String
        public let sealingKey: String
    }
    /// A triage event's fields (SPEC.md §16.3); `value` is the field's value bytes, hex.
    public struct Triage: Codable, Equatable, Sendable {
        public let caseKey: String
        public let lamport: UInt64
        public let author: String
        public let time: UInt64
        public let field: String
        public let value: String
        public let signature: String
    }
    public struct Card: Codable, Equatable, Sendable {
        public let mailbox: String
        public let depositKey: String
        public let directoryKey: String
        public let devices: [Device]
    }
    /// A roster key grant's fields (SPEC.md §16.2): the key and signature hex.
    public struct RosterKey: Codable, Equatable, Sendable {
        public let version: UInt64
        public let rosterKey: String
        public let signature: String
    }
    /// A history item's fields (SPEC.md §16.6).
    public struct History: Codable, Equatable, Sendable {
        public let item: String
        public var defender: String?
        public var contactCard: Card?
        public var kind: String?
        public var id: String?
        public var sentAt: UInt64?
        public var inReplyTo: String?
        public var author: String?
        public var delivery: String?
        public var text: String?
        public var attachments: [Attachment]?
        public var triage: Triage?
    }

    public let type: String
    public let id: String
    public let sentAt: UInt64
    public var text: String?
    public var inReplyTo: String?
    public var attachments: [Attachment]?
    public var receiptKind: String?
    public var messageIds: [String]?
    public var contactCard: Card?
    public var resetReason: String?
    public var triage: Triage?
    /// For a team copy (SPEC.md §16.5): the defender the reply went to, its `IdentityKey`.
    public var defender: String?
    public var history: History?
    /// For a roster key grant (type 9).
    public var rosterKey: RosterKey?

    public init(_ payload: Payload) {
        id = hex(payload.id)
        sentAt = payload.sentAt
        func describe(_ pointers: [AttachmentPointer]) -> [Attachment] {
            pointers.map {
                Attachment(
                    blobId: hex($0.blobId), key: hex($0.key), size: $0.size, encryptedSize: $0.encryptedSize,
                    digest: hex($0.digest), fileName: $0.fileName, mimeType: $0.mimeType)
            }
        }
        switch payload.body {
        case .caseUpdate(let text, let attachments):
            type = "caseUpdate"
            self.text = text
            self.attachments = describe(attachments)
        case .reply(let inReplyTo, let text, let attachments):
            type = "reply"
            self.inReplyTo = inReplyTo.map(hex)
            self.text = text
            self.attachments = describe(attachments)
        case .receipt(let kind, let ids):
            type = "receipt"
            receiptKind = kind == .delivered ? "delivered" : "read"
            messageIds = ids.map(hex)
        case .contactCard(let card):
            type = "contactCard"
            contactCard = Self.describe(card)
        case .sessionReset(let reason):
            type = "sessionReset"
            resetReason = ["undecryptable", "newDevice", "requested"][Int(reason.rawValue) - 1]
        case .triage(let event):
            type = "triage"
            triage = Self.describe(event)
        case .teamCopy(let defender, let inReplyTo, let text, let attachments):
            type = "teamCopy"
            self.defender = hex(defender.encoded)
            self.inReplyTo = inReplyTo.map(hex)
            self.text = text
            self.attachments = describe(attachments)
        case .rosterKey(let grant):
            type = "rosterKey"
            rosterKey = RosterKey(
                version: grant.version, rosterKey: hex(grant.rosterKey), signature: hex(grant.signature))
        case .history(let item):
            type = "history"
            switch item {
            case .contact(let defender, let card):
                history = History(item: "contact", defender: hex(defender.encoded), contactCard: Self.describe(card))
            case .message(let message):
                var described = History(item: "message", defender: hex(message.defender.encoded))
                described.kind = message.reply == nil ? "caseUpdate" : "reply"
                described.id = hex(message.id)
                described.sentAt = message.sentAt
                described.inReplyTo = message.reply?.inReplyTo.map(hex)
                described.author = message.reply.map { hex($0.author.encoded) }
                described.delivery = message.reply.map {
                    ["queued", "submitted", "delivered", "read"][Int($0.delivery.rawValue) - 1]
                }
                described.text = message.text
                described.attachments = describe(message.attachments)
                history = described
            case .triage(let event):
                history = History(item: "triage", triage: Self.describe(event))
            }
        }
    }

    static func describe(_ card: ContactCard) -> Card {
        Card(
            mailbox: hex(card.mailbox), depositKey: hex(card.depositKey), directoryKey: hex(card.directoryKey),
            devices: card.devices.map {
                Device(identity: hex($0.identity.encoded), sealingKey: hex($0.sealingKey.encoded))
            })
    }

    static func describe(_ event: TriageEvent) -> Triage {
        let field = ["status", "priority", "assignee", "label", "due", "note", "alias", "seized", "link"]
        let encoded = event.encoded
        // The value sits between the fixed fields (82 bytes and a u16 length) and the signature.
        return Triage(
            caseKey: hex(event.caseKey), lamport: event.lamport, author: hex(event.author), time: event.time,
            field: field[Int(encoded[81]) - 1], value: hex(Array(encoded[84..<(encoded.count - 64)])),
            signature: hex(event.signature))
    }
}

public struct PayloadVectors: Codable, Equatable, Sendable {
    public struct Case: Codable, Equatable, Sendable {
        public let comment: String
        public let payload: PayloadDescription
        public let encoded: String
    }
    public struct Invalid: Codable, Equatable, Sendable {
        public let comment: String
        public let encoded: String
        public let error: String
    }
    public let source: String
    public let tests: [Case]
    public let invalid: [Invalid]

    public static func samples() -> [(String, Payload)] {
        let device = VectorDevice("alice")
        func attachment(_ tag: UInt8, _ name: String, _ mime: String) -> AttachmentPointer {
            AttachmentPointer(
                blobId: seed("blob-\(tag)") as BlobID, key: SecureBytes(copying: seed("blob-key-\(tag)")),
                size: 1_234_567 + UInt64(tag),
                encryptedSize: 1_300_000 + UInt64(tag), digest: seed("blob-digest-\(tag)"), fileName: name,
                mimeType: mime)
        }
        let id = Array(seed("payload-id").prefix(16))
        let card = ContactCard(
            mailbox: seed("mailbox") as MailboxID, depositKey: SecureBytes(copying: seed("deposit-key")),
            directoryKey: SecureBytes(copying: seed("directory-key")),
            devices: [.init(identity: device.identity.publicKey, sealingKey: device.sealingKeyRecord)])
        let sentAt: UInt64 = 1_800_000_000
        let expert = VectorDevice("bob")
        func triage(_ change: TriageEvent.Change, lamport: UInt64) -> TriageEvent {
            try! TriageEvent(
                caseKey: device.identity.publicKey.signingKey.rawRepresentation, lamport: lamport, time: sentAt + 60,
                change: change, signedBy: expert.identity.signingKey)
        }
        return [
            (
                "case update, Russian text",
                Payload(
                    id: id, sentAt: sentAt, body: .caseUpdate(text: "Задержан у здания суда в 14:00", attachments: []))
            ),
            (
                "case update with two attachments",
                Payload(
                    id: id, sentAt: sentAt,
                    body: .caseUpdate(
                        text: "Photos of the ruling",
                        attachments: [
                            attachment(1, "решение суда.jpg", "image/jpeg"),
                            attachment(2, "protocol.pdf", "application/pdf"),
                        ]))
            ),
            (
                "reply to a message",
                Payload(
                    id: id, sentAt: sentAt,
                    body: .reply(
                        inReplyTo: Array(seed("earlier").prefix(16)), text: "We will file an appeal.", attachments: []))
            ),
            (
                "reply with no text and no reference",
                Payload(
                    id: id, sentAt: sentAt,
                    body: .reply(inReplyTo: nil, text: "", attachments: [attachment(3, "a", "text/plain")]))
            ),
            (
                "read receipt for two messages",
                Payload(
                    id: id, sentAt: sentAt,
                    body: .receipt(.read, messageIds: [Array(seed("m1").prefix(16)), Array(seed("m2").prefix(16))]))
            ),
            (
                "delivered receipt for one message",
                Payload(id: id, sentAt: sentAt, body: .receipt(.delivered, messageIds: [Array(seed("m1").prefix(16))]))
            ),
            ("contact card with one device", Payload(id: id, sentAt: sentAt, body: .contactCard(card))),
            (
                "session reset after an undecryptable message",
                Payload(id: id, sentAt: sentAt, body: .sessionReset(.undecryptable))
            ),
            ("session reset for a new device", Payload(id: id, sentAt: sentAt, body: .sessionReset(.newDevice))),
            ("session reset on request", Payload(id: id, sentAt: sentAt, body: .sessionReset(.requested))),
            (
                "triage: status set to in progress by expert bob",
                Payload(id: id, sentAt: sentAt, body: .triage(triage(.status(.inProgress), lamport: 7)))
            ),
            (
                "triage: label added",
                Payload(id: id, sentAt: sentAt, body: .triage(triage(.label("задержание", present: true), lamport: 8)))
            ),
            (
                "triage: internal note",
                Payload(
                    id: id, sentAt: sentAt,
                    body: .triage(triage(.note("Звонил адвокату, ждём ответа до пятницы."), lamport: 9)))
            ),
            (
                "triage: case alias set",
                Payload(id: id, sentAt: sentAt, body: .triage(triage(.alias("Гульнара, суд 3 дек."), lamport: 10)))
            ),
            (
                "triage: case alias cleared",
                Payload(id: id, sentAt: sentAt, body: .triage(triage(.alias(nil), lamport: 11)))
            ),
            (
                "triage: the defender's device reported seized since a time (§8.8)",
                Payload(id: id, sentAt: sentAt, body: .triage(triage(.seized(1_799_990_000), lamport: 13)))
            ),
            (
                "a new roster key from the organisation root, after an expert device was lost (§16.2)",
                Payload(
                    id: id, sentAt: sentAt,
                    body: .rosterKey(
                        RosterKeyGrant(
                            version: 7, rosterKey: SecureBytes(copying: seed("new-roster-key")),
                            signedBy: try! Ed25519.PrivateKey(seed: SecureBytes(copying: seed("organisation-root"))))))
            ),
            (
                "triage: the case continues with the defender's new device (re-enrolment)",
                Payload(
                    id: id, sentAt: sentAt,
                    body: .triage(triage(.link(Array(seed("new-device-identity")), present: true), lamport: 14)))
            ),
            (
                "team copy of expert bob's reply to alice, with an attachment",
                Payload(
                    id: id, sentAt: sentAt,
                    body: .teamCopy(
                        defender: device.identity.publicKey, inReplyTo: Array(seed("earlier").prefix(16)),
                        text: "Адвокат будет в суде завтра в 9:00.",
                        attachments: [attachment(4, "ходатайство.pdf", "application/pdf")]))
            ),
            (
                "history: alice's case and card, for a device that joined later",
                Payload(
                    id: id, sentAt: sentAt, body: .history(.contact(defender: device.identity.publicKey, card: card)))
            ),
            (
                "history: alice's case update with an attachment",
                Payload(
                    id: id, sentAt: sentAt,
                    body: .history(
                        .message(
                            HistoryItem.Message(
                                defender: device.identity.publicKey, id: Array(seed("earlier").prefix(16)),
                                sentAt: sentAt - 3600, reply: nil, text: "Задержан у здания суда в 14:00",
                                attachments: [attachment(5, "протокол.jpg", "image/jpeg")]))))
            ),
            (
                "history: expert bob's reply to it, delivered",
                Payload(
                    id: id, sentAt: sentAt,
                    body: .history(
                        .message(
                            HistoryItem.Message(
                                defender: device.identity.publicKey, id: Array(seed("bob-reply").prefix(16)),
                                sentAt: sentAt - 1800,
                                reply: (expert.identity.publicKey, Array(seed("earlier").prefix(16)), .delivered),
                                text: "Адвокат выехал.", attachments: []))))
            ),
            (
                "history: a triage event of alice's case",
                Payload(
                    id: id, sentAt: sentAt, body: .history(.triage(triage(.status(.waitingOnDefender), lamport: 12))))
            ),
        ]
    }

    public static func generate() -> Self {
        let samples = samples()
        let tests = samples.map { comment, payload in
            Case(comment: comment, payload: PayloadDescription(payload), encoded: hex(try! payload.encoded()))
        }
        let base = try! samples[0].1.encoded()
        var badUTF8 = base
        badUTF8[30] = 0xC3
        badUTF8[31] = 0x28
        var longLength = base
        longLength.replaceSubrange(26..<30, with: [0x00, 0x00, 0xC0, 0x01])
        var unknownType = base
        unknownType[1] = 0
        var badVersion = base
        badVersion[0] = 2
        let receipt = try! samples.first { $0.0 == "read receipt for two messages" }!.1.encoded()
        // A triage event's format byte is the first of the body (byte 26).
        var triageFormat = try! samples.first { $0.0.hasPrefix("triage: status") }!.1.encoded()
        triageFormat[26] = 2
        let historyUpdate = try! samples.first { $0.0.hasPrefix("history: alice's case update") }!.1.encoded()
        // Item 2 from byte 26: u8 item, IdentityKey (128), u8 kind at byte 155.
        var replyWithoutAuthor = historyUpdate
        replyWithoutAuthor[155] = 2
        var unknownItem = historyUpdate
        unknownItem[26] = 4
        var zeroIds = Array(receipt.prefix(27))
        zeroIds += [0, 0]
        var forgedDefender = try! samples.first { $0.0.hasPrefix("team copy") }!.1.encoded()
        // Inside the defender's IdentityKey (from byte 26): a bit of its agreement signature.
        forgedDefender[26 + 100] ^= 0x01
        return Self(
            source: "SPEC.md §9",
            tests: tests,
            invalid: [
                Invalid(comment: "text that is not UTF-8", encoded: hex(badUTF8), error: "malformed"),
                Invalid(comment: "text length over 49,152", encoded: hex(longLength), error: "malformed"),
                Invalid(comment: "unknown type 0", encoded: hex(unknownType), error: "malformed"),
                Invalid(comment: "version 2", encoded: hex(badVersion), error: "unsupportedVersion"),
                Invalid(comment: "receipt for zero messages", encoded: hex(zeroIds), error: "malformed"),
                Invalid(
                    comment: "team copy whose defender identity's agreement signature does not verify",
                    encoded: hex(forgedDefender), error: "authenticationFailure"),
                Invalid(
                    comment: "history message of kind reply without an author", encoded: hex(replyWithoutAuthor),
                    error: "malformed"),
                Invalid(comment: "history item 4", encoded: hex(unknownItem), error: "malformed"),
                Invalid(
                    comment: "triage event of format 2 (§16.3)", encoded: hex(triageFormat), error: "unsupportedVersion"
                ),
                Invalid(comment: "one trailing byte", encoded: hex(base + [0]), error: "malformed"),
                Invalid(comment: "truncated", encoded: hex(Array(base.dropLast())), error: "malformed"),
            ])
    }
}
