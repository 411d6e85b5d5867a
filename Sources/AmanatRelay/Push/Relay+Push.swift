// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import Foundation
import Hummingbird
import ServiceLifecycle

// MARK: - Push: long-poll (WebSocket push: RelayHTTPChannel)

extension Relay {
    /// Long-poll for clients without WebSocket (libcurl as Debian ships it has none): answers at
    /// once if the mailbox holds envelopes after `after`, otherwise when one arrives or after
    /// `timeout` seconds.
    func wait(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (mailbox, body) = try await authenticated(request, context)
        let wait: RelayAPI.WaitRequest = try decode(body)
        guard wait.after >= 0, (0...configuration.maximumWaitSeconds).contains(wait.timeout) else {
            throw RelayHTTPError.invalidField
        }
        // Subscribe before looking, so a deposit between the two is not missed.
        guard let (subscription, wakeUps) = push.subscribeStream(mailbox) else {
            throw RelayHTTPError.tooManyConnections
        }
        defer { push.unsubscribe(subscription) }
        let page = try await perform { try await store.fetch(from: mailbox, after: wait.after, limit: 1) }
        if !page.envelopes.isEmpty {
            return try json(RelayAPI.WaitResponse(new: true))
        }
        let woke = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in wakeUps { return true }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(wait.timeout))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        return try json(RelayAPI.WaitResponse(new: woke))
    }
}

// MARK: - Push across instances

extension Relay {
    /// A service that wakes this instance's waiters for deposits other instances stored, when
    /// the store is shared (PostgreSQL); with SQLite it ends at once.
    public func pushFeed() -> some Service { PushFeed(store: store, push: push) }
}

/// Runs ``MailboxStore/followDeposits(_:)`` into the push hub.
struct PushFeed: Service {
    let store: any MailboxStore
    let push: PushHub

    func run() async throws {
        let push = push
        await store.followDeposits { mailbox in
            if let mailbox { push.notify(mailbox) } else { push.notifyAll() }
        }
        // A service that returns ends the whole group: wait for the shutdown like the others.
        try? await gracefulShutdown()
    }
}
