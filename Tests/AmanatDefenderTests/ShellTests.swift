// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatDefender
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

/// `amanat shell` as a defender uses it (issue #16): one passphrase for a run of commands, a
/// lock when the laptop is left alone, and Ctrl-D to leave.
@Suite("amanat shell: unlock once, lock when idle", .serialized)
struct ShellTests {
    @Test(
        "five commands after one passphrase on a pseudo-terminal (a send among them reaches the expert), an idle lock that asks again, Ctrl-D leaves",
        .timeLimit(.minutes(10)))
    func unlockOnce() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let (common, passphrase) = try await enrolRussianDefender(in: organisation)
        let profile = common[common.firstIndex(of: "--profile")! + 1]
        let passphrasePrompt = TerminalText.text("passphrase.prompt", .russian)
        let prompt = "amanat> "
        let secret = "Обыск в офисе, изъяли ноутбук"
        let session = try await amanatOnTerminal(
            ["shell", "--profile", profile, "--lock-after", "3s", "--lang", "ru"],
            answers: [
                (passphrasePrompt, String(passphrase.dropLast())), (prompt, "status"), (prompt, "experts"),
                (prompt, "send \"\(secret)\""), (prompt, "inbox"), (prompt, "config"),
                // Nothing typed now: the shell locks after three seconds and asks again.
                (passphrasePrompt, String(passphrase.dropLast())), (prompt, "sync"), (prompt, "\u{4}"),
            ])
        #expect(session.status == 0, "\(session.output)")
        let output = session.output
        #expect(output.components(separatedBy: passphrasePrompt).count - 1 == 2, "\(output)")
        #expect(output.contains(TerminalText.text("shell.locked-idle", .russian, ["3 с"])), "\(output)")
        #expect(output.contains(TerminalText.text("shell.bye", .russian)), "\(output)")
        // Each command answered, in Russian, without a passphrase of its own.
        #expect(output.contains(Catalogue.text("status.queued", .russian, ["0"])), "\(output)")
        #expect(output.contains("Expert"), "\(output)")
        #expect(output.contains(Catalogue.text("sent", .russian, ["1", ""]).prefix(12)), "\(output)")
        #expect(output.contains(Catalogue.text("status.read-receipts.on", .russian)), "\(output)")
        #expect(output.contains(Catalogue.text("synced", .russian, ["0", "0", "0"])), "\(output)")
        // Typed inside the shell, the text was never a command line: no warning about `ps`.
        #expect(!output.contains(Catalogue.text("send.argv-warning", .russian)), "\(output)")
        try await expert.sync()
        #expect(try await expert.messages().contains { $0.text == secret })

        // Locked, Ctrl-D at the passphrase prompt leaves as the message says, with exit 0.
        let left = try await amanatOnTerminal(
            ["shell", "--profile", profile, "--lock-after", "1s", "--lang", "ru"],
            answers: [
                (passphrasePrompt, String(passphrase.dropLast())), (prompt, "lock"), (passphrasePrompt, "\u{4}"),
            ])
        #expect(left.status == 0, "\(left.output)")
        #expect(left.output.contains(TerminalText.text("shell.bye", .russian)), "\(left.output)")
    }

    @Test("idle times: 90s, 5m, 1h and plain minutes; nonsense and extremes refused")
    func idleTimes() {
        #expect(InteractiveShell.idleSeconds("90s") == 90)
        #expect(InteractiveShell.idleSeconds("5m") == 300)
        #expect(InteractiveShell.idleSeconds("1h") == 3600)
        #expect(InteractiveShell.idleSeconds("2") == 120)
        #expect(InteractiveShell.idleSeconds("1,5") == 90)
        #expect(InteractiveShell.idleSeconds("10 мин") == 600)
        for bad in ["", "soon", "0s", "-5m", "25h", "nan"] {
            #expect(InteractiveShell.idleSeconds(bad) == nil, "\(bad)")
        }
        #expect(LocalTime.duration(300, .russian) == "5 мин" && LocalTime.duration(90, .english) == "1 min 30 s")
    }
}
