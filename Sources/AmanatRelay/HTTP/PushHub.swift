// SPDX-License-Identifier: AGPL-3.0-or-later

import Metrics
import Synchronization

/// Who is waiting for news of which mailbox: WebSocket push connections and long-poll requests.
///
/// A deposit that stored something new calls ``notify(_:)``; each waiter on that mailbox gets one
/// wake-up (several deposits in a row may fold into one: the owner fetches everything anyway).
/// The hub also counts waiters so the relay can cap them. It holds mailbox ids only in memory.
final class PushHub: Sendable {
    private struct State {
        var waiters: [[UInt8]: [UInt64: AsyncStream<Void>.Continuation]] = [:]
        var nextId: UInt64 = 0
        var count = 0
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// A subscription: its stream yields once per notification since the last one was taken.
    struct Subscription: Sendable {
        let mailbox: [UInt8]
        let id: UInt64
        let wakeUps: AsyncStream<Void>
    }

    /// Subscribes to `mailbox`, or returns nil when the hub is at capacity.
    func subscribe(_ mailbox: [UInt8]) -> Subscription? {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id: UInt64? = state.withLock { state in
            guard state.count < capacity else { return nil }
            state.count += 1
            state.nextId += 1
            state.waiters[mailbox, default: [:]][state.nextId] = continuation
            return state.nextId
        }
        guard let id else { return nil }
        RelayMetrics.waiters.increment(by: 1)
        return Subscription(mailbox: mailbox, id: id, wakeUps: stream)
    }

    /// Ends a subscription.
    func unsubscribe(_ subscription: Subscription) {
        let continuation: AsyncStream<Void>.Continuation? = state.withLock { state in
            guard let continuation = state.waiters[subscription.mailbox]?.removeValue(forKey: subscription.id) else {
                return nil
            }
            if state.waiters[subscription.mailbox]?.isEmpty == true {
                state.waiters[subscription.mailbox] = nil
            }
            state.count -= 1
            return continuation
        }
        if let continuation {
            RelayMetrics.waiters.decrement(by: 1)
            continuation.finish()
        }
    }

    /// Wakes everyone waiting on `mailbox`.
    func notify(_ mailbox: [UInt8]) {
        let continuations = state.withLock { state in state.waiters[mailbox].map { Array($0.values) } ?? [] }
        for continuation in continuations {
            continuation.yield()
        }
    }

    /// Wakes every waiter (after news may have been missed).
    func notifyAll() {
        let continuations = state.withLock { state in state.waiters.values.flatMap(\.values) }
        for continuation in continuations {
            continuation.yield()
        }
    }

    /// How many subscriptions are open.
    var count: Int { state.withLock { $0.count } }
}
