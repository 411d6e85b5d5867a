// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatDefender
import AmanatInbox
import AmanatProtocol
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

/// A defender's device seized (issue #20), through the real binaries on a real relay: two experts
/// (the administrator Aigerim, and Daniyar), two defenders (Asel allows remote wiping, the default;
/// Bolat turned it off), replies waiting on the relay when the report comes.
@Suite("A defender's device seized: freeze, flag, wipe on contact", .serialized)
struct SeizureScenarioTests {
    @Test(
        "the report freezes the mailboxes and deletes the waiting replies from the relay's files; the seized profile wipes itself or is refused; what it sends later is flagged; replies need the override; the re-enrolled defender is linked into the same case",
        .timeLimit(.minutes(15)))
    func seizedDevices() async throws {
        let workspace = try InboxWorkspace("seizure")
        defer { workspace.remove() }
        let folder = workspace.folder
        func inbox(_ profile: String, _ arguments: [String], lang: String = "en") async throws -> Run {
            try await workspace.inbox(profile, arguments, lang: lang)
        }
        func amanat(_ defender: String, _ arguments: [String]) async throws -> Run {
            try await workspace.amanat(defender, arguments)
        }
        func say(_ key: String, _ arguments: [String] = []) -> String { InboxCatalogue.text(key, .english, arguments) }
        let json = InboxWorkspace.list

        let started = try await workspace.startOrganisation(admin: "aigerim", name: "Aigerim")
        let relay = started.relay
        defer { relay.kill() }
        #expect(started.connected.status == 0, "\(started.connected)")
        let expertInvite = try #require(
            try await inbox("aigerim", ["org", "invite"]).output.split(separator: "\n").last)
        let card = try #require(
            try await inbox("daniyar", ["enroll", String(expertInvite)]).output.split(separator: "\n").last)
        #expect(try await inbox("aigerim", ["org", "add-expert", "Daniyar", String(card)]).status == 0)

        // Two defenders enrol; Bolat turns remote wiping off at enrolment.
        for (defender, extra) in [("asel", [String]()), ("bolat", ["--remote-wipe", "off"])] {
            let invite = try #require(try await inbox("aigerim", ["org", "invite"]).output.split(separator: "\n").last)
            let file = folder.appendingPathComponent("\(defender).invite")
            try Data(invite.utf8).write(to: file)
            let enrolled = try await amanat(defender, ["enroll", file.path] + extra)
            #expect(enrolled.status == 0, "\(enrolled)")
            let line = extra.isEmpty ? "status.remote-wipe.on" : "status.remote-wipe.off"
            #expect(enrolled.output.contains(AmanatDefenderText.text(line)), "\(enrolled)")
            #expect(try await amanat(defender, ["send", "\(defender.uppercased())-1 обыск в квартире"]).status == 0)
        }
        for expert in ["aigerim", "daniyar"] { #expect(try await inbox(expert, ["sync"]).status == 0) }
        var caseOf: [String: String] = [:]
        for defender in ["asel", "bolat"] {
            let hits = try json(try await inbox("daniyar", ["search", "\(defender.uppercased())-1", "--json"]))
            caseOf[defender] = try #require(hits.first?["id"] as? String, "\(hits)")
        }
        let asel = try #require(caseOf["asel"])
        let bolat = try #require(caseOf["bolat"])

        // Replies wait on the relay: the defenders have not fetched them.
        #expect(try await inbox("aigerim", ["reply", asel, "REPLY-ASEL адвокат приедет в 15:00"]).status == 0)
        #expect(try await inbox("daniyar", ["reply", bolat, "REPLY-BOLAT не отвечайте на звонки"]).status == 0)
        let database = relay.directory.appendingPathComponent("relay.sqlite").path
        func query(_ sql: String) async throws -> [String] {
            let run = try await runTool("/usr/bin/sqlite3", ["-readonly", database, sql])
            try #require(run.status == 0, "\(run)")
            return run.output.split(separator: "\n").map(String.init)
        }
        // Every waiting envelope, by mailbox, as the relay's operator (or whoever takes its disk) reads it.
        var waiting: [String: [String]] = [:]
        for row in try await query("SELECT hex(mailbox) || ' ' || hex(body) FROM envelopes") {
            let parts = row.split(separator: " ")
            waiting[String(parts[0]), default: []].append(String(parts[1]))
        }

        // Daniyar hears from Bolat's family first. He is not the administrator: his report flags
        // the case for everyone, but freezes nothing.
        let early = try await inbox("daniyar", ["case", bolat, "seized", "--yes"])
        #expect(early.status == 0, "\(early)")
        #expect(
            early.output.contains(
                say("seized.not-frozen", [String(bolat.prefix(5)) + "-" + String(bolat.dropFirst(5).prefix(5))])),
            "\(early)")
        #expect(try await query("SELECT count(*) FROM mailboxes WHERE seizure_order IS NOT NULL") == ["0"])
        // Aigerim, the administrator, reports both devices; a typo in the time is refused first.
        let typo = try await inbox("aigerim", ["case", asel, "seized", "--since", "31.02.2026", "--yes"])
        #expect(typo.status == 64, "\(typo)")
        for id in [asel, bolat] {
            let reported = try await inbox("aigerim", ["case", id, "seized", "--yes"], lang: "ru")
            #expect(reported.status == 0, "\(reported)")
            #expect(reported.output.contains("Ретранслятор заморозил почтовый ящик"), "\(reported)")
        }
        let frozen = try await query("SELECT hex(id) FROM mailboxes WHERE seizure_order IS NOT NULL")
        #expect(frozen.count == 2)
        // The replies that waited for the two seized devices are gone from every file of the relay.
        var relayFiles = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: relay.directory.path) {
            relayFiles += try Data(contentsOf: relay.directory.appendingPathComponent(name))
        }
        var checked = 0
        for mailbox in frozen {
            let bodies = try #require(waiting[mailbox], "no reply waited in \(mailbox)")
            for body in bodies {
                let bytes = try #require(hexBytes(body))
                let found = relayFiles.range(of: Data(bytes[200..<264])) != nil
                #expect(!found, "a reply that waited for a seized device is still in the relay's files")
                checked += 1
            }
        }
        // The two replies, and the experts' delivery receipts for the defenders' updates.
        #expect(checked >= 2, "\(checked) envelopes checked")

        // Bolat's device, in someone else's hands, writes to the experts: it still can, and the
        // message arrives flagged. Its next sync is refused, in Russian, and it is not wiped.
        #expect(try await amanat("bolat", ["send", "BOLAT-2 всё в порядке, пришлите список контактов"]).status == 0)
        let refused = try await amanat("bolat", ["sync"])
        #expect(refused.status == 77, "\(refused)")
        #expect(refused.error.contains(AmanatDefenderText.text("error.device-seized", .russian)), "\(refused)")
        #expect(ProfileStore.exists(at: folder.appendingPathComponent("bolat")))
        // Asel's device wipes itself on its next sync, and says no more than that the relay did not answer.
        let wiped = try await amanat("asel", ["sync"])
        #expect(wiped.status == 69, "\(wiped)")
        #expect(wiped.error.contains(AmanatDefenderText.text("error.unreachable", .russian)), "\(wiped)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("asel").path))

        // Every expert sees both cases flagged, and Bolat's new message marked.
        for expert in ["aigerim", "daniyar"] {
            #expect(try await inbox(expert, ["sync"]).status == 0)
            let cases = try json(try await inbox(expert, ["cases", "--json"]))
            #expect(cases.filter { $0["seizedSince"] is Int }.count == 2, "\(expert): \(cases)")
            let listing = try await inbox(expert, ["cases"])
            #expect(listing.output.components(separatedBy: say("seized.mark")).count == 3, "\(listing)")
            let shown = try await inbox(expert, ["case", bolat])
            let lines = shown.output.split(separator: "\n")
            let second = lines.first { $0.contains("BOLAT-2") } ?? ""
            let first = lines.first { $0.contains("BOLAT-1") } ?? ""
            #expect(second.contains("SENT AFTER THE DEVICE WAS REPORTED SEIZED"), "\(expert): \(shown)")
            #expect(!first.contains("SENT AFTER"), "\(expert): \(shown)")
        }
        // A reply to the seized device is refused without the override; with it, the relay refuses
        // it (the mailbox is frozen), the reply stays in the case, and the outbox is not stuck.
        let plain = try await inbox("daniyar", ["reply", bolat, "REPLY-2 пришлите контакты"])
        #expect(plain.status == 77 && plain.error.contains(say("error.case-seized")), "\(plain)")
        let forced = try await inbox("daniyar", ["reply", bolat, "REPLY-3 мы знаем", "--despite-seizure"])
        #expect(forced.status == 77, "\(forced)")
        #expect(try await inbox("daniyar", ["sync"]).status == 0)
        let timeline = try await inbox("daniyar", ["case", bolat])
        #expect(timeline.output.contains(say("delivery.refused")), "\(timeline)")
        #expect(!timeline.output.contains("REPLY-2"), "\(timeline)")

        // Asel enrols again on a new phone from a new invite, and writes.
        let again = try #require(try await inbox("aigerim", ["org", "invite"]).output.split(separator: "\n").last)
        let againFile = folder.appendingPathComponent("asel-new.invite")
        try Data(again.utf8).write(to: againFile)
        #expect(try await amanat("asel-new", ["enroll", againFile.path]).status == 0)
        #expect(try await amanat("asel-new", ["send", "ASEL-2 новый телефон, это я"]).status == 0)
        for expert in ["aigerim", "daniyar"] { #expect(try await inbox(expert, ["sync"]).status == 0) }
        let hits = try json(try await inbox("aigerim", ["search", "ASEL-2", "--json"]))
        let newCase = try #require(hits.first?["id"] as? String)
        #expect(newCase != asel)
        // Linking before comparing safety numbers is refused: the seizer could have enrolled it.
        let unverified = try await inbox("aigerim", ["case", asel, "link", newCase])
        #expect(unverified.status == 76, "\(unverified)")
        let experts =
            try JSONSerialization.jsonObject(
                with: Data(try await amanat("asel-new", ["experts", "--json"]).output.utf8)) as? [[String: Any]]
        let digits = try #require(experts?.first { $0["name"] as? String == "Aigerim" }?["safetyNumber"] as? String)
        #expect(try await inbox("aigerim", ["verify", newCase, "--digits", digits]).status == 0)
        let linked = try await inbox("aigerim", ["case", asel, "link", newCase])
        #expect(linked.status == 0, "\(linked)")
        // Every expert now lists one case for Asel, under its old id, with the old and new messages;
        // the new device is not under suspicion, and replies go to it without the override.
        for expert in ["aigerim", "daniyar"] {
            #expect(try await inbox(expert, ["sync"]).status == 0)
            let cases = try json(try await inbox(expert, ["cases", "--json"]))
            #expect(cases.count == 2, "\(expert): \(cases)")
            #expect(
                cases.contains { $0["id"] as? String == asel } && !cases.contains { $0["id"] as? String == newCase })
            let shown = try await inbox(expert, ["case", asel])
            #expect(shown.output.contains("ASEL-1") && shown.output.contains("ASEL-2"), "\(expert): \(shown)")
            let newLine = shown.output.split(separator: "\n").first { $0.contains("ASEL-2") } ?? ""
            #expect(!newLine.contains("SENT AFTER"), "\(expert): \(shown)")
            #expect(
                shown.output.contains(
                    say("triage.linked", [String(newCase.prefix(5)) + "-" + String(newCase.dropFirst(5).prefix(5))])),
                "\(shown)")
            // The new device's id still finds the case.
            #expect(try await inbox(expert, ["case", String(newCase.prefix(8))]).output.contains("ASEL-1"))
        }
        #expect(try await inbox("daniyar", ["reply", asel, "REPLY-NEW рады, что вы на связи"]).status == 0)
        let received = try await amanat("asel-new", ["sync"])
        #expect(received.status == 0, "\(received)")
        #expect(try await amanat("asel-new", ["inbox"]).output.contains("REPLY-NEW"))
    }
}

/// The defender tool's texts, for what `amanat` prints.
enum AmanatDefenderText {
    static func text(_ key: String, _ language: Language = .russian) -> String {
        AmanatDefender.Catalogue.text(key, language)
    }
}

/// The bytes a hex text names (as sqlite3's `hex()` prints them), or nil.
func hexBytes(_ text: String) -> [UInt8]? { Hex.decode(text) }
