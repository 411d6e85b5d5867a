// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatRelay
import AmanatTestSupport
import Foundation
import Testing

@testable import AmanatClient

@Suite("Account: enrolment, roster, messages over a real relay", .serialized)
struct AccountTests {
    @Test(
        "a defender and an expert exchange a case update and a reply, with end-to-end receipts", .timeLimit(.minutes(2))
    )
    func exchange() async throws {
        let (organisation, expert) = try await TestOrganisation.started(expertName: "Expert Айгерим")
        defer { organisation.remove() }
        let relay = organisation.relay
        let defender = try await organisation.enrolDefender("defender")
        let roster = try await defender.roster()
        #expect(roster.map(\.name) == ["Expert Айгерим"])
        #expect(roster.first?.identity == (try await expert.identityKey))
        #expect(roster.first?.safetyNumber.digits.count == 60)

        let marker = "CASE-MARKER-\(UUID().uuidString)"
        let sent = try await defender.sendCaseUpdate("Court hearing moved. \(marker)")
        #expect(sent.deliveryState == .submitted)
        #expect(try await defender.queuedCount() == 0)
        #expect(sent.deliveries.allSatisfy { $0.receiptSignature?.count == 64 })
        // Signed with the other deposits of its moment (SPEC.md §8.4.1); the proof is kept with it.
        #expect(sent.deliveries.allSatisfy { $0.receiptProof?.count == DepositReceipt.Proof.byteCount })

        let expertSync = try await expert.sync()
        #expect(expertSync.received == 1 && expertSync.undecryptable == 0)
        let received = try #require(try await expert.messages().first)
        #expect(received.text.hasSuffix(marker) && received.direction == .incoming && received.kind == .caseUpdate)
        #expect(received.id == sent.id)
        let contacts = try await expert.contacts()
        #expect(contacts.map(\.identity) == [try await defender.identityKey])

        let replyMarker = "REPLY-MARKER-\(UUID().uuidString)"
        _ = try await expert.reply(
            to: contacts[0].identity, text: "We will call you. \(replyMarker)", inReplyTo: sent.id)
        let defenderSync = try await defender.sync()
        #expect(defenderSync.received == 1 && defenderSync.receipts == 1)
        let messages = try await defender.messages()
        #expect(messages.count == 2)
        #expect(messages.first?.deliveryState == .delivered)
        let reply = try #require(messages.last)
        #expect(reply.text.hasSuffix(replyMarker) && reply.senderName == "Expert Айгерим" && reply.inReplyTo == sent.id)

        // The expert learns its reply arrived; nothing is received twice.
        let second = try await expert.sync()
        #expect(second.receipts == 1 && second.received == 0)
        #expect(try await expert.messages().last?.deliveryState == .delivered)
        #expect(try await defender.sync().received == 0)

        // Neither profile's files hold the texts, the expert's name or the keys.
        for name in ["defender", "expert"] {
            for (url, data) in filesBelow(organisation.directory(name)) {
                for needle in [marker, replyMarker, "Айгерим"] {
                    #expect(data.range(of: Data(needle.utf8)) == nil, "\(needle) in \(url.lastPathComponent)")
                }
                #expect(data.range(of: Data(organisation.rosterKey.withUnsafeBytes { Array($0) })) == nil)
            }
        }

        // The relay going away: a typed error, and the store as it was.
        let before = try await defender.messages()
        relay.kill()
        await #expect(throws: AccountError.transport(.unreachable)) { try await defender.sync() }
        #expect(try await defender.messages() == before)

        // Wipe leaves nothing of the profile on disk.
        let directory = organisation.directory("defender")
        ProfileStore.wipe(at: directory)
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }

    @Test("one case update reaches every expert device on a three-expert roster", .timeLimit(.minutes(2)))
    func fanOut() async throws {
        let relay = try LiveRelay()
        try await relay.start()
        let organisation = try TestOrganisation(relay: relay)
        defer { organisation.remove() }
        var experts: [(String, Account)] = []
        for index in 1...3 {
            experts.append(("Expert \(index)", try await organisation.enrolExpert("expert-\(index)")))
        }
        try await organisation.publishRoster(experts, version: 1)
        let defender = try await organisation.enrolDefender("defender")
        let sent = try await defender.sendCaseUpdate("to everyone")
        #expect(sent.deliveries.map(\.name) == ["Expert 1", "Expert 2", "Expert 3"])
        #expect(sent.deliveryState == .submitted)
        for (_, expert) in experts {
            #expect(try await expert.sync().received == 1)
            #expect(try await expert.messages().map(\.text) == ["to everyone"])
        }
        _ = try await defender.sync()
        #expect(try await defender.messages().first?.deliveryState == .delivered)
    }

