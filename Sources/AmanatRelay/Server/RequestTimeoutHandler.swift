// SPDX-License-Identifier: AGPL-3.0-or-later

import NIOCore
import NIOHTTPTypes

/// Bounds how long a request may take to arrive: from its head to its end, `timeout` at most.
/// A slow sender (a body promised and dribbled, or never sent) cannot hold the relay's attention:
/// when the time is up the request is answered `408 {"error":"request_timeout"}` (or, if its
/// answer has already begun, not answered again) and the connection is closed.
///
/// A channel handler rather than a timer task around each body read: one scheduled event per
/// request on the event loop costs far less than a task group per request (measured on deposits).
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    /// Whether an answer to the current request has begun (its head has been written).
    private var answered = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            answered = false
            timer?.cancel()
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(in: timeout) {
                bound.value.handler.expire(context: bound.value.context)
            }
        case .end:
            timer?.cancel()
            timer = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head = unwrapOutboundIn(data) {
            answered = true
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func expire(context: ChannelHandlerContext) {
        timer = nil
        let channel = context.channel
        guard !answered else {
            channel.close(promise: nil)
            return
        }
        answered = true
        let (head, body) = RelayHTTPError.requestTimeout.closingResponse
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
