// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import NIOCore
import NIOWebSocket

/// One WebSocket push connection after its upgrade, served on its event loop by this handler
/// alone: no task and no stream per connection, because idle connections are nearly all of them
/// and each task with its buffers cost about 30 KB (issue #5 asks 10,000 in under 200 MB).
///
/// It sends the text message `new` once at once and again on each wake-up from the ``PushHub``
/// (wake-ups while the peer is not reading fold into one, so an owner who never reads cannot make
/// the relay buffer without bound). It answers pings, and those too fold into one while the peer
/// does not read (RFC 6455 §5.5.3 allows answering only the latest ping), and a peer that sends
/// more than ``maximumPingsPerPeriod`` pings in one ping period is closed (1008); it answers close
/// frames and ignores anything else the peer sends (frames are bounded by the decoder's maximum size and never assembled), sends a ping
/// every `pingPeriod` and closes the connection when the previous one got no pong, and on
/// shutdown (``ChannelShouldQuiesceEvent``) says "going away" and closes.
final class PushConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let hub: PushHub
    private let mailbox: MailboxID
    private let pingPeriod: TimeAmount
    private var subscription: PushHub.Subscription?
    private var pinger: RepeatedTask?
    private var awaitingPong = false
    /// The latest ping's payload, when its pong could not be written yet.
    private var pendingPong: ByteBuffer?
    /// Pings received since the last ping period began.
    private var pingsThisPeriod = 0
    /// More pings than this in one ping period is abuse, not keep-alive.
    static let maximumPingsPerPeriod = 1000
    /// News arrived while the channel could not take a write.
    private var pending = false
    /// A text or binary message has begun without its last frame: continuations may follow.
    private var fragmented = false
    /// A close frame has been sent: nothing else goes out.
    private var closing = false

    init(hub: PushHub, mailbox: MailboxID, pingPeriod: TimeAmount) {
        self.hub = hub
        self.mailbox = mailbox
        self.pingPeriod = pingPeriod
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Added by the upgrade, on an active channel.
        guard context.channel.isActive else { return }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        guard
            let subscription = hub.subscribe(
                mailbox,
                wake: {
                    bound.eventLoop.execute { bound.value.handler.wake(context: bound.value.context) }
                })
        else {
            // The cap was reached between the upgrade's check and now: "try again later".
            close(context: context, code: .unknown(1013))
            return
        }
        self.subscription = subscription
        pinger = context.eventLoop.scheduleRepeatedTask(initialDelay: pingPeriod, delay: pingPeriod) { _ in
            bound.value.handler.ping(context: bound.value.context)
        }
        // One "new" as soon as the subscription exists: the owner fetches then, so nothing that
        // arrived between its connecting and this moment goes unnoticed.
        wake(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !closing || frame.opcode == .connectionClose else { return }
        // RFC 6455 §5: a client masks every frame; no extension was agreed, so no reserved bit
        // is set; only the six defined opcodes exist; control frames are whole; a continuation
        // continues something. Anything else fails the connection (1002).
        let known: [WebSocketOpcode] = [.continuation, .text, .binary, .connectionClose, .ping, .pong]
        guard frame.maskKey != nil, !frame.rsv1, !frame.rsv2, !frame.rsv3, known.contains(frame.opcode),
            !frame.opcode.isControlOpcode || frame.fin,
            frame.opcode != .continuation || fragmented,
            frame.opcode.isControlOpcode || frame.opcode == .continuation || !fragmented
        else {
            close(context: context, code: .protocolError)
            return
        }
        if !frame.opcode.isControlOpcode { fragmented = !frame.fin }
        switch frame.opcode {
        case .pong:
            awaitingPong = false
        case .ping:
            guard !closing else { return }
            pingsThisPeriod += 1
            guard pingsThisPeriod <= Self.maximumPingsPerPeriod else {
                close(context: context, code: .policyViolation)
                return
            }
            guard context.channel.isWritable else {
                pendingPong = frame.unmaskedData
                return
            }
            send(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData), context: context)
        case .connectionClose:
            if closing {
                context.close(promise: nil)
            } else {
                // Echo the peer's status code, then close (the server closes the TCP connection).
                var data = frame.unmaskedData
                let code = data.readWebSocketErrorCode() ?? .normalClosure
                close(context: context, code: code)
            }
        default:
            // Text, binary and continuation frames: the push channel carries nothing upstream.
            break
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, !closing, let pong = pendingPong {
            pendingPong = nil
            send(WebSocketFrame(fin: true, opcode: .pong, data: pong), context: context)
        }
        if context.channel.isWritable, pending {
            pending = false
            wake(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            close(context: context, code: .goingAway)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: -

    private func wake(context: ChannelHandlerContext) {
        guard !closing, context.channel.isActive else { return }
        guard context.channel.isWritable else {
            pending = true
            return
        }
        var text = context.channel.allocator.buffer(capacity: 3)
        text.writeString("new")
        send(WebSocketFrame(fin: true, opcode: .text, data: text), context: context)
    }

    private func ping(context: ChannelHandlerContext) {
        guard !closing else { return }
        pingsThisPeriod = 0
        if awaitingPong {
            // No answer to the last ping within a whole period: the peer is gone.
            context.close(promise: nil)
            return
        }
        awaitingPong = true
        send(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer()), context: context)
    }

    /// Sends a close frame with `code`, then closes the connection.
    private func close(context: ChannelHandlerContext, code: WebSocketErrorCode) {
        guard !closing else { return }
        closing = true
        stop()
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)))
            .whenComplete { _ in channel.close(promise: nil) }
    }

    /// Writes `frame` at once; a connection that cannot take it is closed.
    private func send(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(frame)).whenFailure { _ in channel.close(promise: nil) }
    }

    private func stop() {
        pinger?.cancel()
        pinger = nil
        if let subscription {
            hub.unsubscribe(subscription)
            self.subscription = nil
        }
    }
}
