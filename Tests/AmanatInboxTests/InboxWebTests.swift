// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatProtocol
import AmanatTestSupport
import Foundation
import Testing

/// The web UI in a real browser: headless Chromium driven by Selenium (Tests/Browser/inbox_ui.py,
/// from the virtual environment scripts/test prepares), against `amanat-inbox serve` on a real
/// profile with a real relay and defender. Skipped without the browser tools, except in CI.
@Suite("amanat-inbox serve in a browser", .serialized, .enabled(if: BrowserTools.enabled))
struct InboxWebTests {
    @Test(
        "log in, filter and sort, open a case (nothing marked read by looking), see its photo and PDF inline, save its triage at once, mark it read, sync back to the page, reply with a file; CSRF, Host and file-type checks hold",
        .timeLimit(.minutes(10)))
    func browser() async throws {
        let workspace = try InboxWorkspace("web")
        defer { workspace.remove() }
        let folder = workspace.folder
        func inbox(_ arguments: [String]) async throws -> Run {
            try await workspace.inbox("expert", arguments, lang: nil)
        }
        let started = try await workspace.startOrganisation(admin: "expert", name: "Aigerim", lang: nil)
        let relay = started.relay
        defer { relay.kill() }
        #expect(started.connected.status == 0)
        let defender = try await Account.enrol(
            invite: try AmanatProtocol.Invite(
                text: String(try await inbox(["org", "invite"]).output.split(separator: "\n").last ?? "")),
            at: folder.appendingPathComponent("defender"),
            passphrase: SecureBytes(copying: Array("defender passphrase".utf8)), cost: TestOrganisation.cost)
        let update = "Обыск в офисе, изъяли ноутбук"
        // What a help desk shows inline: a photo and a PDF; and a "PDF" that is an HTML page.
        let photo = BrowserTools.repository.appendingPathComponent("Tests/Fixtures/court-paper-gps.jpg")
        let pdf = folder.appendingPathComponent("постановление.pdf")
        try Data(Self.minimalPDF.utf8).write(to: pdf)
        let disguised = folder.appendingPathComponent("evil.pdf")
        try Data("<html><script>alert(1)</script></html>".utf8).write(to: disguised)
        try await defender.sendCaseUpdate(
            update, attachments: [OutgoingFile(url: photo), OutgoingFile(url: pdf), OutgoingFile(url: disguised)])
        #expect(try await inbox(["sync"]).status == 0)
        let listing = try await inbox(["cases", "--json"])
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(listing.output.utf8)) as? [[String: Any]])
        let label = try #require(cases.first?["case"] as? String)

        // serve, on a free port, until the browser is done.
        let (serve, login) = try await workspace.serve("expert")
        defer { if serve.isRunning { serve.interrupt() } }
        // A second serve on the same port says so, with a usage exit code, and prints no link.
        let port = try #require(URLComponents(string: login)?.port)
        let busy = try await inbox(["serve", "--port", String(port)])
        #expect(busy.status == 64 && busy.error.contains("Port \(port) on 127.0.0.1 is in use"), "\(busy)")
        #expect(!busy.output.contains("login?token="))

        let attachment = folder.appendingPathComponent("ходатайство.txt")
        try Data("ходатайство о вызове свидетеля".utf8).write(to: attachment)
        var arguments = [
            BrowserTools.repository.appendingPathComponent("Tests/Browser/inbox_ui.py").path, login, label, update,
            attachment.path,
        ]
        if let screenshots = ProcessInfo.processInfo.environment["AMANAT_SCREENSHOTS"] { arguments.append(screenshots) }
        let browser = try await runTool(BrowserTools.python.path, arguments)
        #expect(browser.status == 0, "\(browser)")
        #expect(browser.output.contains("browser test passed"))
        serve.interrupt()
        serve.waitUntilExit()

        // The defender got the reply and its file, the status change stayed with the experts.
        let summary = try await defender.sync()
        #expect(summary.received == 1)
        let reply = try #require(try await defender.messages().last)
        #expect(
            reply.text == "Received, a lawyer will call you."
                && reply.attachments.map(\.fileName) == ["ходатайство.txt"])
        let after = try await inbox(["cases", "--json"])
        #expect(after.output.contains(#""status":"in-progress""#), "\(after)")

        // The defender's phone is taken: the administrator reports it from the case page.
        let (again, secondLogin) = try await workspace.serve("expert")
        defer { if again.isRunning { again.interrupt() } }
        var seizureArguments = [
            BrowserTools.repository.appendingPathComponent("Tests/Browser/seizure_ui.py").path, secondLogin, label,
        ]
        if let screenshots = ProcessInfo.processInfo.environment["AMANAT_SCREENSHOTS"] {
            seizureArguments.append(screenshots)
        }
        let seizure = try await runTool(BrowserTools.python.path, seizureArguments)
        #expect(seizure.status == 0, "\(seizure)")
        #expect(seizure.output.contains("seizure browser test passed"))
        again.interrupt()
        again.waitUntilExit()
        // The seized profile's next sync wipes it.
        await #expect(throws: AccountError.wipedBySeizureOrder) { try await defender.sync() }
        #expect(!ProfileStore.exists(at: folder.appendingPathComponent("defender")))
    }

    /// A one-page PDF with the text "Amanat", small enough to read.
    static let minimalPDF = """
        %PDF-1.4
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
        3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >> endobj
        4 0 obj << /Length 44 >> stream
        BT /F1 24 Tf 20 40 Td (Amanat) Tj ET
        endstream endobj
        trailer << /Root 1 0 R >>
        %%EOF

        """

    /// Reads serve's output until the login link appears (it prints it once it listens).
    static func loginURL(from handle: FileHandle) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var text = ""
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    text += String(decoding: data, as: UTF8.self)
                    if let range = text.range(
                        of: #"http://127\.0\.0\.1:[0-9]+/login\?token=[A-Za-z0-9_-]+"#, options: .regularExpression),
                        text[range.upperBound...].contains("\n")
                    {
                        continuation.resume(returning: String(text[range]))
                        return
                    }
                }
                continuation.resume(throwing: ServeDidNotStart(output: text))
            }
        }
    }

    struct ServeDidNotStart: Error, CustomStringConvertible {
        let output: String
        var description: String { "amanat-inbox serve printed no login link: \(output)" }
    }
}

/// Where the browser test's tools are.
enum BrowserTools {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
    static var python: URL { repository.appendingPathComponent(".build/browser-venv/bin/python") }
    /// With the virtual environment and chromedriver; and always in CI, where missing tools must
    /// fail rather than skip the test.
    static var enabled: Bool {
        (FileManager.default.isExecutableFile(atPath: python.path)
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"))
            || ProcessInfo.processInfo.environment["CI"] == "true"
    }
}
