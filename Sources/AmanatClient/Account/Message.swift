// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation

/// A case update or reply, sent or received, as the apps show it.
public struct Message: Sendable, Equatable, Codable {
    /// Which way it went.
    public enum Direction: String, Sendable, Codable {
        case incoming, outgoing
    }

    /// What it is.
    public enum Kind: String, Sendable, Codable {
        case caseUpdate, reply
        /// Something the user must know about the conversation with ``sender``, not a message
        /// from them: ``text`` is one of ``Notice``'s raw values.
        case notice
    }

    /// The notices an app shows (translated) instead of a text.
    public enum Notice: String, Sendable, Codable, CaseIterable {
        /// A message from the sender could not be decrypted; a new secure session is started.
        case undecryptable = "notice.undecryptable"
        /// The sender restarted the secure session (after losing its state, or on request).
        case sessionReset = "notice.session-reset"
    }

    /// Where an outgoing message is, for one recipient device.
    public enum DeliveryState: String, Sendable, Codable, Comparable, CaseIterable {
        /// The relay refused it for good: the recipient's mailbox no longer takes this device's
        /// deposits (it was frozen after a seizure report, or its deposit key changed). Taken out
        /// of the outbox, so it does not hold up what follows; the message itself stays.
        case refused
        /// Sealed and waiting in the outbox for the relay.
        case queued
        /// The relay stored it (its signed receipt is kept).
        case submitted
        /// The recipient's device confirmed it (end-to-end receipt).
        case delivered
        /// The recipient opened it.
        case read

        private var rank: Int {
            switch self {
            case .refused: -1
            case .queued: 0
            case .submitted: 1
            case .delivered: 2
            case .read: 3
            }
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
    }

    /// One recipient device of an outgoing message.
    public struct Delivery: Sendable, Equatable, Codable {
        /// The device's identity key, encoded.
        public let device: Data
        /// The expert's name or the contact's label.
        public let name: String
        /// How far it got.
        public var state: DeliveryState
        /// The relay's receipt time (Unix seconds), once submitted.
        public var submittedAt: UInt64?
        /// The relay's signed receipt (SPEC.md §8.4), kept as proof of submission.
        public var receiptSignature: Data?
        /// The mailbox and envelope digest the receipt names, so it can be checked later (an
        /// evidence bundle carries them); absent for messages sent before they were kept.
        public var receiptMailbox: Data?
        public var receiptDigest: Data?
        /// For a receipt signed with others (SPEC.md §8.4.1): its 290-byte proof; nil for one
        /// signed alone.
        public var receiptProof: Data? = nil
    }

    /// A file sent with a message.
    public struct Attachment: Sendable, Equatable, Codable, CustomStringConvertible {
        /// Where it is.
        public enum State: String, Sendable, Codable, CaseIterable {
            /// Not downloaded yet (incoming).
            case pending
            /// Here, encrypted, in the profile's files folder.
            case stored
            /// Downloaded bytes did not match the digest or did not decrypt.
            case damaged
            /// The relay no longer has it (expired or downloaded by all).
            case gone
        }

        public let fileName: String
        public let mimeType: String
        /// The file's size in bytes.
        public let size: UInt64
        public var state: State
        // What the pointer carried (SPEC.md §9.2); the key stays inside the sealed record.
        let blob: Data
        let key: Data
        let encryptedSize: UInt64
        let digest: Data
        /// The encrypted file's name in the files folder, once stored.
        var localFile: String?
        /// For a document this device sent: the metadata fields removed from it before it was
        /// encrypted (author, creator, …; ``DocumentMetadata``).
        public var removedMetadata: [String]?

        public var description: String { "Attachment(\(size) bytes, \(state))" }

        /// The pointer that sends it (SPEC.md §9.2).
        var pointer: AttachmentPointer {
            get throws(AccountError) {
                guard let blobId = BlobID(blob) else { throw .store(.corrupted) }
                return AttachmentPointer(
                    blobId: blobId, key: SecureBytes(copying: Array(key)), size: size, encryptedSize: encryptedSize,
                    digest: Array(digest), fileName: fileName, mimeType: mimeType)
            }
        }

        /// An attachment a received pointer names, not downloaded yet.
        init(pending pointer: AttachmentPointer) {
            self.init(
                fileName: pointer.fileName, mimeType: pointer.mimeType, size: pointer.size, state: .pending,
                blob: pointer.blobId.data, key: Data(pointer.key.withUnsafeBytes { Array($0) }),
                encryptedSize: pointer.encryptedSize, digest: Data(pointer.digest), localFile: nil)
        }

