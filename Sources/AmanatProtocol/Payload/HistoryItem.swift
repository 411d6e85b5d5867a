// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// One piece of a case's history, sent by the organisation's administrator device to an expert
/// device that joined the roster after the case began (payload type 8, SPEC.md §16.6):
///
///     u8 item ‖ body
///     item 1, case:    IdentityKey defender ‖ vector16(ContactCard)
///     item 2, message: IdentityKey defender ‖ u8 kind (1 case update, 2 reply) ‖ [16] id ‖ u64 sentAt
///                      ‖ optional([16] inReplyTo) ‖ optional(IdentityKey author) ‖ u8 delivery
///                      ‖ vector32(text) ‖ u8 n ‖ AttachmentPointer × n
///     item 3, triage:  TriageEvent
public enum HistoryItem: Equatable, Sendable {
    /// A defender's case and how to reach them: their contact card, which lists `defender`.
    case contact(defender: IdentityKey, card: ContactCard)
    /// A case update from the defender, or a reply an expert sent them.
    case message(Message)
    /// A triage event of a case, as its author signed it.
    case triage(TriageEvent)

    /// A case update or reply as history carries it.
    public struct Message: Equatable, Sendable {
        /// Where a reply had got when the history was sent.
        public enum Delivery: UInt8, Sendable {
            case queued = 1
            case submitted = 2
            case delivered = 3
            case read = 4
        }

        /// The defender whose case it belongs to.
        public let defender: IdentityKey
        /// The message's own payload id and its sender's time.
        public let id: [UInt8]
        public let sentAt: UInt64
        /// For a reply: the message it answered, the expert device that wrote it, and how far it
        /// got; nil for a case update.
        public let reply: (author: IdentityKey, inReplyTo: [UInt8]?, delivery: Delivery)?
        public let text: String
        /// Pointers to blobs uploaded for the receiving device.
        public let attachments: [AttachmentPointer]

        /// A message; `id` (and `inReplyTo`) are 16 bytes.
        public init(
            defender: IdentityKey, id: [UInt8], sentAt: UInt64,
            reply: (author: IdentityKey, inReplyTo: [UInt8]?, delivery: Delivery)?, text: String,
            attachments: [AttachmentPointer]
        ) {
            self.defender = defender
            self.id = id
            self.sentAt = sentAt
            self.reply = reply
            self.text = text
            self.attachments = attachments
        }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.defender == rhs.defender && lhs.id == rhs.id && lhs.sentAt == rhs.sentAt && lhs.text == rhs.text
                && lhs.attachments == rhs.attachments && lhs.reply?.author == rhs.reply?.author
                && lhs.reply?.inReplyTo == rhs.reply?.inReplyTo && lhs.reply?.delivery == rhs.reply?.delivery
        }
    }

    package func write(to writer: inout ByteWriter) throws(ProtocolError) {
        switch self {
        case .contact(let defender, let card):
            guard card.devices.contains(where: { $0.identity == defender }) else { throw .malformed }
            writer.u8(1)
            writer.fixed(defender.encoded)
            writer.vector16(try card.encoded)
        case .message(let message):
            guard message.id.count == 16, message.reply?.inReplyTo.map({ $0.count == 16 }) ?? true else {
                throw .malformed
            }
            writer.u8(2)
            writer.fixed(message.defender.encoded)
            writer.u8(message.reply == nil ? 1 : 2)
            writer.fixed(message.id)
            writer.u64(message.sentAt)
            writer.optional(message.reply?.inReplyTo) { $0.fixed($1) }
            writer.optional(message.reply?.author) { $0.fixed($1.encoded) }
            writer.u8(message.reply?.delivery.rawValue ?? 0)
            try Payload.write(text: message.text, attachments: message.attachments, to: &writer)
        case .triage(let event):
            writer.u8(3)
            event.write(to: &writer)
        }
    }

    package init(reading reader: inout ByteReader) throws(ProtocolError) {
        switch try reader.u8() {
        case 1:
            let defender = try IdentityKey(reading: &reader)
            let card = try ContactCard(decoding: try reader.vector16())
            guard card.devices.contains(where: { $0.identity == defender }) else { throw .malformed }
            self = .contact(defender: defender, card: card)
        case 2:
            let defender = try IdentityKey(reading: &reader)
            let kind = try reader.u8()
            let id = try reader.fixed(16)
            let sentAt = try reader.u64()
            let inReplyTo = try reader.optional { (reader) throws(ProtocolError) in try reader.fixed(16) }
            let author = try reader.optional { (reader) throws(ProtocolError) in try IdentityKey(reading: &reader) }
            let delivery = try reader.u8()
            let (text, attachments) = try Payload.readTextAndAttachments(&reader)
            let reply: (author: IdentityKey, inReplyTo: [UInt8]?, delivery: Message.Delivery)?
            switch (kind, author, Message.Delivery(rawValue: delivery)) {
            case (1, nil, nil) where inReplyTo == nil && delivery == 0:
                reply = nil
            case (2, let author?, let state?):
                reply = (author, inReplyTo, state)
            default:
                throw .malformed
            }
            self = .message(
                Message(defender: defender, id: id, sentAt: sentAt, reply: reply, text: text, attachments: attachments))
        case 3:
            self = .triage(try TriageEvent(reading: &reader))
        default:
            throw .malformed
        }
    }
}
