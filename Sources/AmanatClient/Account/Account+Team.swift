// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

/// The team timeline (SPEC.md §16.5): a reply one expert sends a defender is copied, end to end
/// encrypted, to every other expert device on the roster, and the defender's receipts for it go
/// to all of them, so every expert sees who answered what and how far it got.
extension Account {
    static let teamCopyPrefix = "team"

    // MARK: - Sending

    /// Marks this device's reply `id` for its team copies, in the transaction that commits it.
    func markTeamCopyPending(_ id: Data, in db: Database) throws {
        try store.setSetting(settingName(Self.teamCopyPrefix, Array(id)), Array(id), in: db)
    }

    /// Puts a team copy of every reply marked for one into the outbox, one envelope per other
    /// expert device, after the reply's own envelopes (the outbox goes out in order, so a
    /// colleague who has the copy knows the relay had the reply). Each reply's copies and the end
    /// of its mark are one commit. Returns how many replies.
    func sendPendingTeamCopies() async throws(AccountError) -> Int {
        let pending: [(name: String, id: Data)] = try perform { db in
            try String.fetchAll(
                db, sql: "SELECT name FROM settings WHERE name LIKE ?", arguments: [Self.teamCopyPrefix + "-%"]
            ).compactMap { name in try store.setting(name, in: db).map { (name, Data($0)) } }
        }
        guard !pending.isEmpty else { return 0 }
        let keys = try loadKeys()
        let routes = try rosterRoutes()
        let bundles = try await claimBundles(for: routes)
        let now = clock()
        try store.transaction { db in
            let certificate = try self.certificate(keys: keys, now: now, in: db)
            for (name, id) in pending {
                defer { _ = try? db.execute(sql: "DELETE FROM settings WHERE name = ?", arguments: [name]) }
                guard let message = try store.message(id: id, in: db), message.kind == .reply, !message.isColleagues,
                    let device = message.deliveries.first?.device,
                    let defender = try? IdentityKey(decoding: Array(device))
                else { continue }
                let copy = Payload(
                    id: Array(id), sentAt: message.sentAt,
                    body: .teamCopy(
                        defender: defender, inReplyTo: message.inReplyTo.map(Array.init), text: message.text,
                        attachments: try message.attachments.map { try $0.pointer }))
                for route in routes {
                    var (session, _) = try outgoingSession(to: route, bundles: bundles, keys: keys, now: now, in: db)
                    try enqueue(copy, session: &session, route: route, certificate: certificate, message: nil, in: db)
                    try store.saveSession(session, in: db)
                }
            }
        }
        return pending.count
    }

    /// On a defender's device: sends `payload` (a receipt for a reply) also to every expert
    /// device on the roster other than `author` that it already has a session with. An expert
    /// it has never written to gets nothing (there is no session to send on, and a prekey claim
    /// cannot happen inside this commit); it learns the state from the next receipt.
    func sendToColleagues(
        of author: IdentityKey, _ payload: Payload, keys: DeviceKeys, certificate: SenderCertificate, in db: Database
    ) throws {
        for entry in try rosterEntries(in: db) {
            let route = Route(entry)
            guard route.device.identity != author, route.device.identity != keys.identity.publicKey,
                var session = try store.session(with: route.device.identity, in: db)
            else { continue }
            try enqueue(payload, session: &session, route: route, certificate: certificate, message: nil, in: db)
            try store.saveSession(session, in: db)
        }
    }

    // MARK: - Receiving

    /// Stores a colleague's reply to a defender as part of that defender's case: an outgoing
    /// reply whose author is the colleague, already on the relay (the copy is sent after the
    /// reply), its attachments to download like incoming ones. Only an expert device on the
    /// roster may send one, only to another expert device, and never about an expert.
    func receiveTeamCopy(
        _ payload: Payload, defender: IdentityKey, inReplyTo: [UInt8]?, text: String,
        pointers: [AttachmentPointer], from sender: IdentityKey, state: AccountState, now: UInt64, in db: Database
    ) throws -> Outcome {
        let roster = try rosterEntries(in: db)
        guard state.role == .expert,
            let author = roster.first(where: { $0.card.devices[0].identity == sender }),
            !roster.contains(where: { $0.card.devices[0].identity == defender })
        else { return .notPermitted }
        let message = Message(
            id: Data(payload.id), direction: .outgoing, kind: .reply, sender: nil, senderName: nil, text: text,
            inReplyTo: inReplyTo.map { Data($0) }, sentAt: payload.sentAt, storedAt: now, isRead: true,
            deliveries: [
                Message.Delivery(
                    device: Data(defender.encoded), name: CaseID(defender: defender).short, state: .submitted,
                    submittedAt: nil, receiptSignature: nil)
            ],
            attachments: pointers.map(Message.Attachment.init(pending:)), author: Data(sender.encoded),
            authorName: author.name)
        return try store.insertMessage(message, in: db) ? .teamCopy : .duplicate
    }
}