    @Test(
        "expired or forged invites, a tampered or older roster: typed errors, nothing changed", .timeLimit(.minutes(2)))
    func refusals() async throws {
        let relay = try LiveRelay()
        try await relay.start()
        let organisation = try TestOrganisation(relay: relay)
        defer { organisation.remove() }
        let passphrase = SecureBytes(copying: Array("p".utf8))
        let expired = try organisation.invite(expiresIn: 0)
        await #expect(throws: AccountError.inviteExpired) {
            try await Account.enrol(
                invite: expired, at: organisation.directory("late"), passphrase: passphrase, cost: TestOrganisation.cost
            )
        }
        let stranger = Ed25519.PrivateKey()
        let forged = try Invite(
            relay: relay.url, pin: nil, rosterKey: organisation.rosterKey,
            voucher: Voucher(id: .random(), expiresAt: organisation.now + 60, signedBy: stranger),
            signedBy: relay.root)
        await #expect(throws: AccountError.invalidInvite) {
            try await Account.enrol(
                invite: forged, at: organisation.directory("forged"), passphrase: passphrase,
                cost: TestOrganisation.cost)
        }
        #expect(!FileManager.default.fileExists(atPath: organisation.directory("late").path))
        #expect(!FileManager.default.fileExists(atPath: organisation.directory("forged").path))
        // A relay that cannot be reached: nothing is written either.
        let nowhere = try Invite(
            relay: "http://127.0.0.1:\(try freeLoopbackPort())", pin: nil, rosterKey: organisation.rosterKey,
            voucher: Voucher(id: .random(), expiresAt: organisation.now + 60, signedBy: relay.root),
            signedBy: relay.root)
        await #expect(throws: AccountError.transport(.unreachable)) {
            try await Account.enrol(
                invite: nowhere, at: organisation.directory("nowhere"), passphrase: passphrase,
                cost: TestOrganisation.cost)
        }
        #expect(!FileManager.default.fileExists(atPath: organisation.directory("nowhere").path))

        let expert = try await organisation.enrolExpert("expert")
        try await organisation.publishRoster([("A", expert)], version: 5)
        let defender = try await organisation.enrolDefender("defender")
        #expect(try await defender.roster().map(\.name) == ["A"])
        // Signed by someone else, or sealed under another key, or older: refused, roster kept.
        var entropy = SystemEntropy()
        let card = try await expert.contactCard
        let content = try RosterContent(entries: [
            .init(
                name: "Mallory", card: card,
                certificate: SenderCertificate(
                    for: try await expert.identityKey, expiresAt: organisation.now + 3600,
                    signedByOrganisation: relay.root))
        ])
        let foreign = try SignedRoster(
            version: 9, content: try content.sealed(version: 9, rosterKey: organisation.rosterKey, entropy: &entropy),
            signedBy: stranger)
        await #expect(throws: AccountError.rosterInvalid) { try await defender.acceptRoster(foreign.encoded) }
        let wrongKey = try SignedRoster(
            version: 9,
            content: try content.sealed(version: 9, rosterKey: SecureBytes.random(count: 32), entropy: &entropy),
            signedBy: relay.root)
        await #expect(throws: AccountError.rosterInvalid) { try await defender.acceptRoster(wrongKey.encoded) }
        var flipped = try SignedRoster(
            version: 9, content: try content.sealed(version: 9, rosterKey: organisation.rosterKey, entropy: &entropy),
            signedBy: relay.root
        ).encoded
        flipped[20] ^= 1
        await #expect(throws: AccountError.rosterInvalid) { try await defender.acceptRoster(flipped) }
        let older = try SignedRoster(
            version: 4, content: try content.sealed(version: 4, rosterKey: organisation.rosterKey, entropy: &entropy),
            signedBy: relay.root)
        await #expect(throws: AccountError.rosterRollback) { try await defender.acceptRoster(older.encoded) }
        #expect(try await defender.roster().map(\.name) == ["A"])
        // The same version again, even with other entries, is "no change" (SPEC.md §16.2): no
        // error, the roster held stays; a plain sync re-fetches the current one the same way.
        let same = try SignedRoster(
            version: 5, content: try content.sealed(version: 5, rosterKey: organisation.rosterKey, entropy: &entropy),
            signedBy: relay.root)
        try await defender.acceptRoster(same.encoded)
        #expect(try await defender.roster().map(\.name) == ["A"])
        _ = try await defender.sync()
        #expect(try await defender.roster().map(\.name) == ["A"])
        // A newer roster whose entry's certificate has expired is still taken: the entry's device
        // becomes unreachable, the roster does not become invalid for every device.
        let lapsed = try RosterContent(entries: [
            .init(
                name: "A", card: card,
                certificate: SenderCertificate(
                    for: try await expert.identityKey, expiresAt: organisation.now - 60,
                    signedByOrganisation: relay.root))
        ])
        let renewed = try SignedRoster(
            version: 6, content: try lapsed.sealed(version: 6, rosterKey: organisation.rosterKey, entropy: &entropy),
            signedBy: relay.root)
        try await defender.acceptRoster(renewed.encoded)
        #expect(try await defender.loadState()?.rosterVersion == 6)
        #expect(try await defender.roster().map(\.name) == ["A"])

        // The wrong passphrase opens nothing and changes nothing; the right one still works.
        let before = filesBelow(organisation.directory("defender")).map(\.1)
        #expect(throws: AccountError.store(.wrongPassphrase)) {
            try Account.open(at: organisation.directory("defender"), passphrase: passphrase)
        }
        #expect(filesBelow(organisation.directory("defender")).map(\.1) == before)
        let reopened = try Account.open(
            at: organisation.directory("defender"), passphrase: SecureBytes(copying: Array("pass defender".utf8)))
        #expect(try await reopened.roster().map(\.name) == ["A"])
    }

    @Test(
        "over TLS with the invite's pin and through a SOCKS5 proxy the exchange works; a wrong pin enrols nothing",
        .timeLimit(.minutes(2)))
    func tlsAndProxy() async throws {
        let relay = try LiveRelay()
        let (certificate, key) = try makeSelfSignedCertificate(in: relay.directory)
        let pin = try Invite.pin(fromText: try RelayTLS(certificatePath: certificate, keyPath: key).pin)
        try await relay.start(tls: (certificate, key))
        let proxy = try await SocksProxy()
        defer { proxy.stop() }

        var organisation = try TestOrganisation(relay: relay)
        defer { organisation.remove() }
        organisation.url = "https://127.0.0.1:\(relay.port)"
        organisation.proxy = proxy.url
        organisation.pin = SecureRandom.bytes(count: 32)
        await #expect(throws: AccountError.transport(.pinMismatch)) { try await organisation.enrolDefender("early") }
        #expect(!FileManager.default.fileExists(atPath: organisation.directory("early").path))
        organisation.pin = pin
        let expert = try await organisation.enrolExpert("expert")
        try await organisation.publishRoster([("Expert", expert)], version: 1)
        let defender = try await organisation.enrolDefender("defender")
        try await defender.sendCaseUpdate("through Tor, one day")
        #expect(try await expert.sync().received == 1)
        _ = try await expert.reply(to: try await defender.identityKey, text: "received")
        #expect(try await defender.sync().received == 1)
        // Without the proxy the same profile still works when told so; a dead proxy is a proxy failure.
        let reopened = try Account.open(
            at: organisation.directory("defender"), passphrase: SecureBytes(copying: Array("pass defender".utf8)),
            proxy: "socks5h://127.0.0.1:\(try freeLoopbackPort())")
        await #expect(throws: AccountError.transport(.proxyFailure)) { try await reopened.sync() }
    }

    @Test(
        "no reset ping-pong: what the peer sealed before it heard of a new session never starts another reset; once it answers, a new failure does",
        .timeLimit(.minutes(2)))
    func noResetPingPong() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let defender = try await organisation.enrolDefender("defender")
        let defenderIdentity = try await defender.identityKey
        try await defender.sendCaseUpdate("один")
        #expect(try await expert.sync().received == 1)
        try await expert.reply(to: defenderIdentity, text: "ответ")
        #expect(try await defender.sync().received == 1)

        // The expert's device loses its sessions; the defender writes before and after the
        // expert's reset, on the old session both times.
        try await expert.store.database.write { db in try db.execute(sql: "DELETE FROM sessions") }
        try await defender.sendCaseUpdate("два")
        var synced = try await expert.sync()
        #expect(synced.undecryptable == 2 && synced.sessionsReset == 1, "\(synced)")
        try await defender.sendCaseUpdate("три")
        synced = try await expert.sync()
        #expect(synced.undecryptable == 1 && synced.sessionsReset == 0, "\(synced)")

        // The defender hears of the one new session and writes on it.
        let told = try await defender.sync()
        #expect(told.undecryptable == 0 && told.sessionsReset == 0, "\(told)")
        #expect(try await defender.messages().filter { $0.text == Message.Notice.sessionReset.rawValue }.count == 1)
        try await defender.sendCaseUpdate("четыре")
        synced = try await expert.sync()
        #expect(synced.received == 1 && synced.undecryptable == 0, "\(synced)")
        #expect(try await expert.messages().last?.text == "четыре")

        // The new session has been answered: a session lost again is reset again.
        try await expert.store.database.write { db in try db.execute(sql: "DELETE FROM sessions") }
        try await defender.sendCaseUpdate("пять")
        synced = try await expert.sync()
        #expect(synced.undecryptable >= 1 && synced.sessionsReset == 1, "\(synced)")
    }

    @Test(
        "a reset answering a session this device started is taken, whichever identity is lower: no silent deadlock",
        .timeLimit(.minutes(2)))
    func resetOfOwnNewSession() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        // The case the tie-break of sessions started at once would get wrong: the defender's
        // identity is the lower one, so it would keep its own session over the expert's reset.
        let expertKey = try await expert.identityKey.keyBytes
        // A defender key below the expert's: with n candidates none is found with probability
        // 1/(n + 1) over the expert's random key (24 failed 4 % of runs; 99 fail 1 %).
        var found: Account?
        for index in 0..<99 where found == nil {
            let candidate = try await organisation.enrolDefender("defender-\(index)")
            if try await candidate.identityKey.keyBytes.lexicographicallyPrecedes(expertKey) { found = candidate }
        }
        let defender = try #require(found)
        try await defender.sendCaseUpdate("один")
        #expect(try await expert.sync().received == 1)
        try await expert.reply(to: try await defender.identityKey, text: "ответ")
        #expect(try await defender.sync().received == 1)

        // Both lose their sessions, and the expert its one-time prekeys too (an old backup): the
        // defender starts a new session the expert cannot open, and the expert resets it.
        try await defender.store.database.write { db in try db.execute(sql: "DELETE FROM sessions") }
        try await expert.store.database.write { db in
            try db.execute(sql: "DELETE FROM sessions")
            try db.execute(sql: "DELETE FROM prekeys WHERE pool IN (3, 4)")
        }
        try await defender.sendCaseUpdate("два")
        var synced = try await expert.sync()
        #expect(synced.undecryptable >= 1 && synced.sessionsReset == 1, "\(synced)")
        // The defender takes the expert's session, though its own still waits for an answer.
        _ = try await defender.sync()
        try await defender.sendCaseUpdate("три")
        synced = try await expert.sync()
        #expect(synced.received == 1 && synced.undecryptable == 0, "\(synced)")
        #expect(try await expert.messages().last?.text == "три")
        try await expert.reply(to: try await defender.identityKey, text: "получено")
        #expect(try await defender.sync().received == 1)
    }

    @Test(
        "an old initial message that comes again after its session was replaced never starts that session anew, nor a reset",
        .timeLimit(.minutes(2)))
    func replayedHandshake() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let defender = try await organisation.enrolDefender("defender")
        let defenderIdentity = try await defender.identityKey
        try await defender.sendCaseUpdate("один")
        // What the relay holds for the expert now: the defender's card and update, as initial
        // messages of their first session. A hostile relay keeps a copy.
        let keys = try await expert.loadKeys()
        let kept = try await expert.api.fetch(keys.mailbox, after: 0, limit: 100).envelopes
        #expect(kept.count == 2)
        #expect(try await expert.sync().received == 1)
        try await expert.reply(to: defenderIdentity, text: "ответ")
        #expect(try await defender.sync().received == 1)
        // The expert loses the session; the reset replaces it, and the defender answers on the new one.
        try await expert.store.database.write { db in try db.execute(sql: "DELETE FROM sessions") }
        try await defender.sendCaseUpdate("два")
        #expect(try await expert.sync().sessionsReset == 1)
        _ = try await defender.sync()
        try await defender.sendCaseUpdate("три")
        #expect(try await expert.sync().received == 1)

        // Months later (the record of processed envelopes gone), the relay hands the first
        // session's messages over again.
        try await expert.store.database.write { db in try db.execute(sql: "DELETE FROM processed") }
        let state = try #require(try await expert.loadState())
        let relayKey = try Ed25519.PublicKey(rawRepresentation: Array(state.relayKey))
        for envelope in kept {
            _ = try await expert.api.deposit(
                envelope.envelope, mailbox: keys.mailbox.id, depositKey: keys.mailbox.depositKey, relayKey: relayKey)
        }
        let replayed = try await expert.sync()
        #expect(replayed.received == 0 && replayed.sessionsReset == 0, "\(replayed)")
        // The current session is untouched: the next update opens on it, and nobody resets.
        try await defender.sendCaseUpdate("четыре")
        let after = try await expert.sync()
        #expect(after.received == 1 && after.undecryptable == 0, "\(after)")
        #expect(try await expert.messages().last?.text == "четыре")
        #expect(try await defender.sync().sessionsReset == 0)
    }

    @Test(
        "a session lost on one side is noticed, shown to both users, and replaced by a new one",
        .timeLimit(.minutes(2)))
    func sessionReset() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let defender = try await organisation.enrolDefender("defender")
        let defenderIdentity = try await defender.identityKey
        try await defender.sendCaseUpdate("one")
        #expect(try await expert.sync().received == 1)
        try await expert.reply(to: defenderIdentity, text: "r1")
        #expect(try await defender.sync().received == 1)

        // The expert's device loses its session (restored from an old backup, say).
        try await expert.store.database.write { db in try db.execute(sql: "DELETE FROM sessions") }
        try await defender.sendCaseUpdate("two")
        let noticed = try await expert.sync()
        // Two envelopes fail: the defender's receipt for "r1" and "two"; one reset follows.
        #expect(noticed.received == 0 && noticed.undecryptable == 2 && noticed.sessionsReset == 1, "\(noticed)")
        let notice = try #require(try await expert.messages().last)
        #expect(notice.kind == .notice && notice.text == Message.Notice.undecryptable.rawValue)
        #expect(notice.sender == Data(defenderIdentity.encoded))

        let told = try await defender.sync()
        #expect(told.undecryptable == 0)
        #expect(try await defender.messages().last?.text == Message.Notice.sessionReset.rawValue)
        try await defender.sendCaseUpdate("three")
        #expect(try await expert.sync().received == 1)
        #expect(try await expert.messages().last?.text == "three")
        try await expert.reply(to: defenderIdentity, text: "r2")
        #expect(try await defender.sync().received == 1)
        #expect(try await defender.messages().last?.text == "r2")
    }

    @Test(
        "an update that waited past its sender certificate's week, on the relay or in the outbox, still arrives: accepted within the relay's retention, sealed again before it goes",
        .timeLimit(.minutes(2)))
    func lateCertificates() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let defender = try await organisation.enrolDefender("defender")
        try await defender.sendCaseUpdate("first")
        #expect(try await expert.sync().received == 1)
        let directory = organisation.directory("defender")
        let passphrase = SecureBytes(copying: Array("pass defender".utf8))

        // Deposited eight days ago: the expert, away for a week, fetches it a day after its
        // certificate expired.
        let eightDaysAgo = organisation.now - 8 * 86_400
        let past = try Account.open(at: directory, passphrase: passphrase, clock: { eightDaysAgo })
        #expect(try await past.sendCaseUpdate("Написано неделю назад").deliveryState == .submitted)
        var synced = try await expert.sync()
        #expect(synced.received == 1 && synced.undecryptable == 0, "\(synced)")

        // Written forty days ago with the relay out of reach: it waited in the outbox until its
        // certificate was long expired, and goes sealed again with a current one.
        organisation.relay.kill()
        let fortyDaysAgo = organisation.now - 40 * 86_400
        let offline = try Account.open(at: directory, passphrase: passphrase, clock: { fortyDaysAgo })
        #expect(try await offline.sendCaseUpdate("Написано без связи").deliveryState == .queued)
        try await organisation.relay.start()
        let back = try Account.open(at: directory, passphrase: passphrase)
        #expect(try await back.sync().sent == 1)
        synced = try await expert.sync()
        #expect(synced.received == 1 && synced.undecryptable == 0, "\(synced)")
        #expect(try await expert.messages().map(\.text).suffix(2) == ["Написано неделю назад", "Написано без связи"])
    }

    @Test("a message the relay took longer ago than its retention, with no receipt since, is reported unconfirmed")
    func unconfirmed() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let defender = try await organisation.enrolDefender("defender")
        let sent = try await defender.sendCaseUpdate("nobody reads this")
        #expect(try await defender.unconfirmedCount() == 0)
        let retention = await defender.retentionSeconds
        #expect(retention == 30 * 86_400)
        // The same profile, opened with a clock past the relay's retention time.
        let later = organisation.now + retention + 60
        let future = try Account.open(
            at: organisation.directory("defender"), passphrase: SecureBytes(copying: Array("pass defender".utf8)),
            clock: { later })
        #expect(try await future.unconfirmedCount() == 1)
        let message = try #require(try await future.messages().first { $0.id == sent.id })
        #expect(message.unconfirmedDeliveries(now: later, retention: retention).map(\.name) == ["Expert"])
        // Once the expert's receipt arrives, it is confirmed.
        _ = try await expert.sync()
        _ = try await defender.sync()
        #expect(try await future.unconfirmedCount() == 0)
    }

    @Test(
        "an organisation profile holds the root: it connects, invites a defender and a second expert, adds and removes experts",
        .timeLimit(.minutes(2)))
    func organisation() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-org-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let passphrase = SecureBytes(copying: Array("organisation passphrase".utf8))
        let cost = TestOrganisation.cost
        let root = try Account.createOrganisation(
            at: folder.appendingPathComponent("admin"), passphrase: passphrase, cost: cost)
        let relay = try LiveRelay(organisationRoot: root)
        try await relay.start()
        let admin = try await Account.connectOrganisation(
            at: folder.appendingPathComponent("admin"), passphrase: passphrase, relay: relay.url, name: "Admin")
        #expect(await admin.isOrganisationAdministrator)
        #expect(try await admin.roster().map(\.name) == ["Admin"])

        let second = try await Account.enrol(
            invite: try await admin.invite(), at: folder.appendingPathComponent("second"), passphrase: passphrase,
            role: .expert, cost: cost)
        #expect(await !second.isOrganisationAdministrator)
        await #expect(throws: AccountError.notPermitted) { try await second.invite() }
        try await admin.addExpert(name: "Second", card: try await second.contactCard)
        let defender = try await Account.enrol(
            invite: try await admin.invite(), at: folder.appendingPathComponent("defender"), passphrase: passphrase,
            cost: cost)
        #expect(try await defender.roster().map(\.name) == ["Admin", "Second"])

        let sent = try await defender.sendCaseUpdate("to both")
        #expect(sent.deliveries.map(\.name) == ["Admin", "Second"] && sent.deliveryState == .submitted)
        // The second expert takes its certificate from the roster on sync, then can answer.
        #expect(try await second.sync().received == 1)
        #expect(try await admin.sync().received == 1)
        try await second.reply(to: try await defender.identityKey, text: "from the second expert")
        #expect(try await defender.sync().received == 1)
        #expect(try await defender.messages().last?.senderName == "Second")

        try await admin.removeExpert(try await second.identityKey)
        _ = try await defender.sync()
        #expect(try await defender.roster().map(\.name) == ["Admin"])
        let later = try await defender.sendCaseUpdate("only the admin now")
        #expect(later.deliveries.map(\.name) == ["Admin"])
        // A removed expert's certificate no longer counts: its reply is refused.
        try await second.reply(to: try await defender.identityKey, text: "still here?")
        #expect(try await defender.sync().undecryptable == 1)
        // Connecting again just opens the profile.
        let again = try await Account.connectOrganisation(
            at: folder.appendingPathComponent("admin"), passphrase: passphrase, relay: relay.url, name: "Admin")
        #expect(try await again.roster().count == 1)
    }
}
