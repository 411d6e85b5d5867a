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
        .timeLimit(.minutes(3)))
    func session() async throws {
        let workspace = try InboxWorkspace("shell")
        defer { workspace.remove() }
        let created = try await workspace.inbox("admin", ["org", "init"])
        #expect(created.status == 0, "\(created)")
        let root = created.output.split(separator: "\n")[1]
        let key = try Ed25519.PublicKey(rawRepresentation: try #require(Base64URL.decode(String(root))))
        let relay = try LiveRelay(organisationRoot: key)
        try await relay.start()
        defer { relay.kill() }
        #expect(
            try await workspace.inbox("admin", ["org", "connect", "--relay", relay.url, "--name", "Aigerim"]).status
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
