// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatDefender
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

/// `amanat sync --watch` on a link that drops (issue #16): it must keep trying, say so, and
/// deliver what was queued once the relay is back.
@Suite("amanat sync --watch across a relay outage", .serialized)
struct WatchTests {
    @Test(
        "the relay stops: --watch says when it will try again, keeps running, and delivers the queued update when the relay is back",
        .timeLimit(.minutes(8)))
    func outage() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let profile = organisation.directory("watcher")
        let common = ["--profile", profile.path, "--passphrase-fd", "0", "--lang", "ru"]
        let passphrase = "пароль для наблюдения\n"
        #expect(
            try await runTool("amanat", ["enroll", try organisation.invite().text] + common, input: passphrase).status
                == 0)
        organisation.relay.kill()
        let queued = try await runTool("amanat", ["send", "QUEUED-DURING-OUTAGE"] + common, input: passphrase)
        #expect(queued.status == 75, "\(queued)")

        let output = organisation.folder.appendingPathComponent("watch.log")
        #expect(FileManager.default.createFile(atPath: output.path, contents: nil))
        let watch = Process()
        watch.executableURL = LiveRelay.binary.deletingLastPathComponent().appendingPathComponent("amanat")
        watch.arguments = ["sync", "--watch"] + common
        watch.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C"]
        let input = Pipe()
        watch.standardInput = input
        watch.standardOutput = try FileHandle(forWritingTo: output)
        watch.standardError = FileHandle.nullDevice
        try watch.run()
        defer { if watch.isRunning { watch.terminate() } }
        input.fileHandleForWriting.offer(Data(passphrase.utf8))
        func log() -> String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
        let down = Catalogue.text("watch.down", .russian, ["", ""]).prefix(20)
        for _ in 0..<100 where !log().contains(down) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(log().contains(down), "\(log())")
        try await Task.sleep(for: .seconds(3))
        #expect(watch.isRunning, "--watch gave up: \(log())")

        try await organisation.relay.start()
        var delivered = false
        for _ in 0..<120 where !delivered {
            _ = try? await expert.sync()
            delivered = try await expert.messages().contains { $0.text == "QUEUED-DURING-OUTAGE" }
            if !delivered { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(delivered, "\(log())")
        #expect(watch.isRunning)
        #expect(log().contains(Catalogue.text("watch.back", .russian)), "\(log())")
    }
}
