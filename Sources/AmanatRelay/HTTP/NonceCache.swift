// SPDX-License-Identifier: AGPL-3.0-or-later

import Synchronization

/// Request nonces seen within the signature window, to refuse replays. Bounded: when full, the
/// oldest entries go first; an entry older than the window can go at any time, since its
/// timestamp alone makes a replay fail.
final class NonceCache: Sendable {
    private struct State {
        var seen: Set<[UInt8]> = []
        var order: [([UInt8], UInt64)] = []
        var head = 0
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let window: UInt64

    init(capacity: Int, window: UInt64) {
        self.capacity = capacity
        self.window = window
    }

    /// Records `nonce` (unique per mailbox) and says whether it was new.
    func insert(_ nonce: [UInt8], now: UInt64) -> Bool {
        state.withLock { state in
            // Forget what has left the window, and the oldest when full.
            while state.head < state.order.count,
                state.order.count - state.head >= capacity || now >= state.order[state.head].1 + 2 * window
            {
                state.seen.remove(state.order[state.head].0)
                state.head += 1
            }
            if state.head > 1024 && state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
            guard state.seen.insert(nonce).inserted else { return false }
            state.order.append((nonce, now))
            return true
        }
    }
}
