// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import Synchronization

/// Mailboxes' deposit keys as last read from the store, so that a deposit token can be checked
/// before anything is charged to the mailbox's rate without a store read per request. Only a
/// shortcut: a token that does not check against the cached key is checked again against the
/// store (the key may have been rotated, here or on another relay instance), and the store checks
/// every token once more inside the transaction that stores the envelope. In memory only, bounded.
final class DepositKeyCache: Sendable {
    private let keys = Mutex<[MailboxID: [UInt8]]>([:])
    private let capacity: Int

    init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    func key(of mailbox: MailboxID) -> [UInt8]? {
        keys.withLock { $0[mailbox] }
    }

    func remember(_ key: [UInt8], of mailbox: MailboxID) {
        keys.withLock { keys in
            if keys[mailbox] == nil && keys.count >= capacity { keys.removeAll(keepingCapacity: true) }
            keys[mailbox] = key
        }
    }
}
