// SPDX-License-Identifier: AGPL-3.0-or-later

import Synchronization

/// Request nonces seen within the signature window, to refuse replays (SPEC.md §8.2).
///
/// A nonce is kept for as long as a request carrying it can still be valid: it came with a
/// timestamp at most `window` seconds ahead of the relay's clock, and that timestamp is accepted
/// until `window` seconds after it, so an entry recorded at `t` goes only after `t + 2 × window`.
/// Nothing still valid is ever dropped to make room: when the cache is full, or one mailbox holds
/// its share (a `1/shareDivisor` part of it), new requests are refused instead (``Insertion/full``),
/// so one owner cannot flush the cache and reopen the replay window for others. Callers record a
/// nonce only for a request that passed every other check, so refused requests spend nothing.
final class NonceCache: Sendable {
    /// What recording a nonce gave.
    enum Insertion: Equatable {
        case new
        case replayed
        /// No room without forgetting a nonce that is still valid: retry after this many seconds.
        case full(retryAfter: Int)
    }

    private struct State {
        var seen: Set<[UInt8]> = []
        var order: [(key: [UInt8], mailbox: [UInt8], time: UInt64)] = []
        var head = 0
        var perMailbox: [[UInt8]: Int] = [:]
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let window: UInt64
    /// The most entries one mailbox may hold.
    let mailboxShare: Int

    init(capacity: Int, window: UInt64, shareDivisor: Int = 16) {
        self.capacity = capacity
        self.window = window
        mailboxShare = max(1, capacity / shareDivisor)
    }

    /// Records `nonce` for `mailbox`.
    func insert(_ nonce: [UInt8], mailbox: [UInt8], now: UInt64) -> Insertion {
        state.withLock { state in
            // Forget what can no longer be replayed.
            while state.head < state.order.count, now > state.order[state.head].time + 2 * window {
                let gone = state.order[state.head]
                state.seen.remove(gone.key)
                state.perMailbox[gone.mailbox, default: 1] -= 1
                if state.perMailbox[gone.mailbox] == 0 { state.perMailbox[gone.mailbox] = nil }
                state.head += 1
            }
            if state.head > 1024 && state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
            let key = mailbox + nonce
            guard !state.seen.contains(key) else { return .replayed }
            let count = state.order.count - state.head
            guard count < capacity, state.perMailbox[mailbox, default: 0] < mailboxShare else {
                // The oldest entry of all goes first: until then there is no room.
                let oldest = state.order.indices.contains(state.head) ? state.order[state.head].time : now
                return .full(retryAfter: Int(max(1, oldest + 2 * window + 1 - min(now, oldest + 2 * window))))
            }
            state.seen.insert(key)
            state.order.append((key, mailbox, now))
            state.perMailbox[mailbox, default: 0] += 1
            return .new
        }
    }
}
