// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatInbox
import AmanatProtocol
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

/// `amanat-inbox shell` (issue #16): an expert's working session with one passphrase.
@Suite("amanat-inbox shell", .serialized)
struct InboxShellTests {
    @Test(
        "commands after one passphrase on a pseudo-terminal, serve refused inside, lock asks again, exit leaves",
        .timeLimit(.minutes(8)))
    func session() async throws {
        let workspace = try InboxWorkspace("shell")
        defer { workspace.remove() }
        let started = try await workspace.startOrganisation(admin: "admin", name: "Aigerim")
        #expect(started.created.status == 0, "\(started.created)")
        let relay = started.relay
        defer { relay.kill() }
        #expect(
            started.connected.status
                == 0)

        let passphrase = "passphrase for admin"
        let prompt = TerminalText.text("passphrase.prompt", .russian)
        let run = try await runOnTerminal(
            tool: "amanat-inbox",
            ["shell", "--profile", workspace.folder.appendingPathComponent("admin").path, "--lang", "ru"],
            answers: [
                (prompt, passphrase), ("amanat> ", "org invite"), ("amanat> ", "cases"), ("amanat> ", "org devices"),
                ("amanat> ", "serve"), ("amanat> ", "case \"unclosed"), ("amanat> ", "lock"), (prompt, passphrase),
                ("amanat> ", "sync"), ("amanat> ", "exit"),
            ], timeout: 90)
        #expect(!run.timedOut)
        #expect(run.status == 0)
        let output = run.output
        #expect(output.components(separatedBy: prompt).count - 1 == 2, "\(output)")
        #expect(output.contains("amanat://invite/"), "\(output)")
        #expect(output.contains("Aigerim"), "\(output)")
        #expect(output.contains(InboxCatalogue.text("shell.refused", .russian, ["serve"])), "\(output)")
        #expect(output.contains(InboxCatalogue.text("shell.quotes", .russian)), "\(output)")
        #expect(output.contains(InboxCatalogue.text("shell.locked", .russian)), "\(output)")
        #expect(output.contains(InboxCatalogue.text("shell.bye", .russian)), "\(output)")
    }
}