        init(
            fileName: String, mimeType: String, size: UInt64, state: State, blob: Data, key: Data,
            encryptedSize: UInt64, digest: Data, localFile: String?
        ) {
            self.fileName = fileName
            self.mimeType = mimeType
            self.size = size
            self.state = state
            self.blob = blob
            self.key = key
            self.encryptedSize = encryptedSize
            self.digest = digest
            self.localFile = localFile
        }
    }

    /// The payload id: 16 random bytes the sender chose.
    public let id: Data
    public let direction: Direction
    public let kind: Kind
    /// The other party's identity key (encoded) for incoming messages; nil for outgoing ones,
    /// which have ``deliveries`` instead.
    public let sender: Data?
    /// The sender's name as the roster gives it, for incoming messages from experts.
    public let senderName: String?
    public let text: String
    /// For replies: the id of the message answered.
    public let inReplyTo: Data?
    /// Unix seconds by the sender's clock.
    public let sentAt: UInt64
    /// Unix seconds by this device's clock when it was stored here.
    public let storedAt: UInt64
    /// Whether the user has read it (incoming).
    public var isRead: Bool
    /// Per recipient device (outgoing).
    public var deliveries: [Delivery]
    /// Files sent with it, in order.
    public var attachments: [Attachment] = []
    /// For a colleague's reply (a team copy, SPEC.md §16.5): the expert device that wrote it
    /// (its identity key, encoded) and its name on the roster. Nil for this device's own
    /// messages and for incoming ones.
    public var author: Data? = nil
    public var authorName: String? = nil

    /// Whether another expert device of the organisation wrote it (a team copy).
    public var isColleagues: Bool { author != nil }

    /// Deliveries that the relay took more than `retention` seconds ago without an end-to-end
    /// receipt since: the recipient may never have fetched them before the relay deleted them.
    public func unconfirmedDeliveries(now: UInt64, retention: UInt64) -> [Delivery] {
        deliveries.filter { delivery in
            delivery.state == .submitted && (delivery.submittedAt.map { now >= $0 && now - $0 > retention } ?? false)
        }
    }

    /// The lowest state over all recipients: what the message as a whole has reached.
    public var deliveryState: DeliveryState? {
        deliveries.map(\.state).min()
    }

    /// The id as hex, for display and commands.
    public var idText: String { id.hexText }
}

/// What one sync did.
public struct SyncSummary: Sendable, Equatable {
    /// Envelopes the outbox handed to the relay.
    public var sent = 0
    /// New case updates or replies stored.
    public var received = 0
    /// Receipts that updated sent messages.
    public var receipts = 0
    /// Envelopes that could not be opened or decrypted (dropped and counted, never silently).
    public var undecryptable = 0
    /// Envelopes the relay deleted unread after its retention time (reported by the relay).
    public var expiredUnread = 0
    /// Envelopes still in the outbox after this sync.
    public var queued = 0
    /// Attachments downloaded (and checked) in this sync.
    public var downloaded = 0
    /// Secure sessions restarted because a message could not be decrypted.
    public var sessionsReset = 0
    /// Sent messages the relay took longer ago than its retention time, still without a receipt.
    public var unconfirmed = 0
    /// Triage changes received from other experts (SPEC.md §16.3).
    public var triageChanges = 0
    /// Other experts' replies to defenders, received as team copies (SPEC.md §16.5).
    public var colleaguesReplies = 0
    /// Pieces of the cases' history received by this device, which joined later (SPEC.md §16.6).
    public var historyItems = 0
    /// The sync stopped at its bound (pages, bytes) or at a relay that did not move on: more may
    /// be waiting for the next one.
    public var moreWaiting = false
    /// Messages that decrypted but that their sender may not send here (a triage change from
    /// someone not on the roster, say): dropped.
    public var notPermitted = 0
}

extension Sequence<UInt8> {
    /// Lower-case hex, for ids shown to people and names of local files and settings.
    var hexText: String { Hex.encode(self) }
}

/// A setting name for something about `identity` (`verified-…`, `reset-…`): a prefix and a short
/// hash, so the name says nothing about whom.
func settingName(_ prefix: String, _ identity: IdentityKey) -> String {
    settingName(prefix, identity.encoded)
}

/// A setting name for something about `bytes` (an identity, a message id): a prefix and a short
/// hash of them.
func settingName(_ prefix: String, _ bytes: [UInt8]) -> String {
    prefix + "-" + (try! BLAKE2b.hash(bytes)).prefix(8).hexText
}
