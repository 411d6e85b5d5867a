// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

/// History for an expert device that joins later (SPEC.md §16.6): the administrator's device,
/// which adds it to the roster, sends it every case it held at that moment (cards, case updates,
/// replies, triage events, and the files it has, uploaded again for it), in bounded rounds, one
/// item per envelope, resuming from a cursor committed with each round's envelopes.
extension Account {
    static let historyPrefix = "history"
    /// The most items one sync puts in the outbox for one device.
    static let historyItemsPerRound = 100
    /// The most attachment bytes one sync uploads for one device (at least one file goes).
    static let historyFileBytesPerRound: UInt64 = 64 << 20
    /// The most attachment bytes a whole transfer uploads; files past it are listed, not sent.
    static let maximumHistoryFileBytes: UInt64 = 2 << 30

    /// Where a transfer to one device stands: what it covers (everything stored when the device
    /// joined) and what is sent.
    struct HistoryCursor: Codable, Sendable {
        /// The device's `IdentityKey`.
        var device: Data
        /// Defenders whose cards are still to send.
        var contacts: [Data]
        var messagesUpTo: Int64
        var afterMessage: Int64
        var triageUpTo: Int64
        var afterTriage: Int64
        /// Attachment bytes uploaded so far.
        var fileBytes: UInt64

        var isDone: Bool { contacts.isEmpty && afterMessage >= messagesUpTo && afterTriage >= triageUpTo }
    }

    // MARK: - Sending

    /// Starts a transfer to `device`, covering what this device holds now.
    func startHistory(for device: IdentityKey, in db: Database) throws {
        let contacts = try store.contacts(in: db).map(\.identity).sorted { $0.lexicographicallyPrecedes($1) }
        let cursor = HistoryCursor(
            device: Data(device.encoded), contacts: contacts,
            messagesUpTo: try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM messages") ?? 0, afterMessage: 0,
            triageUpTo: try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM triage") ?? 0, afterTriage: 0,
            fileBytes: 0)
        try store.setSetting(
            settingName(Self.historyPrefix, device.encoded), Array(try JSONEncoder().encode(cursor)), in: db)
    }

    /// Sends one round of every transfer under way; returns how many items went into the outbox.
    func sendPendingHistory() async throws(AccountError) -> Int {
        let transfers: [(name: String, cursor: HistoryCursor)] = try perform { db in
            try String.fetchAll(
                db, sql: "SELECT name FROM settings WHERE name LIKE ?", arguments: [Self.historyPrefix + "-%"]
            ).compactMap { name in
                try store.setting(name, in: db).flatMap {
                    try? JSONDecoder().decode(HistoryCursor.self, from: Data($0))
                }
                .map { (name, $0) }
            }
        }
        var sent = 0
        for (name, cursor) in transfers {
            sent += try await sendHistoryRound(name: name, cursor: cursor)
        }
        return sent
    }

