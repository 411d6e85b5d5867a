// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatInbox
import AmanatProtocol
import AmanatTestSupport
import Foundation
import Testing

/// Safety numbers compared from both sides (issue #15): what the expert's inbox shows for a
/// defender is what the defender's `amanat experts` shows for that expert, in the same groups,
/// and as a QR code the defender's `amanat verify --scan` accepts.
@Suite("Safety numbers between an expert and a defender, from both sides", .serialized)
struct InboxVerificationTests {
    @Test(
        "the same grouped digits on both sides; QR and digits verify; a wrong number is refused; verified stays",
        .timeLimit(.minutes(10)))
    func bothSides() async throws {
        let workspace = try InboxWorkspace("verify")
        defer { workspace.remove() }
        let folder = workspace.folder
        func inbox(_ profile: String, _ arguments: [String], lang: String = "en") async throws -> Run {
            try await workspace.inbox(profile, arguments, lang: lang)
        }
        func amanat(_ arguments: [String]) async throws -> Run {
            try await runTool(
                "amanat",
                arguments + ["--profile", folder.appendingPathComponent("defender").path, "--passphrase-fd", "0"],
                input: "пароль правозащитницы\n")
        }
        let started = try await workspace.startOrganisation(admin: "aigerim", name: "Aigerim")
        let relay = started.relay
        defer { relay.kill() }
        #expect(started.connected.status == 0)
        let expertInvite = try #require(
            try await inbox("aigerim", ["org", "invite"]).output.split(separator: "\n").last)
        let card = try #require(
            try await inbox("daniyar", ["enroll", String(expertInvite)]).output.split(separator: "\n").last)
        #expect(try await inbox("aigerim", ["org", "add-expert", "Daniyar", String(card)]).status == 0)
        let invite = try #require(try await inbox("aigerim", ["org", "invite"]).output.split(separator: "\n").last)
        #expect(try await amanat(["enroll", String(invite)]).status == 0)
        #expect(try await amanat(["send", "Прошу связаться"]).status == 0)
        #expect(try await inbox("aigerim", ["sync"]).status == 0)
        let cases = try #require(
            try JSONSerialization.jsonObject(with: Data(try await inbox("aigerim", ["cases", "--json"]).output.utf8))
                as? [[String: Any]])
        let id = try #require(cases.first?["id"] as? String)
        #expect(cases.first?["verified"] as? Bool == false)

        // What the defender sees for Aigerim, and what Aigerim sees for the defender.
        let experts = try #require(
            try JSONSerialization.jsonObject(with: Data(try await amanat(["experts", "--json"]).output.utf8))
                as? [[String: Any]])
        let digits = try #require(experts.first { $0["name"] as? String == "Aigerim" }?["safetyNumber"] as? String)
        let grouped = stride(from: 0, to: 60, by: 5).map { offset in
            String(Array(digits)[offset..<(offset + 5)])
        }.joined(separator: " ")
        let shown = try await inbox("aigerim", ["case", id, "--qr"])
        #expect(shown.output.contains(grouped), "\(shown)")
        #expect(try await amanat(["experts"]).output.contains(grouped))
        // The QR code Aigerim's terminal draws is what the defender scans.
        if QRScanner.enabled {
            let scanned = try await QRScanner.scan(shown.output)
            #expect(scanned.hasPrefix("amanat://safety/"), "\(scanned)")
            let wrongScan = try await amanat(["verify", "Daniyar", "--scan", scanned])
            #expect(wrongScan.status == 76, "\(wrongScan)")
            let scannedOK = try await amanat(["verify", "Aigerim", "--scan", scanned])
            #expect(scannedOK.status == 0, "\(scannedOK)")
        }
        // Aigerim verifies the case: a wrong number is refused in the user's language, the right one taken.
        var wrong = Array(digits)
        wrong[59] = wrong[59] == "0" ? "1" : "0"
        let refused = try await inbox("aigerim", ["verify", id, "--digits", String(wrong)], lang: "ru")
        #expect(refused.status == 76 && refused.error.contains("Не отвечайте"), "\(refused)")
        #expect(try await inbox("aigerim", ["verify", id]).status == 64)
        let accepted = try await inbox("aigerim", ["verify", String(id.prefix(6)), "--digits", grouped])
        #expect(accepted.status == 0, "\(accepted)")
        // Every later command (a new process each time) still knows it.
        let after = try #require(
            try JSONSerialization.jsonObject(with: Data(try await inbox("aigerim", ["cases", "--json"]).output.utf8))
                as? [[String: Any]])
        #expect(after.first?["verified"] as? Bool == true)
        #expect(try await inbox("aigerim", ["case", id]).output.contains("(verified)"))

        // Colleagues: grouped digits in `org devices`, and `org verify` by name.
        let devices = try await inbox("daniyar", ["org", "devices"])
        let list = try #require(
            try JSONSerialization.jsonObject(
                with: Data(try await inbox("daniyar", ["org", "devices", "--json"]).output.utf8)) as? [[String: Any]])
        let colleague = try #require(list.first { $0["name"] as? String == "Aigerim" }?["safetyNumber"] as? String)
        #expect(devices.output.contains(String(colleague.prefix(5)) + " " + String(colleague.dropFirst(5).prefix(5))))
        #expect(
            try await inbox("daniyar", ["org", "verify", "Aigerim", "--digits", String(colleague.reversed())]).status
                == 76)
        #expect(try await inbox("daniyar", ["org", "verify", "Aigerim", "--digits", colleague]).status == 0)
        let line = try #require(
            try await inbox("daniyar", ["org", "devices"]).output.split(separator: "\n").first {
                $0.hasPrefix("Aigerim")
            })
        #expect(line.hasSuffix("  verified") && !line.contains("not verified"), "\(line)")
    }
}
