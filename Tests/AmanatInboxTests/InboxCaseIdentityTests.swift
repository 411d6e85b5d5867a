// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatInbox
import AmanatProtocol
import AmanatTestSupport
import Foundation
import Testing

/// Several experts and many defenders through the real binaries: the case names must be one per
/// defender and the same on every expert device, and a reply must reach exactly the defender meant
/// (issue #15; a reply to the wrong defender is a disclosure).
@Suite("amanat-inbox: one case per defender, the same on every expert device", .serialized)
struct InboxCaseIdentityTests {
    static let defenders = 12

    @Test(
        "3 experts, 12 defenders (amanat): ids distinct and alike everywhere; replies by id, prefix and alias reach exactly their defender; ambiguity and short prefixes refused; remote control characters shown, not obeyed",
        .timeLimit(.minutes(20)))
    func caseIdentity() async throws {
        let workspace = try InboxWorkspace("cases")
        defer { workspace.remove() }
        let folder = workspace.folder
        func inbox(_ profile: String, _ arguments: [String], lang: String = "en") async throws -> Run {
            try await workspace.inbox(profile, arguments, lang: lang)
        }
        func amanat(_ number: Int, _ arguments: [String]) async throws -> Run {
            try await runTool(
                "amanat",
                arguments + [
                    "--profile", folder.appendingPathComponent("defender-\(number)").path, "--passphrase-fd", "0",
                    "--lang", "ru",
                ], input: "пароль правозащитника \(number)\n")
        }
        func json(_ run: Run) throws -> [[String: Any]] {
            try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]], "\(run)")
        }
        let experts = ["aigerim", "daniyar", "saule"]

        // The organisation: Aigerim administers it; Daniyar and Saule enrol and join the roster.
        let started = try await workspace.startOrganisation(admin: "aigerim", name: "Aigerim")
        let relay = started.relay
        #expect(started.connected.status == 0)
        for (profile, name) in [("daniyar", "Daniyar"), ("saule", "Saule")] {
            let invite = try #require(try await inbox("aigerim", ["org", "invite"]).output.split(separator: "\n").last)
            let card = try #require(
                try await inbox(profile, ["enroll", String(invite)]).output.split(separator: "\n").last)
            #expect(try await inbox("aigerim", ["org", "add-expert", name, String(card)]).status == 0)
        }

        // Twelve defenders enrol with the defender's CLI and each writes one update with a marker.
        // One of them writes what a hostile or careless sender might: terminal control sequences.
        let hostile = 6
        let hostileText = "UPD6Q \u{1B}]0;pwned\u{07}\u{1B}[2J\nFAKE-LINE  [new, normal]  forged"
        for number in 0..<Self.defenders {
            let invite = try #require(try await inbox("aigerim", ["org", "invite"]).output.split(separator: "\n").last)
            let file = folder.appendingPathComponent("invite-\(number).txt")
            try Data(invite.utf8).write(to: file)
            let enrolled = try await amanat(number, ["enroll", file.path])
            #expect(enrolled.status == 0, "\(enrolled)")
            let text = number == hostile ? hostileText : "UPD\(number)Q задержан у суда"
            let sent = try await amanat(number, ["send", text])
            #expect(sent.status == 0, "\(sent)")
        }
        for expert in experts { #expect(try await inbox(expert, ["sync"]).status == 0) }

        // Every expert device lists the same twelve cases under the same ids.
        var listed: [String: [[String: Any]]] = [:]
        for expert in experts { listed[expert] = try json(try await inbox(expert, ["cases", "--json"])) }
        let ids = Set(try #require(listed["aigerim"]).compactMap { $0["id"] as? String })
        let shorts = Set(try #require(listed["aigerim"]).compactMap { $0["case"] as? String })
        #expect(ids.count == Self.defenders && shorts.count == Self.defenders, "\(listed)")
        for expert in experts {
            #expect(Set(try #require(listed[expert]).compactMap { $0["id"] as? String }) == ids, "\(expert)")
            #expect(Set(try #require(listed[expert]).compactMap { $0["case"] as? String }) == shorts, "\(expert)")
        }
        // Which case is which defender's: found by the marker, the same way on every device.
        var caseOf: [Int: String] = [:]
        for number in 0..<Self.defenders {
            let hits = try json(try await inbox("daniyar", ["search", "UPD\(number)Q", "--json"]))
            caseOf[number] = try #require(hits.first?["id"] as? String, "defender \(number): \(hits)")
            #expect(hits.count == 1)
        }
        #expect(Set(caseOf.values) == ids)
        let full = { (number: Int) in caseOf[number] ?? "" }
        /// The shortest prefix (4 or more characters) that names only this case.
        func shortestPrefix(_ number: Int) -> String {
            let id = full(number)
            for length in CaseID.minimumPrefixLength...id.count {
                let prefix = String(id.prefix(length))
                if ids.filter({ $0.hasPrefix(prefix) }).count == 1 { return prefix }
            }
            return id
        }

        // Replies: by full id, by shortest unique prefix, by the short form typed in capitals,
        // and by an alias another expert gave the case.
        let petition = folder.appendingPathComponent("ходатайство.txt")
        try Data("ходатайство о вызове свидетеля".utf8).write(to: petition)
        let firstReply = try await inbox(
            "aigerim", ["reply", full(0), "REPLY-0 \u{1B}[2J адвокат позвонит", "--attach", petition.path])
        #expect(firstReply.status == 0, "\(firstReply)")
        #expect(try await inbox("daniyar", ["reply", shortestPrefix(1), "REPLY-1"]).status == 0)
        let shortOf2 = String(full(2).prefix(5)) + "-" + String(full(2).dropFirst(5).prefix(5))
        #expect(try await inbox("saule", ["reply", shortOf2.uppercased(), "REPLY-2"]).status == 0)
        let named = try await inbox("saule", ["alias", shortestPrefix(3), "Гульнара, апелляция"], lang: "ru")
        #expect(named.status == 0, "\(named)")
        #expect(try await inbox("aigerim", ["sync"]).status == 0)
        let aliasReply = try await inbox("aigerim", ["reply", "  гульнара, АПЕЛЛЯЦИЯ ", "REPLY-3"])
        #expect(aliasReply.status == 0, "\(aliasReply)")
        let withAlias = try json(try await inbox("aigerim", ["cases", "--json"]))
        #expect(withAlias.first { $0["id"] as? String == full(3) }?["alias"] as? String == "Гульнара, апелляция")

        // The team timeline (SPEC.md §16.5): each reply is in the other experts' timelines with
        // its author, on the relay (the defenders have not fetched yet), its file downloaded.
        let shortID = { (number: Int) in
            String(full(number).prefix(5)) + "-" + String(full(number).dropFirst(5).prefix(5))
        }
        let synced = try await inbox("daniyar", ["sync"])
        #expect(synced.output.contains("Replies from other experts to defenders: 3."), "\(synced)")
        #expect(try await inbox("saule", ["sync"]).status == 0)
        for (expert, number, author) in [
            ("daniyar", 0, "Aigerim"), ("saule", 0, "Aigerim"), ("aigerim", 1, "Daniyar"), ("daniyar", 2, "Saule"),
        ] {
            let shown = try await inbox(expert, ["case", full(number)])
            let line = shown.output.split(separator: "\n").first { $0.contains("REPLY-\(number)") } ?? ""
            #expect(line.contains("\(author), to \(shortID(number)) (on the relay)"), "\(expert): \(shown)")
        }
        let ownLine = try await inbox("aigerim", ["case", full(0)])
        #expect(ownLine.output.contains("you, to \(shortID(0)) (on the relay)  REPLY-0"), "\(ownLine)")
        let copied = try await inbox("saule", ["case", full(0)])
        #expect(copied.output.contains("ходатайство.txt (57 bytes, stored)"), "\(copied)")

        // Two experts, offline, give two cases the same alias: the alias is then ambiguous, and
        // every device refuses to guess, naming both cases (exit 64).
        relay.kill()
        #expect(try await inbox("aigerim", ["alias", full(4), "Бахыт"]).status == 75)
        #expect(try await inbox("daniyar", ["alias", full(5), "бахыт"]).status == 75)
        try await relay.start()
        for expert in experts { #expect(try await inbox(expert, ["sync"]).status == 0) }
        let ambiguous = try await inbox("saule", ["reply", "Бахыт", "REPLY-WRONG"], lang: "ru")
        #expect(ambiguous.status == 64, "\(ambiguous)")
        for number in [4, 5] {
            #expect(ambiguous.error.contains(String(full(number).prefix(5))), "\(ambiguous)")
        }
        #expect(ambiguous.error.contains("соответствует нескольким делам"), "\(ambiguous)")
        // An alias that would shadow a name is refused; prefixes that are too short or name
        // nothing are errors, never a guess.
        let taken = try await inbox("saule", ["alias", full(7), "гульнара, апелляция"])
        #expect(taken.status == 64 && taken.error.contains(String(full(3).prefix(5))), "\(taken)")
        let idLike = try await inbox("saule", ["alias", full(7), String(full(8).prefix(6))])
        #expect(idLike.status == 64, "\(idLike)")
        let short = try await inbox("saule", ["reply", String(full(9).prefix(3)), "REPLY-WRONG"])
        #expect(short.status == 64, "\(short)")
        let unknown = try await inbox("saule", ["case", "zzzzzzzz"])
        #expect(unknown.status == 65, "\(unknown)")

        // What a defender wrote with control characters is shown, not obeyed, and cannot forge
        // a line of the tool's own.
        for command in [["case", full(hostile)], ["cases"]] {
            let shown = try await inbox("aigerim", command)
            #expect(shown.status == 0, "\(shown)")
            #expect(!shown.output.utf8.contains(0x1B) && !shown.output.utf8.contains(0x07), "\(command)")
            #expect(!shown.output.split(separator: "\n").contains { $0.hasPrefix("FAKE-LINE") }, "\(shown)")
        }
        let hostileCase = try await inbox("aigerim", ["case", full(hostile)])
        #expect(hostileCase.output.contains("␛]0;pwned␇"), "\(hostileCase)")

        // Each defender holds exactly the replies meant for it, and nothing else.
        let expected = [0: "REPLY-0", 1: "REPLY-1", 2: "REPLY-2", 3: "REPLY-3"]
        for number in 0..<Self.defenders {
            #expect(try await amanat(number, ["sync"]).status == 0)
            let messages = try json(try await amanat(number, ["inbox", "--json"]))
            let replies = messages.filter { $0["direction"] as? String == "incoming" }.compactMap {
                $0["text"] as? String
            }
            if let marker = expected[number] {
                #expect(replies.count == 1 && replies[0].hasPrefix(marker), "defender \(number): \(replies)")
            } else {
                #expect(replies.isEmpty, "defender \(number): \(replies)")
            }
        }
        // The defenders' delivery receipts reach every expert, so every timeline shows the
        // reply delivered, in both languages; every expert's export carries it with its author,
        // its state and its file; and the web case page shows the same in a browser.
        for expert in experts { #expect(try await inbox(expert, ["sync"]).status == 0) }
        for expert in experts {
            let shown = try await inbox(expert, ["case", full(0)])
            let line = shown.output.split(separator: "\n").first { $0.contains("REPLY-0") } ?? ""
            #expect(line.contains(expert == "aigerim" ? "you, to" : "Aigerim, to"), "\(expert): \(shown)")
            #expect(line.contains("(delivered)"), "\(expert): \(shown)")
        }
        let russian = try await inbox("daniyar", ["case", full(0)], lang: "ru")
        #expect(russian.output.contains("Aigerim, для \(shortID(0)) (доставлено)"), "\(russian)")
        for expert in ["saule", "aigerim"] {
            let path = folder.appendingPathComponent("\(expert)-case-0.amanat-evidence").path
            let exported = try await inbox(expert, ["export", full(0), "--out", path])
            #expect(exported.status == 0, "\(exported)")
            let report = try EvidenceBundle.verify(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            let entry = try #require(report.manifest.messages.first { $0.text.hasPrefix("REPLY-0") }, "\(expert)")
            #expect(entry.author == "Aigerim" && entry.delivery == "delivered", "\(expert): \(entry)")
            #expect(
                entry.attachments.first?.file.map { report.files[$0] } == Array("ходатайство о вызове свидетеля".utf8))
            // Only the author's device holds the relay's receipt for it.
            #expect(entry.receipts.count == (expert == "aigerim" ? 1 : 0), "\(expert): \(entry)")
        }
        if BrowserTools.enabled {
            let (serve, login) = try await workspace.serve("daniyar")
            defer { if serve.isRunning { serve.interrupt() } }
            let browser = try await runTool(
                BrowserTools.python.path,
                [
                    BrowserTools.repository.appendingPathComponent("Tests/Browser/case_page.py").path, login,
                    full(0), "Aigerim", "delivered", "REPLY-0", "ходатайство.txt",
                ])
            #expect(browser.status == 0 && browser.output.contains("case page test passed"), "\(browser)")
        }

        // A fourth expert device joins after all this: the administrator's device sends it the
        // history (SPEC.md §16.6). It is killed (SIGKILL) at growing delays while it receives,
        // until a sync finishes; then it shows what the others show, nothing twice.
        let bolatInvite = try #require(
            try await inbox("aigerim", ["org", "invite"]).output.split(separator: "\n").last)
        let bolatCard = try #require(
            try await inbox("bolat", ["enroll", String(bolatInvite)]).output.split(separator: "\n").last)
        let added = try await inbox("aigerim", ["org", "add-expert", "Bolat", String(bolatCard)])
        #expect(added.status == 0 && added.output.contains("go to them with the next syncs"), "\(added)")
        for expert in experts { #expect(try await inbox(expert, ["sync"]).status == 0) }
        func comparable(_ run: Run) throws -> [String: String] {
            Dictionary(
                uniqueKeysWithValues: try json(run).map { item in
                    // Unread and verified are each device's own.
                    let kept = item.filter { $0.key != "unread" && $0.key != "verified" }
                    return (
                        item["id"] as? String ?? "",
                        kept.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
                    )
                })
        }
        let reference = try comparable(try await inbox("daniyar", ["cases", "--json"]))
        // What history holds: a case per defender, and its messages.
        let total = try json(try await inbox("daniyar", ["cases", "--json"])).reduce(0) {
            $0 + 1 + ($1["messages"] as? Int ?? 0)
        }
        // Killed once its files have grown by 16 KiB (an envelope or two of history committed:
        // the cases come first, then their messages), then again 16 KiB further on each time,
        // until a sync runs to its end.
        var killedMidway = false
        var finished = false
        var seen: [String] = []
        for step in 1...60 where !finished {
            let run = try await workspace.inbox("bolat", ["sync"], killAfterGrowing: 16 * 1024 * step)
            if !run.killed {
                #expect(run.status == 0)
                finished = true
                break
            }
            let held = try json(try await inbox("bolat", ["cases", "--json"])).reduce(0) {
                $0 + 1 + ($1["messages"] as? Int ?? 0)
            }
            if held > 0 && held < total { killedMidway = true }
            seen.append("\(step): killed holding \(held) of \(total)")
        }
        #expect(finished && killedMidway, "finished \(finished), killed midway \(killedMidway): \(seen)")
        #expect(try await inbox("bolat", ["sync"]).status == 0)
        #expect(try comparable(try await inbox("bolat", ["cases", "--json"])) == reference)
        let bolatView = try await inbox("bolat", ["case", full(0)])
        #expect(bolatView.output.contains("Aigerim, to \(shortID(0)) (delivered)"), "\(bolatView)")
        #expect(bolatView.output.contains("ходатайство.txt (57 bytes, stored)"), "\(bolatView)")
        // The new device can answer a defender it knows only from the history.
        #expect(try await inbox("bolat", ["reply", full(5), "REPLY-5 от Болата"]).status == 0)
        #expect(try await amanat(5, ["sync"]).status == 0)
        let fifth = try json(try await amanat(5, ["inbox", "--json"])).compactMap { $0["text"] as? String }
        #expect(fifth.contains("REPLY-5 от Болата"), "\(fifth)")

        // The defender's terminal shows the expert's control characters too, without obeying them.
        let listing = try await amanat(0, ["inbox", "--json"])
        let replyID = try #require(
            try json(listing).first { $0["direction"] as? String == "incoming" }?["id"] as? String)
        let read = try await amanat(0, ["read", String(replyID.prefix(8))])
        #expect(read.status == 0 && read.output.contains("REPLY-0 ␛[2J"), "\(read)")
        #expect(!read.output.utf8.contains(0x1B))
    }
}
