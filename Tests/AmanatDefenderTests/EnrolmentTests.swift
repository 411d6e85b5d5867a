// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatDefender
import AmanatProtocol
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

/// Enrolment as a defender meets it: an invite copied by hand, an invite used twice, a laptop
/// that dies mid-way (issue #16). None of it may leave a dead profile or burn a voucher.
@Suite("amanat enroll under typos, reuse and interruption", .serialized)
struct EnrolmentTests {
    /// How many mailboxes and redeemed vouchers the relay's database holds (read with Python's
    /// sqlite3, beside the running relay).
    static func relayCounts(_ relay: LiveRelay) throws -> String {
        let script = """
            import sqlite3, sys
            db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
            print(db.execute("SELECT (SELECT count(*) FROM mailboxes), (SELECT count(*) FROM redeemed_vouchers)").fetchone())
            """
        let (output, status) = try runProgram(
            "/usr/bin/python3", ["-c", script, relay.directory.appendingPathComponent("relay.sqlite").path])
        #expect(status == 0, "\(output)")
        return output
    }

    @Test(
        "every one-character change of a real invite is refused before the relay hears of it, leaving no profile; the real invite then works once, and a second use says so",
        .timeLimit(.minutes(12)))
    func typos() async throws {
        let (organisation, _) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let invite = try organisation.invite()
        let text = invite.text
        let before = try Self.relayCounts(organisation.relay)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let characters = Array(text)
        var refused = 0
        var worked = 0
        for index in Invite.uriPrefix.count..<characters.count {
            var changed = characters
            let position = alphabet.firstIndex(of: changed[index]) ?? 0
            changed[index] = alphabet[(position + 1 + index % 7) % alphabet.count]
            let profile = organisation.directory("typo-\(index)")
            let run = try await runTool(
                "amanat",
                ["enroll", String(changed), "--profile", profile.path, "--passphrase-fd", "0", "--lang", "ru"],
                input: "пароль для опечатки\n")
            if run.status == 0 {
                worked += 1
            } else {
                refused += 1
                #expect(run.status == 65, "\(index): \(run)")
                #expect(run.error.contains(Catalogue.text("error.invalid-invite", .russian)), "\(index): \(run)")
                #expect(!FileManager.default.fileExists(atPath: profile.path), "\(index)")
            }
        }
        #expect(refused == characters.count - Invite.uriPrefix.count && worked == 0)
        #expect(try Self.relayCounts(organisation.relay) == before, "a typo reached the relay")

        // The real invite works, and prints the check code the administrator gave out.
        let profile = organisation.directory("defender")
        let common = ["--profile", profile.path, "--passphrase-fd", "0"]
        let enrolled = try await runTool("amanat", ["enroll", text] + common, input: "a long passphrase\n")
        #expect(enrolled.status == 0, "\(enrolled)")
        #expect(enrolled.output.contains(invite.checkCode))
        // A second device with the same invite: told plainly, and nothing is left behind.
        let again = organisation.directory("second-device")
        let reused = try await runTool(
            "amanat", ["enroll", text, "--profile", again.path, "--passphrase-fd", "0"],
            input: "another long passphrase\n")
        #expect(
            reused.status == 65 && reused.error.contains(Catalogue.text("error.used-invite", .english)), "\(reused)")
        #expect(!FileManager.default.fileExists(atPath: again.path))
    }

    @Test("an invite whose roster key does not open the organisation's roster is refused before the voucher is spent")
    func wrongRosterKey() async throws {
        let (organisation, _) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let good = try organisation.invite()
        let wrong = try Invite(
            relay: good.relay, pin: nil, rosterKey: SecureBytes.random(count: 32), voucher: good.voucher,
            signedBy: organisation.relay.root)
        let passphrase = SecureBytes(copying: Array("p".utf8))
        await #expect(throws: AccountError.invalidInvite) {
            try await Account.enrol(
                invite: wrong, at: organisation.directory("wrong"), passphrase: passphrase, cost: TestOrganisation.cost)
        }
        #expect(!FileManager.default.fileExists(atPath: organisation.directory("wrong").path))
        // The same voucher, with the right key: not spent.
        let account = try await Account.enrol(
            invite: good, at: organisation.directory("right"), passphrase: passphrase, cost: TestOrganisation.cost)
        #expect(await account.isEnrolled)
    }

    @Test(
        "the relay's answer to the redemption is lost: the profile stays, and the next sync finishes it (the relay answers the repeat alike)"
    )
    func lostAnswer() async throws {
        var (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        // While this file exists the proxy loses every answer to a mailbox creation (libcurl
        // itself repeats a request once when a reused connection dies).
        let flag = organisation.folder.appendingPathComponent("lose-answers")
        try Data().write(to: flag)
        let (proxy, port) = try startProxyFixture(
            "lossy_proxy.py", [String(organisation.relay.port), "POST /v1/mailboxes", flag.path])
        defer { proxy.terminate() }
        organisation.url = "http://127.0.0.1:\(port)"
        let directory = organisation.directory("lost")
        let passphrase = SecureBytes(copying: Array("lost answer".utf8))
        do {
            _ = try await Account.enrol(
                invite: try organisation.invite(), at: directory, passphrase: passphrase, cost: TestOrganisation.cost)
            Issue.record("the lost answer went unnoticed")
        } catch AccountError.transport(let error) {
            #expect(error.mayHaveBeenCarriedOut, "\(error)")
        }
        #expect(ProfileStore.exists(at: directory))
        let account = try Account.open(at: directory, passphrase: passphrase)
        #expect(await !account.isEnrolled)
        try FileManager.default.removeItem(at: flag)
        try await account.sync()
        #expect(await account.isEnrolled)
        try await account.sendCaseUpdate("AFTER-LOST-ANSWER")
        _ = try await expert.sync()
        #expect(try await expert.messages().contains { $0.text == "AFTER-LOST-ANSWER" })
    }

    @Test(
        "enrolment killed (SIGKILL) at random moments leaves no profile or one that works",
        .timeLimit(.minutes(12)))
    func interrupted() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        var random = SystemRandomNumberGenerator()
        var outcomes: [String] = []
        for round in 0..<10 {
            let profile = organisation.directory("killed-\(round)")
            let process = Process()
            process.executableURL = LiveRelay.binary.deletingLastPathComponent().appendingPathComponent("amanat")
            process.arguments = [
                "enroll", try organisation.invite().text, "--profile", profile.path, "--passphrase-fd", "0",
            ]
            process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C"]
            let input = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            input.fileHandleForWriting.offer(Data("passphrase \(round)\n".utf8))
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...2500, using: &random)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let common = ["--profile", profile.path, "--passphrase-fd", "0"]
            if !ProfileStore.exists(at: profile) {
                outcomes.append("none")
                // What a cut-short attempt left is not a profile, and a new enrolment there works.
                let retried = try await runTool(
                    "amanat", ["enroll", try organisation.invite().text] + common, input: "passphrase \(round)\n")
                #expect(retried.status == 0, "\(round): \(retried)")
            } else {
                outcomes.append(process.terminationReason == .exit ? "finished" : "profile")
            }
            // Either way the profile now works: it syncs and its update reaches the expert.
            let synced = try await runTool("amanat", ["sync"] + common, input: "passphrase \(round)\n")
            #expect(synced.status == 0, "\(round): \(synced)")
            let sent = try await runTool(
                "amanat", ["send", "KILLED-\(round)"] + common, input: "passphrase \(round)\n")
            #expect(sent.status == 0, "\(round): \(sent)")
        }
        _ = try await expert.sync()
        let texts = Set(try await expert.messages().map(\.text))
        for round in 0..<10 { #expect(texts.contains("KILLED-\(round)"), "round \(round): \(outcomes)") }
        print("enrolment kill rounds: \(outcomes)")
    }
}