    private func sendHistoryRound(name: String, cursor: HistoryCursor) async throws(AccountError) -> Int {
        guard let device = try? IdentityKey(decoding: Array(cursor.device)),
            let route = try rosterRoutes().first(where: { $0.device.identity == device })
        else {
            // The device left the roster: nothing more goes to it.
            try store.transaction { db in try db.execute(sql: "DELETE FROM settings WHERE name = ?", arguments: [name])
            }
            return 0
        }
        var next = cursor
        var items: [HistoryItem] = []
        let limit = Self.historyItemsPerRound
        let contacts = try perform { db in try store.contacts(in: db) }
        while items.count < limit, let identity = next.contacts.first {
            next.contacts.removeFirst()
            guard let record = contacts.first(where: { $0.identity == identity }),
                let card = try? ContactCard(decoding: Array(record.card)),
                let defender = try? IdentityKey(decoding: Array(identity))
            else { continue }
            items.append(.contact(defender: defender, card: card))
        }
        var uploaded: UInt64 = 0
        if items.count < limit, next.afterMessage < next.messagesUpTo {
            let wanted = limit - items.count
            let page = try perform { db in
                try store.messages(after: next.afterMessage, upTo: next.messagesUpTo, limit: wanted, in: db)
            }
            var stoppedEarly = false
            for (seq, message) in page {
                if uploaded >= Self.historyFileBytesPerRound {
                    // The round's files are up: the rest of the page waits for the next round.
                    stoppedEarly = true
                    break
                }
                if let item = try await historyItem(message, for: route, uploaded: &uploaded, cursor: &next) {
                    items.append(.message(item))
                }
                next.afterMessage = seq
            }
            if page.count < wanted && !stoppedEarly { next.afterMessage = next.messagesUpTo }
        }
        if items.count < limit, next.afterMessage >= next.messagesUpTo, next.afterTriage < next.triageUpTo {
            let wanted = limit - items.count
            let page = try perform { db in
                try Row.fetchAll(
                    db, sql: "SELECT seq, row, event FROM triage WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                    arguments: [next.afterTriage, next.triageUpTo, wanted]
                ).map { row -> (Int64, TriageEvent) in (row["seq"], try openTriage(row)) }
            }
            for (seq, event) in page {
                items.append(.triage(event))
                next.afterTriage = seq
            }
            if page.count < wanted { next.afterTriage = next.triageUpTo }
        }
        let bundles = try await claimBundles(for: [route])
        let keys = try loadKeys()
        let now = clock()
        let finished = next
        try store.transaction { db in
            if !items.isEmpty {
                let certificate = try certificate(keys: keys, now: now, in: db)
                var (session, _) = try outgoingSession(to: route, bundles: bundles, keys: keys, now: now, in: db)
                for item in items {
                    let payload = Payload(id: SecureRandom.bytes(count: 16), sentAt: now, body: .history(item))
                    // An item too large for one message (a long text with many files) is left out.
                    guard let encoded = try? payload.encoded(),
                        encoded.count <= ProtocolLimits.maximumPlaintextByteCount
                    else { continue }
                    try enqueue(
                        payload, session: &session, route: route, certificate: certificate, message: nil, in: db)
                }
                try store.saveSession(session, in: db)
            }
            if finished.isDone {
                try db.execute(sql: "DELETE FROM settings WHERE name = ?", arguments: [name])
            } else {
                try store.setSetting(name, Array(try JSONEncoder().encode(finished)), in: db)
            }
        }
        return items.count
    }

    /// A stored case update or reply as history, its stored files uploaded again for `route`'s
    /// device; nil for what history does not carry (notices).
    private func historyItem(
        _ message: Message, for route: Route, uploaded: inout UInt64, cursor: inout HistoryCursor
    ) async throws(AccountError) -> HistoryItem.Message? {
        let defenderKey: Data?
        var reply: (author: IdentityKey, inReplyTo: [UInt8]?, delivery: HistoryItem.Message.Delivery)?
        switch (message.kind, message.direction) {
        case (.caseUpdate, .incoming):
            defenderKey = message.sender
        case (.reply, .outgoing):
            defenderKey = message.deliveries.first?.device
            var author = try ownIdentity()
            if let colleague = message.author.flatMap({ try? IdentityKey(decoding: Array($0)) }) { author = colleague }
            reply = (
                author, message.inReplyTo.map(Array.init),
                HistoryItem.Message.Delivery(message.deliveryState ?? .queued)
            )
        default:
            return nil
        }
        guard let defenderKey, let defender = try? IdentityKey(decoding: Array(defenderKey)) else { return nil }
        var pointers: [AttachmentPointer] = []
        for attachment in message.attachments where attachment.state == .stored {
            guard let file = attachment.localFile,
                cursor.fileBytes + attachment.encryptedSize <= Self.maximumHistoryFileBytes
            else { continue }
            let created: CreatedBlob
            do {
                created = try await api.createBlob(
                    mailbox: route.mailbox, depositKey: route.depositKey, size: attachment.encryptedSize,
                    confirmations: try Self.confirmations(of: attachment.key, for: [route.device.identity]))
            } catch {
                throw .transport(error)
            }
            // The stored file is the encrypted stream itself (SPEC.md §9.4): it goes up as it is.
            let digest = try await upload(
                Draft.File(
                    localFile: file, key: attachment.key, size: attachment.size,
                    encryptedSize: attachment.encryptedSize, fileName: attachment.fileName,
                    mimeType: attachment.mimeType, blob: created.blob.data,
                    uploadKey: Data(created.uploadKey.withUnsafeBytes { Array($0) })))
            guard ConstantTime.equals(digest, Array(attachment.digest)) else { continue }
            cursor.fileBytes += attachment.encryptedSize
            uploaded += attachment.encryptedSize
            pointers.append(
                AttachmentPointer(
                    blobId: created.blob, key: SecureBytes(copying: Array(attachment.key)), size: attachment.size,
                    encryptedSize: attachment.encryptedSize, digest: digest, fileName: attachment.fileName,
                    mimeType: attachment.mimeType))
        }
        return HistoryItem.Message(
            defender: defender, id: Array(message.id), sentAt: message.sentAt, reply: reply, text: message.text,
            attachments: pointers)
    }

