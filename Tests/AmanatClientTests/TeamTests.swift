// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatTestSupport
import Foundation
import GRDB
import Testing

@testable import AmanatClient

/// Between the experts of one organisation: the team timeline (SPEC.md §16.5) and sessions two
/// experts start to each other at the same moment (SPEC.md §5.4).
@Suite("Account: the experts as a team", .serialized)
struct TeamTests {
    /// Two experts on the roster and one defender, on a live relay; with `edit`, the relay's
    /// database is changed (given Aigerim's and Daniyar's mailbox ids) while it is stopped.
    static func enrolled(
        editingRelay edit: (@Sendable (Database, Data, Data) throws -> Void)? = nil
    ) async throws -> (TestOrganisation, Account, Account, Account) {
        let relay = try LiveRelay()
        try await relay.start()
        let organisation = try TestOrganisation(relay: relay)
        let aigerim = try await organisation.enrolExpert("aigerim")
        let daniyar = try await organisation.enrolExpert("daniyar")
        try await organisation.publishRoster([("Aigerim", aigerim), ("Daniyar", daniyar)], version: 1)
        let defender = try await organisation.enrolDefender("defender")
        if let edit {
            relay.kill()
            let database = try DatabaseQueue(path: relay.directory.appendingPathComponent("relay.sqlite").path)
            let first = try await aigerim.contactCard.mailbox.data
            let second = try await daniyar.contactCard.mailbox.data
            try await database.write { db in try edit(db, first, second) }
            try database.close()
            try await relay.start()
        }
        return (organisation, aigerim, daniyar, defender)
    }

    /// Two experts and one defender on a live relay, the defender's update fetched by both.
    static func organisation() async throws -> (TestOrganisation, Account, Account, Account) {
        let (organisation, aigerim, daniyar, defender) = try await enrolled()
        try await defender.sendCaseUpdate("Обыск в офисе")
        #expect(try await aigerim.sync().received == 1)
        #expect(try await daniyar.sync().received == 1)
        return (organisation, aigerim, daniyar, defender)
    }

