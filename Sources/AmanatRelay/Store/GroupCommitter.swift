// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import Logging
import Synchronization

/// A deposit waiting for the next group commit.
struct PendingDeposit: Sendable {
    let envelope: [UInt8]
    let digest: EnvelopeDigest
    let mailbox: MailboxID
    let token: DepositTokenValue
    let now: UInt64
    let quota: MailboxQuota
}

/// Group commit for deposits: concurrent deposits are written in one transaction, so one fsync
/// makes a whole batch durable instead of one fsync per envelope.
///
/// The first deposit to arrive when no batch is being written starts a writer; deposits that
/// arrive while it writes queue up and go together in its next transaction. Each caller is
/// answered only after the transaction holding its deposit has committed durably (the store's
/// `writeBatch` returns only then). A deposit refused by its own checks (unknown mailbox, quota)
/// gets its error without affecting the others; a failure of the transaction itself fails the
/// whole batch, and nothing of it is acknowledged.
final class GroupCommitter: Sendable {
    private struct State {
        var queue: [(PendingDeposit, CheckedContinuation<Result<DepositOutcome, RelayError>, Never>)] = []
        var writing = false
        var transactions = 0
        var largestBatch = 0
    }

    /// Writes one batch in one transaction and returns each deposit's result, in order, once it
    /// has committed; throws if the transaction failed.
    typealias BatchWriter = @Sendable ([PendingDeposit]) async throws -> [Result<DepositOutcome, RelayError>]

    private let writeBatch: BatchWriter
    private let state = Mutex(State())
    /// The most deposits in one transaction (up to 64 KiB each: at most 16 MiB per commit).
    private let maximumBatch = 256
    /// Where a failed transaction is reported, by the kind of error only (`describe`), never
    /// with a mailbox, digest or size.
    private let logger: Logger
    private let describe: @Sendable (any Error) -> String

    init(
        logger: Logger = Logger(label: "amanat-relay.store"),
        describe: @escaping @Sendable (any Error) -> String = { "\(type(of: $0))" },
        writeBatch: @escaping BatchWriter
    ) {
        self.logger = logger
        self.describe = describe
        self.writeBatch = writeBatch
    }

    /// Transactions written so far, and the most deposits one of them held.
    var statistics: (transactions: Int, largestBatch: Int) {
        state.withLock { ($0.transactions, $0.largestBatch) }
    }

    /// Queues a deposit for the next group commit; its outcome once that has committed.
    func deposit(
        _ envelope: [UInt8], digest: EnvelopeDigest, into mailbox: MailboxID, token: DepositTokenValue, now: UInt64,
        quota: MailboxQuota
    ) async throws(RelayError) -> DepositOutcome {
        try await deposit(
            PendingDeposit(envelope: envelope, digest: digest, mailbox: mailbox, token: token, now: now, quota: quota)
        ).get()
    }

    func deposit(_ deposit: PendingDeposit) async -> Result<DepositOutcome, RelayError> {
        await withCheckedContinuation { continuation in
            let startWriter = state.withLock { state in
                state.queue.append((deposit, continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if startWriter {
                Task { await self.drain() }
            }
        }
    }

    /// Writes batches until the queue is empty.
    private func drain() async {
        while true {
            let batch = state.withLock { state in
                let batch = Array(state.queue.prefix(maximumBatch))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.writing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            RelayMetrics.groupCommits.increment()
            RelayMetrics.groupCommitDeposits.increment(by: batch.count)
            state.withLock { state in
                state.transactions += 1
                state.largestBatch = max(state.largestBatch, batch.count)
            }
            let deposits = batch.map(\.0)
            var results = Array(
                repeating: Result<DepositOutcome, RelayError>.failure(.storageFailure), count: batch.count)
            do {
                let written = try await writeBatch(deposits)
                if written.count == batch.count {
                    results = written
                } else {
                    logger.error("a group commit answered for the wrong number of deposits; none is acknowledged")
                }
            } catch {
                // Nothing of the batch is acknowledged: every sender tries again.
                logger.error(
                    "a group commit failed; none of its deposits is acknowledged",
                    metadata: ["error": "\(describe(error))", "deposits": "\(batch.count)"])
            }
            for ((_, continuation), result) in zip(batch, results) {
                continuation.resume(returning: result)
            }
        }
    }
}
