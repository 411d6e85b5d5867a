// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// The relay's HTTP/1.1 connections: every request goes to the Hummingbird router as usual,
/// except a WebSocket upgrade of `GET /v1/mailboxes/:mailbox/push`, which is checked here (the
/// owner's signature, the global rate limit, the cap on waiters) and then handed to a
/// ``PushConnectionHandler`` on the event loop. The connection's task ends there: an idle push
/// connection holds no task, only its channel (see that handler for why).
///
/// Every other request must arrive in full within the request timeout (``RequestTimeoutHandler``).
/// A refused upgrade is answered with the same status and `{"error": "<code>"}` body as any other
/// refused owner request (401 `bad_signature`, 404 `unknown_mailbox`, 429 …), then closed.
struct RelayHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    enum Outcome: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, RelayHTTPError)
        case push
    }

    struct Value: ServerChildChannelValue {
        let outcome: EventLoopFuture<Outcome>
        let channel: any Channel
    }

    /// What the upgrade check decided, carried from it to the pipeline it sets up.
    private enum Decision {
        case accepted(MailboxID)
        case refused(RelayHTTPError)
    }

    let responder: HTTPChannelHandler.Responder
    let relay: Relay
    let idleTimeout: Duration?
    let pingPeriod: TimeAmount
    let maximumFrameSize: Int

    /// How long a request may take to arrive, head and body: never as long as the idle timeout,
    /// so that a body that does not come is answered 408 rather than cut off in silence.
    var requestTimeout: TimeAmount {
        let idle = idleTimeout.map { Int64($0.components.seconds) } ?? .max
        return .seconds(min(Int64(relay.configuration.requestTimeoutSeconds), max(1, idle - 1)))
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // The first request's head must arrive within the request timeout: a connection that
            // stays silent, or dribbles a head, does not sit on the relay. (Later requests: the
            // idle timeout between them, and RequestTimeoutHandler.)
            let firstRequest = channel.eventLoop.scheduleTask(in: requestTimeout) { channel.close(promise: nil) }
            channel.closeFuture.whenComplete { _ in firstRequest.cancel() }
            let decision = NIOLoopBoundBox<Decision?>(nil, eventLoop: channel.eventLoop)
            let upgrader = NIOTypedWebSocketServerUpgrader<Outcome>(
                maxFrameSize: maximumFrameSize,
                shouldUpgrade: { channel, head in
                    firstRequest.cancel()
                    guard head.method == .GET, let mailboxText = Relay.pushMailbox(head.uri) else {
                        // Not the push path: the router answers (404).
                        return channel.eventLoop.makeSucceededFuture(nil)
                    }
                    let relay = relay
                    return channel.eventLoop.makeFutureWithTask {
                        do {
                            return .accepted(try await relay.admitPush(mailboxText, head))
                        } catch let error as RelayHTTPError {
                            return .refused(error)
                        } catch {
                            return .refused(RelayHTTPError.internalError)
                        }
                    }.map { (outcome: Decision) -> HTTPHeaders? in
                        decision.value = outcome
                        if case .accepted = outcome { return HTTPHeaders() }
                        return nil
                    }
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard case .accepted(let mailbox) = decision.value else {
                            throw RelayHTTPError.internalError
                        }
                        // WebSocket frames from here on: nothing HTTP stays in the pipeline.
                        let http = try channel.pipeline.syncOperations.handler(type: MalformedRequestResponder.self)
                        channel.pipeline.syncOperations.removeHandler(http, promise: nil)
                        try channel.pipeline.syncOperations.addHandler(
                            PushConnectionHandler(hub: relay.push, mailbox: mailbox, pingPeriod: pingPeriod))
                        return .push
                    }
                })
            let upgrades = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    firstRequest.cancel()
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(
                            RequestTimeoutHandler(timeout: requestTimeout))
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPConnectionStateHandler(idleTimeout: idleTimeout, logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true))
                        if case .refused(let error) = decision.value {
                            return .refused(http, error)
                        }
                        return .http(http)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgrades)
            // As Hummingbird's own HTTP/1 channel: it pipelines and handles errors itself, and
            // HTTPTypes validates response headers already.
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            let outcome = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                configuration: configuration)
            let decoder = try channel.pipeline.syncOperations.handler(
                type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(MalformedRequestResponder(), position: .after(decoder))
            return Value(outcome: outcome, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.outcome.get() {
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .refused(let http, let error):
                try await http.executeThenClose { _, outbound in
                    let (head, body) = error.closingResponse
                    try await outbound.write(contentsOf: [.head(head), .body(body), .end(nil)])
                }
            case .push:
                // The PushConnectionHandler has the connection now.
                return
            }
        } catch {
            // The peer went away during the upgrade or the answer: nothing to tell anyone.
            logger.trace("Connection ended early")
        }
    }
}

extension Relay {
    /// The HTTP server for ``router()``, with WebSocket push (`GET /v1/mailboxes/:mailbox/push`,
    /// owner-signed, empty body) served without a task per connection. A connection idle for
    /// `idleTimeout` between requests is closed; a push connection gets a ping every `pingPeriod`
    /// and is closed when one goes unanswered until the next.
    public func httpServer(idleTimeout: Duration?, pingPeriod: Duration = .seconds(60)) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            RelayHTTPChannel(
                responder: responder, relay: self, idleTimeout: idleTimeout,
                pingPeriod: TimeAmount(pingPeriod), maximumFrameSize: 1024)
        }
    }

    /// The mailbox text of a push path (`/v1/mailboxes/:mailbox/push`, with or without a query),
    /// or nil for any other path.
    static func pushMailbox(_ target: String) -> Substring? {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "v1", parts[2] == "mailboxes", parts[4] == "push"
        else { return nil }
        return parts[3]
    }

    /// Checks a push upgrade as the router checks any owner request (global rate limit, then the
    /// signature over `GET`, the target and an empty body), and that a waiter may be added;
    /// returns the mailbox id.
    func admitPush(_ mailboxText: Substring, _ head: HTTPRequestHead) async throws -> MailboxID {
        try globalLimiter.enforce([])
        guard let mailbox = MailboxID(base64URL: String(mailboxText)) else {
            throw RelayHTTPError(RelayError.unknownMailbox)
        }
        try await authenticate(
            mailbox: mailbox, method: "GET", path: head.uri,
            timestamp: head.headers.first(name: Self.timestampHeader.rawName),
            nonce: head.headers.first(name: Self.nonceHeader.rawName),
            signature: head.headers.first(name: Self.signatureHeader.rawName), body: [])
        guard push.hasRoom(for: mailbox) else { throw RelayHTTPError.tooManyConnections }
        return mailbox
    }
}
