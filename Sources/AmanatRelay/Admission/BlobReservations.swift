// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import Synchronization

/// The blob bytes created for each mailbox's contacts within the last upload window (issue #18:
/// one contact reserved the relay's whole blob space in seconds). In memory only, so the
/// database never says which mailbox a blob was for; a restart forgets it, and blobs not
/// uploaded in time are deleted anyway.
final class BlobReservations: Sendable {
    private let reservations = Mutex<[MailboxID: [(time: UInt64, bytes: Int)]]>([:])

    /// Records `bytes` for `mailbox` at `now` if the mailbox's creations within `window` stay
    /// within `limit`; otherwise records nothing and returns the seconds until enough ages out.
    func reserve(_ bytes: Int, for mailbox: MailboxID, now: UInt64, window: UInt64, limit: Int) -> UInt64? {
        reservations.withLock { all in
            var recent = (all[mailbox] ?? []).filter { $0.time + window > now }
            let used = recent.reduce(0) { $0 + $1.bytes }
            guard used + bytes <= limit else {
                // The oldest entries free room first.
                var freed = used + bytes - limit
                var wait: UInt64 = 1
                for entry in recent {
                    wait = max(1, entry.time + window - now)
                    freed -= entry.bytes
                    if freed <= 0 { break }
                }
                all[mailbox] = recent
                return wait
            }
            recent.append((now, bytes))
            all[mailbox] = recent
            // Mailboxes with nothing recent take no memory.
            if all.count > 10_000 { all = all.filter { $0.value.contains { $0.time + window > now } } }
            return nil
        }
    }
}
