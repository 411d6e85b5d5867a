// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import Metrics
import Synchronization

/// Who is waiting for news of which mailbox: WebSocket push connections and long-poll requests.
///
/// A deposit that stored something new calls ``notify(_:)``; each waiter on that mailbox has its
/// wake-up called (several deposits in a row may fold into one: the owner fetches everything
/// anyway). The hub also counts waiters so the relay can cap them. It holds mailbox ids only in
/// memory. A waiter is a closure, not a task: an idle push connection costs the hub one entry.
final class PushHub: Sendable {
    private struct State {
        var waiters: [MailboxID: [UInt64: @Sendable () -> Void]] = [:]
        var nextId: UInt64 = 0
        var count = 0
    }

    private let state = Mutex(State())
    private let capacity: Int
    /// The most waiters one mailbox may have, so one owner cannot take the relay's whole capacity.
    private let perMailbox: Int

    init(capacity: Int, perMailbox: Int = 16) {
        self.capacity = capacity
        self.perMailbox = perMailbox
    }

    /// A subscription, to give back to ``unsubscribe(_:)``.
    struct Subscription: Sendable {
        let mailbox: MailboxID
        let id: UInt64
    }

    /// Subscribes `wake` to `mailbox`, or returns nil when the hub, or the mailbox's share of it,
    /// is at capacity. `wake` is called
    /// on whatever thread stored the deposit, and must only hand the news on (never block).
    func subscribe(_ mailbox: MailboxID, wake: @escaping @Sendable () -> Void) -> Subscription? {
        let id: UInt64? = state.withLock { state in
            guard Self.hasRoom(for: mailbox, in: state, capacity: capacity, perMailbox: perMailbox) else { return nil }
            state.count += 1
            state.nextId += 1
            state.waiters[mailbox, default: [:]][state.nextId] = wake
            return state.nextId
        }
        guard let id else { return nil }
        RelayMetrics.waiters.increment(by: 1)
        return Subscription(mailbox: mailbox, id: id)
    }

    /// A subscription whose wake-ups come as a stream (one pending at most), for a request that
    /// waits in a task (cancelling that task ends its iteration).
    func subscribeStream(_ mailbox: MailboxID) -> (Subscription, AsyncStream<Void>)? {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        guard let subscription = subscribe(mailbox, wake: { continuation.yield() }) else { return nil }
        return (subscription, stream)
    }

    /// Ends a subscription (once; later calls do nothing).
    func unsubscribe(_ subscription: Subscription) {
        let removed: Bool = state.withLock { state in
            guard state.waiters[subscription.mailbox]?.removeValue(forKey: subscription.id) != nil else {
                return false
            }
            if state.waiters[subscription.mailbox]?.isEmpty == true {
                state.waiters[subscription.mailbox] = nil
            }
            state.count -= 1
            return true
        }
        if removed {
            RelayMetrics.waiters.decrement(by: 1)
        }
    }

    /// Wakes everyone waiting on `mailbox`.
    func notify(_ mailbox: MailboxID) {
        let wakeUps = state.withLock { state in state.waiters[mailbox].map { Array($0.values) } ?? [] }
        for wake in wakeUps {
            wake()
        }
    }

    /// Wakes every waiter (after news may have been missed).
    func notifyAll() {
        let wakeUps = state.withLock { state in state.waiters.values.flatMap(\.values) }
        for wake in wakeUps {
            wake()
        }
    }

    /// Whether one more waiter on `mailbox` would fit (a check before an upgrade; ``subscribe(_:wake:)``
    /// checks again).
    func hasRoom(for mailbox: MailboxID) -> Bool {
        state.withLock { Self.hasRoom(for: mailbox, in: $0, capacity: capacity, perMailbox: perMailbox) }
    }

    private static func hasRoom(for mailbox: MailboxID, in state: State, capacity: Int, perMailbox: Int) -> Bool {
        state.count < capacity && state.waiters[mailbox, default: [:]].count < perMailbox
    }

    /// How many subscriptions are open.
    var count: Int { state.withLock { $0.count } }
}
