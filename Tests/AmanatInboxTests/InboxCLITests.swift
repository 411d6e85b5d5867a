// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatInbox
import AmanatProtocol
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

@Suite("amanat-inbox end to end", .serialized)
struct InboxCLITests {
    @Test(
        "organisation, second expert and defender through the real tools: update in, reply out, expert removed",
        .timeLimit(.minutes(10)))
    func organisation() async throws {
        let workspace = try InboxWorkspace("inbox")
        defer { workspace.remove() }
        let folder = workspace.folder
        func inbox(_ profile: String, _ arguments: [String], lang: String = "en") async throws -> Run {
            try await workspace.inbox(profile, arguments, lang: lang)
        }
        func say(_ key: String, _ arguments: [String] = []) -> String {
            InboxCatalogue.text(key, .english, arguments)
        }

        let started = try await workspace.startOrganisation(admin: "admin", name: "Aigerim")
        let (created, connected, relay) = (started.created, started.connected, started.relay)
        #expect(created.status == 0, "\(created)")
        #expect(connected.output.contains(say("org.connected", [relay.url, "Aigerim", "1"])), "\(connected)")

        let expertInvite = String(try await inbox("admin", ["org", "invite"]).output.split(separator: "\n").last ?? "")
        #expect(expertInvite.hasPrefix("amanat://invite/"))
        let enrolled = try await inbox("second", ["enroll", expertInvite])
        let card = try #require(enrolled.output.split(separator: "\n").last.map(String.init))
        #expect(card.hasPrefix("amanat://card/"), "\(enrolled)")
        let added = try await inbox("admin", ["org", "add-expert", "Daniyar", card])
        #expect(added.output.contains(say("org.expert-added", ["Daniyar", "2"])), "\(added)")
        let refused = try await inbox("second", ["org", "invite"])
        #expect(refused.status == 77 && refused.error.contains(say("error.not-administrator")))
        #expect(try await inbox("admin", ["org", "add-expert", "X", "amanat://card/AAAA"]).status == 65)

        // The defender, through the library: enrols with an invite and writes.
        let defenderInvite = try AmanatProtocol.Invite(
            text: String(
                try await inbox("admin", ["org", "invite", "--days", "1"]).output.split(separator: "\n").last ?? ""))
        let defender = try await Account.enrol(
            invite: defenderInvite, at: folder.appendingPathComponent("defender"),
            passphrase: SecureBytes(copying: Array("defender passphrase".utf8)), cost: TestOrganisation.cost)
        #expect(try await defender.roster().map(\.name) == ["Aigerim", "Daniyar"])
        let notes = folder.appendingPathComponent("notes.txt")
        try Data("протокол обыска".utf8).write(to: notes)
        try await defender.sendCaseUpdate("Обыск в офисе вчера вечером", attachments: [OutgoingFile(url: notes)])

        for profile in ["admin", "second"] {
            let synced = try await inbox(profile, ["sync"])
            #expect(synced.output.contains(say("synced", ["1", "1", "0"])), "\(profile): \(synced)")
        }
        let cases = try JSONSerialization.jsonObject(
            with: Data(try await inbox("admin", ["cases", "--json"]).output.utf8))
        let label = try #require((cases as? [[String: Any]])?.first?["case"] as? String)
        #expect((cases as? [[String: Any]])?.first?["unread"] as? Int == 1)
        let timeline = try await inbox("admin", ["case", label], lang: "ru")
        #expect(timeline.output.contains("Обыск в офисе вчера вечером"))
        // The attachment, by the id the timeline shows, decrypted to a file.
        let attachmentId = try #require(
            timeline.output.split(separator: " ").first { $0.hasSuffix("-1:") }.map { String($0.dropLast()) })
        let saved = folder.appendingPathComponent("saved.txt")
        let savedRun = try await inbox("admin", ["save", attachmentId, saved.path])
        #expect(savedRun.status == 0, "\(savedRun)")
        #expect(try Data(contentsOf: saved) == Data("протокол обыска".utf8))
        #expect(try await inbox("admin", ["save", "nope", saved.path]).status == 65)
        #expect(try await inbox("admin", ["case", "nobody"]).status == 65)
        let replied = try await inbox("admin", ["reply", label, "We are on it"])
        #expect(replied.status == 0, "\(replied)")
        #expect(try await defender.sync().received == 1)
        #expect(try await defender.messages().last?.text == "We are on it")

        let removed = try await inbox("admin", ["org", "remove-expert", "Daniyar"])
        #expect(removed.output.contains(say("org.expert-removed", ["Daniyar", "3"])), "\(removed)")
        _ = try await defender.sync()
        #expect(try await defender.roster().map(\.name) == ["Aigerim"])
    }

    @Test("the inbox catalogue has every sentence in both languages with the same marks")
    func catalogue() {
        #expect(Set(InboxCatalogue.english.keys) == Set(InboxCatalogue.russian.keys))
        for (key, english) in InboxCatalogue.english {
            let russian = InboxCatalogue.russian[key] ?? ""
            #expect(
                english.components(separatedBy: "%@").count == russian.components(separatedBy: "%@").count, "\(key)")
        }
    }
}
