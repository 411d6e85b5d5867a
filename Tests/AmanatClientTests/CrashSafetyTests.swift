// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatTestSupport
import Foundation
import Testing

@testable import AmanatClient

/// Runs the `amanat` binary on `profile` with the passphrase on standard input, and kills it with
/// SIGKILL after `killAfter` if it is still running. Returns whether it was killed.
func runAmanat(
    _ arguments: [String], profile: URL, passphrase: String, killAfter: Duration?
) async throws -> (killed: Bool, status: Int32) {
    let process = Process()
    process.executableURL = LiveRelay.binary.deletingLastPathComponent().appendingPathComponent("amanat")
    process.arguments = arguments + ["--profile", profile.path, "--passphrase-fd", "0"]
    let input = Pipe()
    process.standardInput = input
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    input.fileHandleForWriting.offer(Data((passphrase + "\n").utf8))
    try input.fileHandleForWriting.close()
    var killed = false
    if let killAfter {
        try await Task.sleep(for: killAfter)
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            killed = true
        }
    }
    while process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
    return (killed && process.terminationReason == .uncaughtSignal, process.terminationStatus)
}

@Suite("Crash safety", .serialized)
struct CrashSafetyTests {
    @Test(
        "a client killed with SIGKILL at random points of send, sync and receive loses and duplicates nothing",
        .timeLimit(.minutes(10)))
    func killedClient() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        // The defender's profile is made here with a cheap Argon2 cost (the header records it);
        // from then on only the `amanat` child processes touch it.
        let profile = organisation.directory("defender")
        _ = try await organisation.enrolDefender("defender")
        let passphrase = "pass defender"

        var random = SplitMix(seed: 2026)
        var kills = 0
        var killedSends = 0
        var replies: Set<String> = []
        var repliedTo: Set<Data> = []
        for round in 0..<20 {
            let sendDelay = Duration.milliseconds(Int(random.next() % 160))
            let send = try await runAmanat(
                ["send", "crash-message-\(round)"], profile: profile, passphrase: passphrase, killAfter: sendDelay)
            if send.killed {
                kills += 1
                killedSends += 1
            }
            // The expert answers whatever has arrived, so the defender has replies to receive.
            _ = try await expert.sync()
            for message in try await expert.messages() where message.direction == .incoming {
                guard !repliedTo.contains(message.id), let sender = message.sender else { continue }
                let text = "reply-to-\(message.text)"
                _ = try await expert.reply(to: try IdentityKey(decoding: Array(sender)), text: text)
                repliedTo.insert(message.id)
                replies.insert(text)
            }
            let syncDelay = Duration.milliseconds(Int(random.next() % 160))
            if try await runAmanat(["sync"], profile: profile, passphrase: passphrase, killAfter: syncDelay).killed {
                kills += 1
            }
        }
        // After the crashes: run to completion, both sides, until nothing moves.
        for _ in 0..<3 {
            let status = try await runAmanat(["sync"], profile: profile, passphrase: passphrase, killAfter: nil).status
            #expect(status == 0)
            _ = try await expert.sync()
        }
        let defender = try Account.open(at: profile, passphrase: SecureBytes(copying: Array(passphrase.utf8)))
        #expect(try await defender.queuedCount() == 0)
        let defenderMessages = try await defender.messages()
        let committed = defenderMessages.filter { $0.direction == .outgoing }
        let expertMessages = try await expert.messages()
        let arrived = expertMessages.filter { $0.direction == .incoming }
        // Every message the defender committed arrived exactly once, and nothing else did.
        #expect(arrived.count == Set(arrived.map(\.id)).count)
        #expect(Set(arrived.map(\.id)) == Set(committed.map(\.id)))
        #expect(committed.allSatisfy { ($0.deliveryState ?? .queued) >= .submitted })
        // A send killed before its commit left nothing; every other one is there.
        #expect(committed.count >= 20 - killedSends && committed.count <= 20)
        // Every reply reached the defender exactly once.
        let received = defenderMessages.filter { $0.direction == .incoming }.map(\.text)
        #expect(received.count == Set(received).count)
        #expect(Set(received) == replies)
        print(
            "crash safety: 20 rounds, \(kills) kills (\(killedSends) during send), \(committed.count) messages "
                + "committed and delivered once each, \(received.count) replies received once each")
    }
}
