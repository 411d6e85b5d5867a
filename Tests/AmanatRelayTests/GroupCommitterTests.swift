// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import Logging
import Synchronization
import Testing

@testable import AmanatRelay

/// A log handler that keeps what it is given, for checking what a log would show.
final class CapturedLog: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let text = "\(event.level) \(event.message) \(event.metadata ?? [:])"
        lines.withLock { $0.append(text) }
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}

@Suite("Group commit")
struct GroupCommitterTests {
    struct Broken: Error {}

    @Test("a failed transaction answers every deposit storage_failure and is logged by its kind, without ids")
    func failedTransaction() async {
        let captured = CapturedLog()
        let committer = GroupCommitter(logger: Logger(label: "test") { _ in captured }) { _ in throw Broken() }
        let mailbox = MailboxID.random()
        let deposit = PendingDeposit(
            envelope: [UInt8](repeating: 7, count: 2048), digest: .random(), mailbox: mailbox, token: .random(),
            now: 1_800_000_000,
            quota: MailboxQuota(maximumEnvelopes: 10, maximumBytes: 1 << 20))
        let result = await committer.deposit(deposit)
        guard case .failure(let error) = result else {
            Issue.record("a deposit was acknowledged though its transaction failed")
            return
        }
        #expect(error == .storageFailure)
        #expect(captured.text.contains("a group commit failed") && captured.text.contains("Broken"), "\(captured.text)")
        for secret in [mailbox.bytes, deposit.digest.bytes, deposit.token.bytes] {
            #expect(!captured.text.contains(Base64URL.encode(secret)) && !captured.text.contains(hexText(secret)))
        }
    }

    func hexText(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
