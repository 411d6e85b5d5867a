// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import NIOCore
import NIOHTTP1

/// Answers at once what the HTTP parser refuses (issue #18: a request line that is garbage, a
/// second Content-Length, Content-Length with Transfer-Encoding, a NUL in a header, a head over
/// the parser's limit were never answered, and the connection sat until the first-request timer):
/// 431 `headers_too_large` for a head over the limit, 400 `malformed_request` for the rest, as a
/// JSON error like every other refusal, then the connection is closed. A response already under
/// way is not interrupted by one; the connection just closes. Sits right after the HTTP decoder;
/// a WebSocket upgrade removes it with the other HTTP handlers.
final class MalformedRequestResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responding = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if !responding {
            let (status, code): (HTTPResponseStatus, RelayErrorCode) =
                parserError == .headerOverflow
                ? (.requestHeaderFieldsTooLarge, .headersTooLarge) : (.badRequest, .malformedRequest)
            let body = ByteBuffer(string: #"{"error":"\#(code.rawValue)"}"#)
            let headers = HTTPHeaders([
                ("Content-Type", "application/json"), ("Content-Length", String(body.readableBytes)),
                ("Connection", "close"),
            ])
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200: responding = true
        case .end: responding = false
        default: break
        }
        context.write(data, promise: promise)
    }
}
