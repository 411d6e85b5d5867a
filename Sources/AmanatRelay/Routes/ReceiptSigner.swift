// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Synchronization

/// Signs deposit receipts together (SPEC.md §8.4.1): the receipts asked for while a signature is
/// being made wait and go under the next one, up to 256 per tree, so a burst of deposits (one
/// group commit's answers) costs one Ed25519 signature instead of one each.
///
/// It is only ever asked after a deposit has committed durably, so batching changes when the
/// answer goes, never what it says.
final class ReceiptSigner: Sendable {
    typealias Deposit = (mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64)

    private struct State {
        var queue: [(Deposit, CheckedContinuation<DepositReceipt, Never>)] = []
        var signing = false
    }

    private let key: Ed25519.PrivateKey
    private let state = Mutex(State())
    /// The most receipts under one signature: a tree's 256 slots.
    private let maximumBatch = 1 << DepositReceipt.Proof.depth

    init(key: Ed25519.PrivateKey) {
        self.key = key
    }

    /// The receipt for a deposit that has committed, signed with the others asked for meanwhile.
    func receipt(mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64) async -> DepositReceipt {
        await withCheckedContinuation { continuation in
            let startSigner = state.withLock { state in
                state.queue.append(((mailbox, digest, time), continuation))
                guard !state.signing else { return false }
                state.signing = true
                return true
            }
            // Started as a task of its own, which usually runs after the answers already waiting
            // to run: those that a group commit has just released then join this first tree
            // (batching depends on it; correctness does not).
            if startSigner { Task { await self.drain() } }
        }
    }

    /// Signs trees until nobody waits.
    private func drain() async {
        while true {
            let batch = state.withLock { state in
                let batch = Array(state.queue.prefix(maximumBatch))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.signing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            RelayMetrics.receiptTrees.increment()
            let receipts = DepositReceipt.signed(batch.map(\.0), by: key)
            for ((_, continuation), receipt) in zip(batch, receipts) {
                continuation.resume(returning: receipt)
            }
            // The answers just released, and the other requests, run before the next tree: under
            // constant load this loop must not hold one of the few concurrency threads for good.
            await Task.yield()
        }
    }
}
