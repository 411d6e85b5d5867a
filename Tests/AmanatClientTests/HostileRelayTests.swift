// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatTestSupport
import Foundation
import Testing

@testable import AmanatClient

/// Tests/Fixtures/hostile_relay.py in front of the real relay, in one of its modes; the file it
/// counts in.
struct HostileRelay {
    let process: Process
    let url: String
    let counter: URL

    init(_ mode: String, in organisation: TestOrganisation) throws {
        counter = organisation.folder.appendingPathComponent("\(mode).count")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            repositoryRoot.appendingPathComponent("Tests/Fixtures/hostile_relay.py").path,
            String(organisation.relay.port), mode, counter.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw NoPort()
        }
        url = "http://127.0.0.1:\(port)"
    }

    var count: Int { (try? String(contentsOf: counter, encoding: .utf8)).flatMap(Int.init) ?? 0 }

    func stop() { process.terminate() }

    struct NoPort: Error {}
}

@Suite("Account: a relay that misbehaves", .serialized)
struct HostileRelayTests {
    @Test(
        "sync against a relay that answers every fetch with envelopes ends at its bound, stores nothing twice and says more may wait",
        // 41 pages of 100 envelopes through a Python relay: 86-98 s in a full run here, 139 s in
        // one fresh-clone CI run.
        .timeLimit(.minutes(5)))
    func endlessPages() async throws {
        var (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let hostile = try HostileRelay("replay-fetch", in: organisation)
        defer { hostile.stop() }
        organisation.url = hostile.url
        let defender = try await organisation.enrolDefender("defender")
        try await defender.sendCaseUpdate("Нас выселяют")
        #expect(try await expert.sync().received == 1)
        try await expert.reply(to: try await defender.ownIdentity(), text: "Юрист приедет")

        let summary = try await defender.sync()
        #expect(summary.moreWaiting && summary.received == 1, "\(summary)")
        // Full pages of the same envelopes: the sync stops at its bound of pages or of bytes
        // (64 MiB of 16 KiB envelopes come first: 41 pages of 100).
        let byBytes = (Account.maximumBytesPerSync + 100 * 16_384 - 1) / (100 * 16_384)
        #expect(hostile.count == min(Account.maximumPagesPerSync, byBytes), "\(hostile.count) fetches")
        #expect(try await defender.messages().filter { $0.direction == .incoming }.count == 1)
    }

    @Test(
        "a deposit receipt whose tree proof was altered is refused: the update stays queued, goes again, and keeps a proof that verifies",
        .timeLimit(.minutes(3)))
    func forgedReceiptProof() async throws {
        var (organisation, _) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let hostile = try HostileRelay("forged-proof", in: organisation)
        defer { hostile.stop() }
        organisation.url = hostile.url
        let defender = try await organisation.enrolDefender("defender")
        // The first receipt comes back altered: not accepted as proof, so nothing leaves the
        // outbox on its strength.
        let first = try await defender.sendCaseUpdate("Обыск назначен на среду")
        #expect(first.deliveryState == .queued && first.deliveries.allSatisfy { $0.receiptSignature == nil })
        #expect(hostile.count == 1)
        #expect(try await defender.queuedCount() > 0)
        // Sent again (the relay has it already, and answers the same way): now with a receipt
        // whose proof leads to the relay's signed root.
        _ = try await defender.sync()
        #expect(try await defender.queuedCount() == 0)
        let sent = try #require(try await defender.messages().first { $0.direction == .outgoing })
        #expect(sent.deliveryState == .submitted || sent.deliveryState == .delivered)
        // The relay key the defender learnt at enrolment (from the invite, not from this relay).
        let relayKey = try Ed25519.PublicKey(
            rawRepresentation: Array(try #require(try await defender.loadState()).relayKey))
        for delivery in sent.deliveries {
            let mailbox = try #require(delivery.receiptMailbox.flatMap { MailboxID(Array($0)) })
            let digest = try #require(delivery.receiptDigest.flatMap { EnvelopeDigest(Array($0)) })
            let signature = try #require(delivery.receiptSignature)
            let proof = try #require(delivery.receiptProof.flatMap { DepositReceipt.Proof(encoded: Array($0)) })
            let receipt = DepositReceipt(
                mailbox: mailbox, digest: digest, time: try #require(delivery.submittedAt),
                signature: Array(signature), proof: proof)
            #expect(receipt.isValid(relayKey: relayKey))
        }
    }

    @Test(
        "an attachment chunk corrupted on the way is downloaded again, not marked damaged for good",
        .timeLimit(.minutes(2)))
    func corruptedChunk() async throws {
        let relay = try LiveRelay()
        try await relay.start()
        var organisation = try TestOrganisation(relay: relay)
        defer { organisation.remove() }
        let hostile = try HostileRelay("corrupt-chunk", in: organisation)
        defer { hostile.stop() }
        organisation.url = hostile.url
        let expert = try await organisation.enrolExpert("expert")
        try await organisation.publishRoster([("Expert", expert)], version: 1)
        let defender = try await organisation.enrolDefender("defender")
        let file = organisation.directory("протокол.txt")
        try Data(repeating: 0x41, count: 300_000).write(to: file)
        try await defender.sendCaseUpdate("Протокол обыска", attachments: [OutgoingFile(url: file)])

        let summary = try await expert.sync()
        #expect(hostile.count == 1, "the proxy corrupted one chunk")
        #expect(summary.downloaded == 1, "\(summary)")
        let message = try #require(try await expert.messages().first)
        #expect(message.attachments.map(\.state) == [.stored])
        let saved = organisation.directory("saved.txt")
        try await expert.saveAttachment(of: message.id, index: 0, to: saved)
        #expect(try Data(contentsOf: saved) == Data(repeating: 0x41, count: 300_000))
    }
}
