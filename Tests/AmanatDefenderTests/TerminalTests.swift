// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatDefender
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Synchronization
import Testing

/// Runs `amanat` on a pseudo-terminal, typing `answers` when their prompts appear; returns
/// what the terminal showed and the exit status.
func amanatOnTerminal(_ arguments: [String], answers: [(String, String)]) async throws -> (output: String, status: Int)
{
    let run = try await runOnTerminal(tool: "amanat", arguments, answers: answers)
    #expect(!run.timedOut, "the program was still running after the deadline")
    return (run.output, run.status)
}

@Suite("amanat on a terminal", .serialized)
struct TerminalTests {
    @Test(
        "the passphrase prompt does not echo, uploads draw a progress bar, three wrong passphrases end cleanly",
        .timeLimit(.minutes(8)))
    func terminal() async throws {
        let (organisation, _) = try await TestOrganisation.started()
        defer { organisation.remove() }
        _ = try await organisation.enrolDefender("defender")
        let profile = organisation.directory("defender").path
        let passphrase = "pass defender"

        let file = organisation.folder.appendingPathComponent("scan.pdf")
        try Data(count: 3 << 20).write(to: file)
        let sent = try await amanatOnTerminal(
            ["send", "papers", "--attach", file.path, "--profile", profile],
            answers: [("Passphrase: ", passphrase)])
        #expect(sent.status == 0, "\(sent.output)")
        #expect(sent.output.contains("Passphrase: "))
        #expect(!sent.output.contains(passphrase), "the passphrase was echoed")
        #expect(sent.output.contains("scan.pdf [") && sent.output.contains("#") && sent.output.contains("100%"))
        #expect(sent.output.contains(Catalogue.text("sent", .english, ["1", ""]).components(separatedBy: ".")[0]))

        let refused = try await amanatOnTerminal(
            ["inbox", "--profile", profile, "--lang", "ru"],
            answers: [
                ("Парольная фраза: ", "wrong one"), ("Парольная фраза: ", "wrong two"),
                ("Парольная фраза: ", "wrong three"),
            ])
        #expect(refused.status == 77, "\(refused.output)")
        #expect(refused.output.components(separatedBy: Catalogue.text("error.wrong-passphrase", .russian)).count == 3)
        #expect(refused.output.contains(Catalogue.text("error.wrong-passphrase-final", .russian)))
        #expect(!refused.output.contains("wrong one") && !refused.output.contains("Fatal"))

        // The wipe asks for the word its question names, in the user's language: in Russian
        // "YES" does not wipe, "да" does.
        let kept = try await amanatOnTerminal(
            ["wipe", "--profile", profile, "--lang", "ru"], answers: [("введите ДА: ", "YES")])
        #expect(kept.status == 0 && kept.output.contains(Catalogue.text("wipe.cancelled", .russian)), "\(kept.output)")
        #expect(ProfileStore.exists(at: organisation.directory("defender")))
        let wiped = try await amanatOnTerminal(
            ["wipe", "--profile", profile, "--lang", "ru"], answers: [("введите ДА: ", "да")])
        #expect(wiped.status == 0 && wiped.output.contains(Catalogue.text("wipe.done", .russian)), "\(wiped.output)")
        #expect(!ProfileStore.exists(at: organisation.directory("defender")))
    }

    @Test(
        "an update typed at the prompt (several lines, Ctrl-D) reaches the expert, and never shows in ps",
        .timeLimit(.minutes(8)))
    func typedUpdate() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        _ = try await organisation.enrolDefender("typist")
        let profile = organisation.directory("typist").path
        let secret = "ТАЙНА-\(UUID().uuidString.prefix(8))"
        // Everyone's command lines, as another user of the machine sees them, while the send runs.
        let watching = Mutex(true)
        let seen = Mutex(false)
        Thread.detachNewThread {
            while watching.withLock({ $0 }) {
                // (The test's own terminal driver holds the answers in its arguments: not counted.)
                if let (listing, _) = try? runProgram("/bin/ps", ["-eo", "args"]),
                    listing.split(separator: "\n").contains(where: { $0.contains(secret) && !$0.contains("pty-drive") })
                {
                    seen.withLock { $0 = true }
                }
                usleep(50_000)
            }
        }
        let typed = try await amanatOnTerminal(
            ["send", "--profile", profile, "--lang", "ru"],
            answers: [
                (
                    Catalogue.text("send.prompt", .russian).trimmingCharacters(in: .newlines),
                    "\(secret) задержан\nвторая строка\n\u{04}"
                ),
                ("Парольная фраза: ", "pass typist"),
            ])
        watching.withLock { $0 = false }
        #expect(typed.status == 0, "\(typed.output)")
        #expect(!seen.withLock { $0 }, "the update appeared in ps")
        _ = try await expert.sync()
        #expect(try await expert.messages().contains { $0.text == "\(secret) задержан\nвторая строка" })
        // Text on the command line still works, with a warning.
        let argv = try await runTool(
            "amanat", ["send", "на виду", "--profile", profile, "--passphrase-fd", "0"], input: "pass typist\n")
        #expect(argv.status == 0 && argv.error.contains(Catalogue.text("send.argv-warning", .english)), "\(argv)")
        // And from standard input, with the passphrase on another descriptor.
        let passphraseFile = organisation.folder.appendingPathComponent("passphrase")
        try Data("pass typist\n".utf8).write(to: passphraseFile)
        let binary = LiveRelay.binary.deletingLastPathComponent().appendingPathComponent("amanat").path
        let piped = try await runTool(
            "/bin/sh",
            [
                "-c", "\"$0\" send --text-file - --profile \"$1\" --passphrase-fd 3 3<\"$2\"", binary, profile,
                passphraseFile.path,
            ], input: "ИЗ-КАНАЛА\n")
        #expect(piped.status == 0, "\(piped)")
        _ = try await expert.sync()
        #expect(try await expert.messages().contains { $0.text.hasPrefix("ИЗ-КАНАЛА") })
    }
}
