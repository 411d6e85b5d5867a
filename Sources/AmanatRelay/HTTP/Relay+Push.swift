// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Hummingbird
import HummingbirdWebSocket
import ServiceLifecycle

// MARK: - Push: WebSocket and long-poll

extension Relay {
    /// The WebSocket routes: `GET /v1/mailboxes/:mailbox/push`, signed by the owner like any owner
    /// request (empty body). After the upgrade the relay sends the text message `new` once at
    /// once, then whenever something new arrives, and nothing else; the owner fetches on each.
    public func webSocketRouter() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.middlewares.add(ErrorBodyMiddleware())
        router.middlewares.add(GlobalRateLimitMiddleware(limiter: globalLimiter))
        router.ws("/v1/mailboxes/:mailbox/push") { request, context in
            _ = try await authenticated(request, context)
            guard push.count < configuration.maximumWaiters else { throw RelayHTTPError.tooManyConnections }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            guard let text = context.requestContext.parameters.get("mailbox"), let mailbox = bytes(text, count: 32),
                let subscription = push.subscribe(mailbox)
            else { return }
            defer { push.unsubscribe(subscription) }
            // One "new" as soon as the subscription exists: the owner fetches then, so nothing that
            // arrived between its connecting and this moment goes unnoticed.
            try await outbound.write(.text("new"))
            // One task of its own sends the wake-ups; this one reads until the client closes (what
            // it sends is ignored). One extra task per connection, not two: idle connections are
            // most of them.
            let sender = Task {
                for await _ in subscription.wakeUps {
                    try await outbound.write(.text("new"))
                }
            }
            defer { sender.cancel() }
            for try await _ in inbound {}
        }
        return router
    }

    struct WaitRequest: Codable {
        /// The last sequence number the owner has; news is anything after it.
        let after: Int64
        /// How long to wait at most, in seconds.
        let timeout: Int
    }

    struct WaitResponse: Codable {
        let new: Bool
    }

    /// Long-poll for clients without WebSocket (libcurl as Debian ships it has none): answers at
    /// once if the mailbox holds envelopes after `after`, otherwise when one arrives or after
    /// `timeout` seconds.
    func wait(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (mailbox, body) = try await authenticated(request, context)
        let wait: WaitRequest = try decode(body)
        guard wait.after >= 0, (0...configuration.maximumWaitSeconds).contains(wait.timeout) else {
            throw RelayHTTPError.invalidField
        }
        // Subscribe before looking, so a deposit between the two is not missed.
        guard let subscription = push.subscribe(mailbox) else { throw RelayHTTPError.tooManyConnections }
        defer { push.unsubscribe(subscription) }
        let page = try await perform { try await store.fetch(from: mailbox, after: wait.after, limit: 1) }
        if !page.envelopes.isEmpty {
            return try json(WaitResponse(new: true))
        }
        let woke = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in subscription.wakeUps { return true }
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
        return try json(WaitResponse(new: woke))
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