    // MARK: - Receiving

    /// Stores a history item from an expert device on the roster, on an expert device: a case's
    /// card (unless this device has one already), a case update (read: it is history), a reply
    /// with its author and delivery state, a triage event whose signature verifies. Each is
    /// stored once, whoever sends it again; nothing is receipted.
    func receiveHistory(
        _ item: HistoryItem, from sender: IdentityKey, state: AccountState, keys: DeviceKeys, now: UInt64,
        in db: Database
    ) throws -> Outcome {
        let roster = try rosterEntries(in: db)
        guard state.role == .expert, roster.contains(where: { $0.card.devices[0].identity == sender }) else {
            return .notPermitted
        }
        func isExpert(_ identity: IdentityKey) -> Bool { roster.contains { $0.card.devices[0].identity == identity } }
        switch item {
        case .contact(let defender, let card):
            guard !isExpert(defender), (try? card.verify(now: 0)) != nil else { return .notPermitted }
            if try store.contact(defender, in: db) == nil, let encoded = try? card.encoded {
                try store.saveContact(ContactRecord(identity: Data(defender.encoded), card: Data(encoded)), in: db)
            }
        case .message(let item):
            guard !isExpert(item.defender) else { return .notPermitted }
            let caseName = CaseID(defender: item.defender).short
            let message: Message
            if let reply = item.reply {
                let state = Message.DeliveryState(reply.delivery)
                let own = reply.author == keys.identity.publicKey
                let name = roster.first { $0.card.devices[0].identity == reply.author }?.name
                message = Message(
                    id: Data(item.id), direction: .outgoing, kind: .reply, sender: nil, senderName: nil,
                    text: item.text, inReplyTo: reply.inReplyTo.map { Data($0) }, sentAt: item.sentAt, storedAt: now,
                    isRead: true,
                    deliveries: [
                        Message.Delivery(
                            device: Data(item.defender.encoded), name: caseName, state: state, submittedAt: nil,
                            receiptSignature: nil)
                    ], attachments: item.attachments.map(Message.Attachment.init(pending:)),
                    author: own ? nil : Data(reply.author.encoded),
                    authorName: own ? nil : name ?? Hex.encode(reply.author.signingKey.rawRepresentation.prefix(4)))
            } else {
                message = Message(
                    id: Data(item.id), direction: .incoming, kind: .caseUpdate, sender: Data(item.defender.encoded),
                    senderName: caseName, text: item.text, inReplyTo: nil, sentAt: item.sentAt, storedAt: now,
                    isRead: true, deliveries: [], attachments: item.attachments.map(Message.Attachment.init(pending:)))
            }
            try store.insertMessage(message, in: db)
        case .triage(let event):
            guard (try? event.verify()) != nil else { return .notPermitted }
            try storeTriage(event, pending: false, in: db)
        }
        return .history
    }
}

extension ProfileStore {
    /// Messages with `after < seq ≤ upTo`, in order, at most `limit`.
    func messages(after: Int64, upTo: Int64, limit: Int, in db: Database) throws -> [(Int64, Message)] {
        try Row.fetchAll(
            db, sql: "SELECT seq, row, record FROM messages WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
            arguments: [after, upTo, limit]
        ).map { row in (row["seq"], try openMessage(row)) }
    }
}

/// The delivery states history carries (SPEC.md §16.6) and the client's own, one to one.
private let deliveryStates: [(Message.DeliveryState, HistoryItem.Message.Delivery)] = [
    (.queued, .queued), (.submitted, .submitted), (.delivered, .delivered), (.read, .read),
]

extension HistoryItem.Message.Delivery {
    init(_ state: Message.DeliveryState) {
        self = deliveryStates.first { $0.0 == state }?.1 ?? .queued
    }
}

extension Message.DeliveryState {
    init(_ delivery: HistoryItem.Message.Delivery) {
        self = deliveryStates.first { $0.1 == delivery }?.0 ?? .queued
    }
}
