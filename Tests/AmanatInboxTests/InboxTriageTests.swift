// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatInbox
import AmanatProtocol
import AmanatTestSupport
import Foundation
import Testing

@Suite("amanat-inbox triage between experts", .serialized)
struct InboxTriageTests {
    @Test(
        "expert A sets status and assignee while expert B, offline, labels and notes: both converge, the relay holds no triage value; the exported case verifies, and fails after any byte changes",
        .timeLimit(.minutes(10)))
    func replication() async throws {
        let workspace = try InboxWorkspace("triage")
        defer { workspace.remove() }
        let folder = workspace.folder
        func inbox(_ profile: String, _ arguments: [String]) async throws -> Run {
            try await workspace.inbox(profile, arguments, lang: nil)
        }
        func cases(_ profile: String, _ filters: [String] = []) async throws -> [[String: Any]] {
            let run = try await inbox(profile, ["cases", "--json"] + filters)
            return try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]])
        }

        // An organisation with two experts, through the real tools, and a defender who writes.
        let started = try await workspace.startOrganisation(admin: "aigerim", name: "Aigerim", lang: nil)
        let (root, relay) = (started.root, started.relay)
        #expect(started.connected.status == 0)
        // With --qr, the invite is drawn above the link, which stays the last line; a scanner reads it.
        let drawn = try await inbox("aigerim", ["org", "invite", "--qr"]).output
        let invite = try #require(drawn.split(separator: "\n").last.map(String.init))
        if QRScanner.enabled { #expect(try await QRScanner.scan(drawn) == invite) }
        let card = try #require(try await inbox("daniyar", ["enroll", invite]).output.split(separator: "\n").last)
        #expect(try await inbox("aigerim", ["org", "add-expert", "Daniyar", String(card)]).status == 0)
        let devices = try await inbox("daniyar", ["org", "devices", "--json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(devices.output.utf8)) as? [[String: Any]])
        #expect(listed.map { $0["name"] as? String } == ["Aigerim", "Daniyar"], "\(devices)")
        #expect(listed.map { $0["thisDevice"] as? Bool } == [false, true])
        #expect((listed[0]["safetyNumber"] as? String)?.count == 60)
        let defender = try await Account.enrol(
            invite: try AmanatProtocol.Invite(
                text: String(try await inbox("aigerim", ["org", "invite"]).output.split(separator: "\n").last ?? "")),
            at: folder.appendingPathComponent("defender"),
            passphrase: SecureBytes(copying: Array("defender passphrase".utf8)), cost: TestOrganisation.cost)
        let photo = folder.appendingPathComponent("повестка.txt")
        try Data("EVIDENCE-ATTACHMENT повестка на 3 декабря".utf8).write(to: photo)
        try await defender.sendCaseUpdate("Задержан у здания суда", attachments: [OutgoingFile(url: photo)])
        for profile in ["aigerim", "daniyar"] { #expect(try await inbox(profile, ["sync"]).status == 0) }
        // Both experts name the case alike (SPEC §16.4).
        let caseA = try #require(try await cases("aigerim").first?["case"] as? String)
        let caseB = try #require(try await cases("daniyar").first?["case"] as? String)
        #expect(caseA == caseB)

        // A, online: status and assignee.
        let status = try await inbox("aigerim", ["set", caseA, "status", "in-progress"])
        #expect(status.status == 0, "\(status)")
        let assigned = try await inbox("aigerim", ["assign", caseA, "Daniyar"])
        #expect(assigned.status == 0, "\(assigned)")
        #expect(try await inbox("aigerim", ["set", caseA, "status", "finished"]).status == 64)
        #expect(try await inbox("aigerim", ["assign", caseA, "Nobody-Such"]).status == 65)
        // B, with the relay down (and before hearing of A's changes): a label and a note, queued.
        relay.kill()
        let labelled = try await inbox("daniyar", ["label", caseB, "срочно"])
        #expect(labelled.status == 75, "\(labelled)")
        let noteText = "NOTE-MARKER адвокат приедет в 9:00"
        #expect(try await inbox("daniyar", ["note", caseB, noteText]).status == 75)
        #expect(try await inbox("daniyar", ["due", caseB, "2026-13-40"]).status == 64)
        try await relay.start()

        let syncedB = try await inbox("daniyar", ["sync"])
        #expect(syncedB.output.contains("2 triage change(s) from other experts."), "\(syncedB)")
        for profile in ["aigerim", "daniyar"] { #expect(try await inbox(profile, ["sync"]).status == 0) }
        let seenByA = try #require(try await cases("aigerim").first)
        let seenByB = try #require(try await cases("daniyar").first)
        for (name, state) in [("A", seenByA), ("B", seenByB)] {
            #expect(state["status"] as? String == "in-progress", "\(name): \(state)")
            #expect(state["assignee"] as? String == "Daniyar", "\(name): \(state)")
            #expect(state["labels"] as? [String] == ["срочно"], "\(name): \(state)")
            #expect(state["notes"] as? Int == 1, "\(name): \(state)")
        }
        // Filters see the same.
        #expect(try await cases("aigerim", ["--label", "срочно", "--status", "in-progress"]).count == 1)
        #expect(try await cases("daniyar", ["--assignee", "me"]).count == 1)
        #expect(try await cases("aigerim", ["--assignee", "me"]).isEmpty)
        #expect(try await cases("aigerim", ["--status", "closed"]).isEmpty)
        // The timeline has the note and the history, naming who did what.
        let timeline = try await inbox("aigerim", ["case", caseA])
        #expect(timeline.output.contains(noteText) && timeline.output.contains("Daniyar added the label срочно"))
        #expect(timeline.output.contains("Aigerim set the status to in progress"), "\(timeline.output)")
        // The defender sees none of it: no notice, no message beyond the case update it sent.
        _ = try await defender.sync()
        #expect(try await defender.messages().allSatisfy { !$0.text.contains("NOTE-MARKER") })

        // A replies (a relay receipt to carry), then exports the case as signed evidence.
        #expect(try await inbox("aigerim", ["reply", caseA, "Адвокат будет в 9:00"]).status == 0)
        let bundle = folder.appendingPathComponent("case.amanat-evidence")
        let exported = try await inbox("aigerim", ["export", caseA, "--out", bundle.path])
        #expect(exported.status == 0, "\(exported)")
        let rootText = "--organisation-root=" + Base64URL.encode(root.rawRepresentation)
        let extracted = folder.appendingPathComponent("extracted")
        let verified = try await runTool(
            "amanat-inbox", ["verify-bundle", bundle.path, rootText, "--extract", extracted.path])
        #expect(verified.status == 0, "\(verified)")
        #expect(verified.output.contains("2 message(s), 1 file(s), 1 relay receipt(s) and 4 triage event(s)"))
        let files = try FileManager.default.contentsOfDirectory(atPath: extracted.path)
        #expect(files.count == 1 && files[0].hasSuffix("повестка.txt"))
        #expect(
            try Data(contentsOf: extracted.appendingPathComponent(files[0])) == Data(contentsOf: photo))
        let otherRoot = "--organisation-root=" + Base64URL.encode(Ed25519.PrivateKey().publicKey.rawRepresentation)
        #expect(try await runTool("amanat-inbox", ["verify-bundle", bundle.path, otherRoot]).status == 65)
        // Any byte changed anywhere: refused (checked in process, every byte; and once through the CLI).
        let original = Array(try Data(contentsOf: bundle))
        let report = try EvidenceBundle.verify(original, organisationRoot: root)
        // The reply's receipt was signed with others (SPEC.md §8.4.1): the bundle carries its proof.
        let receipts = report.manifest.messages.flatMap(\.receipts)
        #expect(receipts.count == 1 && receipts.allSatisfy { $0.proof?.count == 2 * DepositReceipt.Proof.byteCount })
        // So its manifest is format 2, which a verifier from before proofs refuses as unknown
        // instead of calling the receipt forged; a format this one does not know is refused as newer.
        #expect(report.manifest.format == EvidenceBundle.Manifest.format2)
        let format = Array(EvidenceBundle.Manifest.format2.utf8)
        let at = try #require(
            original.indices.first { original[$0..<min($0 + format.count, original.count)].elementsEqual(format) })
        var newer = original
        newer[at + format.count - 1] = UInt8(ascii: "3")
        #expect(throws: EvidenceBundle.Failure.unsupportedFormat) { try EvidenceBundle.verify(newer) }
        var accepted = 0
        for index in original.indices {
            var changed = original
            changed[index] ^= 0x20
            if (try? EvidenceBundle.verify(changed)) != nil { accepted += 1 }
        }
        #expect(accepted == 0, "\(accepted) single-byte changes were accepted")
        var edited = original
        edited[original.count / 2] ^= 0x01
        try Data(edited).write(to: bundle)
        let refused = try await runTool("amanat-inbox", ["verify-bundle", bundle.path])
        #expect(refused.status == 65, "\(refused)")
        // In Russian, what does not check is named in Russian (it was "не сходится signature").
        var resigned = original
        resigned[original.count - 1] ^= 0x01
        let forged = folder.appendingPathComponent("forged.amanat-evidence")
        try Data(resigned).write(to: forged)
        let refusedInRussian = try await runTool("amanat-inbox", ["verify-bundle", forged.path, "--lang", "ru"])
        #expect(
            refusedInRussian.status == 65 && refusedInRussian.error.contains("не сходится подпись"),
            "\(refusedInRussian)")
        #expect(latinWords(in: refusedInRussian.error).isEmpty, "\(refusedInRussian)")
        #expect(
            EvidenceBundle.Part.allNames.allSatisfy {
                InboxCatalogue.text($0, .russian, ["x"]) != $0
                    && latinWords(in: InboxCatalogue.text($0, .russian)).isEmpty
            })
        #expect(
            try await runTool("amanat-inbox", ["verify-bundle", folder.appendingPathComponent("nope").path]).status
                == 66)

        // Search, over decrypted data in memory: messages (any case), notes, labels, file names.
        let search = try await inbox("aigerim", ["search", "адвокат", "--json"])
        let hits = try #require(try JSONSerialization.jsonObject(with: Data(search.output.utf8)) as? [[String: Any]])
        #expect(Set(hits.compactMap { $0["place"] as? String }).contains("note"), "\(hits)")
        #expect(hits.contains { ($0["text"] as? String) == "Адвокат будет в 9:00" }, "\(hits)")
        #expect(try await inbox("aigerim", ["search", "ЗАДЕРЖАН", "суда"]).output.contains("Задержан у здания суда"))
        #expect(try await inbox("aigerim", ["search", "повестка.txt"]).output.contains(caseA))
        #expect(try await inbox("daniyar", ["search", "срочно"]).output.contains("label"))
        let nothing = try await inbox("aigerim", ["search", "Задержан", "Алматы"])
        #expect(nothing.status == 0 && nothing.output.contains("Nothing found."))

        // The relay's database and log hold no triage value.
        relay.kill()
        var stored: [UInt8] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: relay.directory.path) {
            let url = relay.directory.appendingPathComponent(file)
            if let data = FileManager.default.contents(atPath: url.path) { stored += data }
        }
        #expect(stored.count > 10_000)
        for marker in ["срочно", "NOTE-MARKER", "адвокат приедет", "in-progress", "Daniyar", "Aigerim"] {
            let needle = Array(marker.utf8)
            let found =
                stored.count >= needle.count
                && (0...(stored.count - needle.count)).contains {
                    stored[$0..<($0 + needle.count)].elementsEqual(needle)
                }
            #expect(!found, "\(marker) is in the relay's files")
        }
    }
}