    @Test(
        "only a recipient counts its download of an attachment, once: a stranger with the blob id and a repeated confirmation leave it for the other expert",
        .timeLimit(.minutes(8)))
    func downloadConfirmations() async throws {
        let (organisation, aigerim, daniyar, defender) = try await Self.organisation()
        defer { organisation.remove() }
        let file = organisation.directory("протокол.txt")
        try Data("протокол обыска".utf8).write(to: file)
        try await defender.sendCaseUpdate("протокол", attachments: [OutgoingFile(url: file)])
        #expect(try await aigerim.sync().downloaded == 1)
        let attachment = try #require(try await aigerim.messages().last?.attachments.first)
        let blob = try #require(BlobID(attachment.blob))
        // Whoever learns the blob's id (a proxy's log, say) talks to the relay directly.
        let stranger = RelayClient(
            transport: try CurlTransport(configuration: TransportConfiguration(relay: organisation.relay.url)))
        #expect(try await stranger.blobStatus(blob).downloadsLeft == 1)
        for key in [SecureBytes.random(count: 32), SecureBytes.random(count: 32)] {
            await #expect(throws: TransportError.refused(status: 403, code: "bad_confirmation_key")) {
                try await stranger.confirmDownload(blob, key: key)
            }
        }
        // Aigerim's key again (a retried request) counts nothing more.
        let aigerimsKey = try DownloadConfirmation.key(
            fileKey: SecureBytes(copying: Array(attachment.key)), recipient: try await aigerim.ownIdentity())
        try await stranger.confirmDownload(blob, key: aigerimsKey)
        #expect(try await stranger.blobStatus(blob).downloadsLeft == 1)
        // So the blob is still there for Daniyar, and his download deletes it.
        #expect(try await daniyar.sync().downloaded == 1)
        let saved = organisation.directory("saved.txt")
        let received = try #require(try await daniyar.messages().last)
        try await daniyar.saveAttachment(of: received.id, index: 0, to: saved)
        #expect(try Data(contentsOf: saved) == Data("протокол обыска".utf8))
        await #expect(throws: TransportError.refused(status: 404, code: "unknown_blob")) {
            try await stranger.blobStatus(blob)
        }

        // A reply's file expects the defender and the colleague its team copy goes to.
        let reply = try await aigerim.reply(
            to: try await defender.ownIdentity(), text: "получено", attachments: [OutgoingFile(url: file)])
        let replyBlob = try #require(reply.attachments.first.flatMap { BlobID($0.blob) })
        #expect(try await stranger.blobStatus(replyBlob).downloadsLeft == 2)
        #expect(try await defender.sync().downloaded == 1)
        #expect(try await stranger.blobStatus(replyBlob).downloadsLeft == 1)
        #expect(try await daniyar.sync().downloaded == 1)
        await #expect(throws: TransportError.refused(status: 404, code: "unknown_blob")) {
            try await stranger.blobStatus(replyBlob)
        }
    }

    @Test(
        "an expert device without prekeys holds up nobody: the others get the update, the defender keeps receiving, and the device gets it once it publishes",
        .timeLimit(.minutes(8)))
    func unreachableDevice() async throws {
        // Daniyar's directory is empty (a device whose prekeys ran out, or were never published).
        let (organisation, aigerim, daniyar, defender) = try await Self.enrolled { db, _, daniyar in
            try db.execute(sql: "DELETE FROM prekey_heads WHERE mailbox = ?", arguments: [daniyar])
            try db.execute(sql: "DELETE FROM one_time_prekeys WHERE mailbox = ?", arguments: [daniyar])
        }
        defer { organisation.remove() }

        let sent = try await defender.sendCaseUpdate("Обыск у Ивановой")
        #expect(sent.deliveries.map(\.state) == [.submitted, .queued], "\(sent.deliveries.map(\.state))")
        #expect(try await aigerim.sync().received == 1)
        try await aigerim.reply(to: try await defender.ownIdentity(), text: "Едем")
        // The defender's sync is not stopped by the device it cannot reach.
        #expect(try await defender.sync().received == 1)
        #expect(
            try await defender.messages().first { $0.id == sent.id }?.deliveries.map(\.state) == [.delivered, .queued])

        // Daniyar publishes again: the next sync sends him the update, and only him.
        try await daniyar.publishPrekeys(head: true)
        #expect(try await defender.sync().sent >= 1)
        #expect(try await daniyar.sync().received == 1)
        #expect(try await daniyar.messages().first?.text == "Обыск у Ивановой")
        #expect(try await aigerim.sync().received == 0)
        let states = try await defender.messages().first { $0.id == sent.id }?.deliveries.map(\.state)
        #expect(states?.first == .delivered && states?.last != .queued, "\(states ?? [])")
    }

    @Test(
        "the first expert device's mailbox is gone: an update with a file still reaches the second, its file through his mailbox",
        .timeLimit(.minutes(8)))
    func firstDeviceGone() async throws {
        let (organisation, _, daniyar, defender) = try await Self.enrolled { db, aigerim, _ in
            try db.execute(sql: "DELETE FROM mailboxes WHERE id = ?", arguments: [aigerim])
        }
        defer { organisation.remove() }

        let file = organisation.directory("постановление.txt")
        try Data("постановление об аресте".utf8).write(to: file)
        let sent = try await defender.sendCaseUpdate("Постановление", attachments: [OutgoingFile(url: file)])
        #expect(sent.deliveries.map(\.state) == [.queued, .submitted], "\(sent.deliveries.map(\.state))")
        let synced = try await daniyar.sync()
        #expect(synced.received == 1 && synced.downloaded == 1, "\(synced)")
        let received = try #require(try await daniyar.messages().first)
        let saved = organisation.directory("saved.txt")
        try await daniyar.saveAttachment(of: received.id, index: 0, to: saved)
        #expect(try Data(contentsOf: saved) == Data("постановление об аресте".utf8))
        // The defender keeps syncing; Aigerim's delivery waits.
        _ = try await defender.sync()
        #expect(try await defender.messages().first { $0.id == sent.id }?.deliveries.first?.state == .queued)
    }

    @Test(
        "two experts who start sessions to each other at once lose nothing and never reset",
        .timeLimit(.minutes(8)))
    func simultaneousSessions() async throws {
        let (organisation, aigerim, daniyar, defender) = try await Self.organisation()
        defer { organisation.remove() }
        let caseKey = try await defender.ownIdentity().signingKey.rawRepresentation
        // Neither has a session with the other: both start one before either has fetched.
        _ = try await aigerim.changeTriage(of: caseKey, .status(.inProgress))
        _ = try await daniyar.changeTriage(of: caseKey, .priority(.high))
        var summaries: [SyncSummary] = []
        for round in 0..<3 {
            summaries.append(try await daniyar.sync())
            summaries.append(try await aigerim.sync())
            // Both write again before fetching what the other wrote on the session it kept.
            _ = try await aigerim.changeTriage(of: caseKey, .label("a\(round)", present: true))
            _ = try await daniyar.changeTriage(of: caseKey, .label("d\(round)", present: true))
        }
        for _ in 0..<2 {
            summaries.append(try await daniyar.sync())
            summaries.append(try await aigerim.sync())
        }
        #expect(summaries.allSatisfy { $0.undecryptable == 0 && $0.sessionsReset == 0 }, "\(summaries)")
        let expected = try await aigerim.triage(of: caseKey).events
        #expect(expected.count == 8)
        #expect(try await daniyar.triage(of: caseKey).events == expected)
        for expert in [aigerim, daniyar] {
            #expect(try await expert.messages().allSatisfy { $0.kind != .notice })
        }
    }

    @Test(
        "a reply reaches the other expert with its author, its file and its delivery state; copies from a defender or about an expert are dropped",
        .timeLimit(.minutes(8)))
    func teamCopies() async throws {
        let (organisation, aigerim, daniyar, defender) = try await Self.organisation()
        defer { organisation.remove() }
        let defenderIdentity = try await defender.ownIdentity()
        let file = organisation.directory("ходатайство.txt")
        try Data("ходатайство о вызове свидетеля".utf8).write(to: file)
        let reply = try await aigerim.reply(
            to: defenderIdentity, text: "Адвокат позвонит завтра", attachments: [OutgoingFile(url: file)])
        #expect(reply.deliveryState == .submitted)

        let synced = try await daniyar.sync()
        #expect(synced.colleaguesReplies == 1 && synced.received == 0 && synced.downloaded == 1, "\(synced)")
        var copy = try #require(try await daniyar.messages().first { $0.id == reply.id })
        #expect(copy.direction == .outgoing && copy.kind == .reply && copy.text == reply.text)
        let author = Data(try await aigerim.ownIdentity().encoded)
        #expect(copy.authorName == "Aigerim" && copy.author == author)
        #expect(copy.deliveryState == .submitted && copy.sentAt == reply.sentAt)
        #expect(copy.attachments.map(\.state) == [.stored] && copy.attachments.map(\.fileName) == ["ходатайство.txt"])
        let saved = organisation.directory("saved.txt")
        try await daniyar.saveAttachment(of: reply.id, index: 0, to: saved)
        #expect(try Data(contentsOf: saved) == Data("ходатайство о вызове свидетеля".utf8))

        // The defender's delivery receipt reaches both experts; the defender holds one reply.
        #expect(try await defender.sync().received == 1)
        #expect(try await daniyar.sync().receipts == 1)
        copy = try #require(try await daniyar.messages().first { $0.id == reply.id })
        #expect(copy.deliveryState == .delivered)
        #expect(try await aigerim.sync().receipts == 1)
        #expect(try await aigerim.messages().first { $0.id == reply.id }?.deliveryState == .delivered)
        #expect(try await defender.messages().filter { $0.direction == .incoming }.count == 1)
        // Nothing comes twice.
        #expect(try await daniyar.sync().colleaguesReplies == 0)

        // The defender opens the reply: both experts see it read. Opening it again sends nothing.
        try await defender.markRead(reply.id)
        try await defender.markRead(reply.id)
        #expect(try await defender.sync().sent == 2)
        #expect(try await daniyar.sync().receipts == 1)
        #expect(try await daniyar.messages().first { $0.id == reply.id }?.deliveryState == .read)
        #expect(try await aigerim.sync().receipts == 1)
        #expect(try await aigerim.messages().first { $0.id == reply.id }?.deliveryState == .read)
        // An expert opening a case update tells the defender; with read receipts off, a defender
        // tells nobody.
        let update = try #require(try await aigerim.messages().first { $0.kind == .caseUpdate })
        try await aigerim.markRead(update.id)
        #expect(try await aigerim.sync().sent == 1)
        _ = try await defender.sync()
        let own = try #require(try await defender.messages().first { $0.id == update.id })
        let aigerimDevice = Data(try await aigerim.ownIdentity().encoded)
        #expect(own.deliveries.first { $0.device == aigerimDevice }?.state == .read)
        #expect(own.deliveries.first { $0.device != aigerimDevice }?.state == .delivered)
        try await defender.setReadReceipts(false)
        #expect(try await defender.sendsReadReceipts == false)
        let quiet = try await aigerim.reply(to: defenderIdentity, text: "Ещё вопрос")
        _ = try await defender.sync()
        try await defender.markRead(quiet.id)
        #expect(try await defender.queuedCount() == 0)

        // A defender cannot plant a reply in the team timeline, and an expert cannot make a
        // colleague a case.
        let forged = Payload.Body.teamCopy(
            defender: defenderIdentity, inReplyTo: nil, text: "FORGED", attachments: [])
        try await defender.deliver(forged, toRosterName: "Daniyar")
        try await aigerim.deliver(
            .teamCopy(defender: try await aigerim.ownIdentity(), inReplyTo: nil, text: "FORGED", attachments: []),
            toRosterName: "Daniyar")
        // Nor can a defender pass itself off as history (SPEC.md §16.6).
        try await defender.deliver(
            .history(
                .message(
                    HistoryItem.Message(
                        defender: defenderIdentity, id: SecureRandom.bytes(count: 16), sentAt: 1, reply: nil,
                        text: "FORGED", attachments: []))), toRosterName: "Daniyar")
        let hostile = try await daniyar.sync()
        // (The one team copy is Aigerim's second, real reply.)
        #expect(hostile.notPermitted == 3 && hostile.colleaguesReplies == 1 && hostile.historyItems == 0, "\(hostile)")
        #expect(try await daniyar.messages().allSatisfy { $0.text != "FORGED" })
    }
}

extension Account {
    /// Seals `body` to the roster device named `name` and hands it to the relay, past the rules
    /// that keep this device from sending it: what a hostile or broken client could send.
    func deliver(_ body: Payload.Body, toRosterName name: String) async throws {
        guard let route = try rosterRoutes().first(where: { $0.name == name }) else {
            throw AccountError.unknownContact
        }
        let bundles = try await claimBundles(for: [route])
        let keys = try loadKeys()
        let now = clock()
        try store.transaction { db in
            let certificate = try certificate(keys: keys, now: now, in: db)
            var (session, _) = try outgoingSession(to: route, bundles: bundles, keys: keys, now: now, in: db)
            try enqueue(
                Payload(id: SecureRandom.bytes(count: 16), sentAt: now, body: body), session: &session, route: route,
                certificate: certificate, message: nil, in: db)
            try store.saveSession(session, in: db)
        }
        try await flushOutbox()
    }
}
