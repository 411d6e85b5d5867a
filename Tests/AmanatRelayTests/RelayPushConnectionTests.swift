// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import AmanatRelay

/// The push connection as the relay serves it on the event loop (RelayHTTPChannel and
/// PushConnectionHandler), seen byte by byte through a WebSocket client written out here, so that
/// pings, pongs, close frames and refusals are observed exactly as sent.
@Suite("Relay connections: push refusals, pings, dead peers, close, shutdown; silent connections")
struct RelayPushConnectionTests {
    /// An app serving `harness.relay` live, with pings every `pingPeriod`.
    func app(_ harness: RelayHarness, pingPeriod: Duration = .seconds(60)) -> some ApplicationProtocol {
        Application(
            router: harness.relay.router(),
            server: harness.relay.httpServer(idleTimeout: .seconds(90), pingPeriod: pingPeriod),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Test("a refused upgrade gets the relay's typed error, then the connection closes", .timeLimit(.minutes(3)))
    func refusals() async throws {
        var limits = RelayHarness.Limits()
        limits.maximumWaiters = 1
        let harness = try RelayHarness(limits: limits)
        try await app(harness).test(.live) { client in
            let port = try #require(client.port)
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            let path = owner.path + "/push"
            func refusal(_ target: String, _ headers: HTTPFields) async throws -> (Int, String) {
                try await RawWebSocket.connect(port: port) { socket in
                    try await socket.send(RawWebSocket.upgradeRequest(target, headers))
                    let (status, _) = try await socket.readHead()
                    return (status, String(decoding: try await socket.readToEnd(), as: UTF8.self))
                }
            }
            let unsigned = try await refusal(path, [:])
            #expect(unsigned.0 == 401 && unsigned.1 == #"{"error":"bad_signature"}"#)
            let stranger = RelayHarness.Owner()
            let unknown = try await refusal(
                stranger.path + "/push", harness.signed(stranger, .get, stranger.path + "/push", ByteBuffer()))
            #expect(unknown.0 == 401 && unknown.1 == #"{"error":"bad_signature"}"#)
            let garbled = try await refusal("/v1/mailboxes/not-a-mailbox/push", [:])
            #expect(garbled.0 == 404 && garbled.1 == #"{"error":"unknown_mailbox"}"#)
            let wrongKey = try await refusal(
                path, harness.signed(owner, .get, path, ByteBuffer(), key: Ed25519.PrivateKey()))
            #expect(wrongKey.0 == 401 && wrongKey.1 == #"{"error":"bad_signature"}"#)
            let stale = try await refusal(
                path, harness.signed(owner, .get, path, ByteBuffer(), timestamp: harness.now - 600))
            #expect(stale.0 == 401 && stale.1 == #"{"error":"stale_timestamp"}"#)

            // One waiter allowed: the first connection is served, a second is refused with 429,
            // and so is a replay of the first one's signed request.
            let signed = harness.signed(owner, .get, path, ByteBuffer())
            try await RawWebSocket.connect(port: port) { socket in
                try await socket.send(RawWebSocket.upgradeRequest(path, signed))
                #expect(try await socket.readHead().status == 101)
                #expect(try await socket.readFrame()?.text == "new")
                let second = try await refusal(path, harness.signed(owner, .get, path, ByteBuffer()))
                #expect(second.0 == 429 && second.1 == #"{"error":"too_many_connections"}"#)
                let replay = try await refusal(path, signed)
                #expect(replay.0 == 401 && replay.1 == #"{"error":"replayed_nonce"}"#)
            }
            // Without upgrade headers the path does not exist.
            try await client.execute(uri: path, method: .get, headers: harness.signed(owner, .get, path, ByteBuffer()))
            {
                #expect($0.status == .notFound && errorCode($0) == "not_found")
            }
        }
    }

    @Test(
        "a ping answered, text ignored, news of a deposit, a close echoed, an oversize frame refused (1009)",
        .timeLimit(.minutes(3)))
    func framesAndClose() async throws {
        let harness = try RelayHarness()
        // The relay's own pings (every 60 s) stay out of this test's way.
        try await app(harness).test(.live) { client in
            let port = try #require(client.port)
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            let path = owner.path + "/push"

            try await RawWebSocket.connect(port: port) { socket in
                try await socket.send(
                    RawWebSocket.upgradeRequest(path, harness.signed(owner, .get, path, ByteBuffer())))
                #expect(try await socket.readHead().status == 101)
                #expect(try await socket.readFrame()?.text == "new")
                try await socket.send(RawWebSocket.frame(opcode: 0x9, payload: Array("abc".utf8)))
                let pong = try #require(try await socket.readFrame())
                #expect(pong.opcode == 0xA && pong.payload == Array("abc".utf8))
                // Text from the peer is ignored: the next frame is the news of a deposit.
                try await socket.send(RawWebSocket.frame(opcode: 0x1, payload: Array("hello".utf8)))
                let envelope = RelayHarness.envelope()
                try await harness.deposit(envelope, into: owner, client)
                #expect(try await socket.readFrame()?.text == "new")
                try await socket.send(RawWebSocket.frame(opcode: 0x8, payload: [0x03, 0xE8]))
                let echo = try #require(try await socket.readFrame())
                #expect(echo.opcode == 0x8 && echo.payload == [0x03, 0xE8])
                #expect(try await socket.readToEnd().isEmpty)
            }
            #expect(await waiters(of: harness, toReach: 0))

            // A frame over the relay's 1,024-byte limit: "message too big" (1009), and the end.
            let oversize = try await RawWebSocket.connect(port: port) { socket in
                try await socket.send(
                    RawWebSocket.upgradeRequest(path, harness.signed(owner, .get, path, ByteBuffer())))
                #expect(try await socket.readHead().status == 101)
                try await socket.send(RawWebSocket.frame(opcode: 0x1, payload: Array(repeating: 0x61, count: 2000)))
                var frames: [RawWebSocket.Frame] = []
                while let frame = try await socket.readFrame() { frames.append(frame) }
                return frames
            }
            #expect(oversize.map(\.opcode) == [0x1, 0x8], "\(oversize)")
            #expect(oversize.last?.payload.prefix(2) == [0x03, 0xF1])
            #expect(await waiters(of: harness, toReach: 0))

            // What RFC 6455 calls a protocol error fails the connection with 1002 (issue #18).
            let hostile: [(String, [UInt8])] = [
                ("an unmasked frame", RawWebSocket.frame(first: 0x81, payload: Array("hi".utf8), masked: false)),
                ("RSV1 without an extension", RawWebSocket.frame(first: 0xC1, payload: Array("hi".utf8))),
                ("reserved data opcode 3", RawWebSocket.frame(first: 0x83, payload: [])),
                ("reserved control opcode 0xB", RawWebSocket.frame(first: 0x8B, payload: [])),
                ("a continuation of nothing", RawWebSocket.frame(first: 0x80, payload: Array("x".utf8))),
                ("a fragmented ping", RawWebSocket.frame(first: 0x09, payload: [])),
                (
                    "a new message inside a fragmented one",
                    RawWebSocket.frame(first: 0x01, payload: [0x61]) + RawWebSocket.frame(first: 0x81, payload: [0x62])
                ),
            ]
            for (what, bytes) in hostile {
                let frames = try await RawWebSocket.connect(port: port) { socket in
                    try await socket.send(
                        RawWebSocket.upgradeRequest(path, harness.signed(owner, .get, path, ByteBuffer())))
                    #expect(try await socket.readHead().status == 101)
                    #expect(try await socket.readFrame()?.text == "new")
                    try await socket.send(bytes)
                    var frames: [RawWebSocket.Frame] = []
                    while let frame = try await socket.readFrame() { frames.append(frame) }
                    return frames
                }
                #expect(frames.map(\.opcode) == [0x8] && frames.first?.payload.prefix(2) == [0x03, 0xEA], "\(what)")
                #expect(await waiters(of: harness, toReach: 0), "\(what)")
            }
            // A fragmented text message, whole, is still fine (and ignored).
            try await RawWebSocket.connect(port: port) { socket in
                try await socket.send(
                    RawWebSocket.upgradeRequest(path, harness.signed(owner, .get, path, ByteBuffer())))
                #expect(try await socket.readHead().status == 101)
                #expect(try await socket.readFrame()?.text == "new")
                try await socket.send(
                    RawWebSocket.frame(first: 0x01, payload: [0x61]) + RawWebSocket.frame(first: 0x80, payload: [0x62])
                        + RawWebSocket.frame(opcode: 0x9, payload: Array("ok".utf8)))
                let pong = try #require(try await socket.readFrame())
                #expect(pong.opcode == 0xA && pong.payload == Array("ok".utf8))
            }
        }
    }

    @Test("a peer that answers the relay's pings stays, one that stops answering is closed", .timeLimit(.minutes(3)))
    func pings() async throws {
        let harness = try RelayHarness()
        // A period long enough for a loaded machine to answer within it, short enough to test
        // (1 s was not: with the whole suite running on two cores, a pong came late twice).
        try await app(harness, pingPeriod: .seconds(3)).test(.live) { client in
            let port = try #require(client.port)
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            let path = owner.path + "/push"

            let answered = try await RawWebSocket.connect(port: port) { socket in
                try await socket.send(
                    RawWebSocket.upgradeRequest(path, harness.signed(owner, .get, path, ByteBuffer())))
                #expect(try await socket.readHead().status == 101)
                #expect(try await socket.readFrame()?.text == "new")
                var pings = 0
                while pings < 3, let frame = try await socket.readFrame(), frame.opcode == 0x9 {
                    pings += 1
                    try await socket.send(RawWebSocket.frame(opcode: 0xA, payload: frame.payload))
                }
                try await socket.send(RawWebSocket.frame(opcode: 0x8, payload: [0x03, 0xE8]))
                return pings
            }
            #expect(answered == 3)
            #expect(await waiters(of: harness, toReach: 0))

            // A peer that never answers gets a ping, and is closed a period later (the raw
            // client's own deadline is 20 s, after which connect throws deadlinePassed).
            let frames = try await RawWebSocket.connect(port: port) { socket in
                try await socket.send(
                    RawWebSocket.upgradeRequest(path, harness.signed(owner, .get, path, ByteBuffer())))
                #expect(try await socket.readHead().status == 101)
                var frames: [RawWebSocket.Frame] = []
                while let frame = try await socket.readFrame() { frames.append(frame) }
                return frames
            }
            #expect(frames.map(\.opcode) == [0x1, 0x9], "\(frames)")
            #expect(await waiters(of: harness, toReach: 0))
        }
    }

    @Test("on shutdown an open push connection is told \"going away\" and closed", .timeLimit(.minutes(3)))
    func shutdown() async throws {
        let harness = try RelayHarness()
        let reader = try await app(harness).test(.live) { client in
            let port = try #require(client.port)
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            let path = owner.path + "/push"
            let opened = AsyncStream<Void>.makeStream()
            // The connection outlives this closure, after which the application shuts down.
            let reader = Task {
                try await RawWebSocket.connect(port: port) { socket in
                    try await socket.send(
                        RawWebSocket.upgradeRequest(path, harness.signed(owner, .get, path, ByteBuffer())))
                    _ = try await socket.readHead()
                    var frames: [RawWebSocket.Frame] = []
                    while let frame = try await socket.readFrame() {
                        frames.append(frame)
                        if frames.count == 1 { opened.continuation.yield() }
                    }
                    return frames
                }
            }
            for await _ in opened.stream { break }
            #expect(harness.relay.push.count == 1)
            return reader
        }
        let frames = try await reader.value
        #expect(frames.map(\.opcode) == [0x1, 0x8])
        #expect(frames.last?.payload == [0x03, 0xE9])  // 1001, going away
        #expect(harness.relay.push.count == 0)
    }

    @Test(
        "a connection that sends no complete request head within the request timeout is closed", .timeLimit(.minutes(3))
    )
    func silentConnections() async throws {
        var limits = RelayHarness.Limits()
        limits.requestTimeoutSeconds = 3
        let harness = try RelayHarness(limits: limits)
        try await app(harness).test(.live) { client in
            let port = try #require(client.port)
            // The raw client gives up after 20 s of its own and then throws deadlinePassed: an
            // empty answer without that error means the relay closed the connection.
            let silent = try await RawWebSocket.connect(port: port) { socket in try await socket.readToEnd() }
            #expect(silent.isEmpty)
            let halfHead = try await RawWebSocket.connect(port: port) { socket in
                do {
                    try await socket.send(Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8))
                } catch ChannelError.ioOnClosedChannel {
                    // On a loaded machine the relay's deadline can pass before this test gets to
                    // write: closed by the relay is what is checked here.
                    return [UInt8]()
                }
                return try await socket.readToEnd()
            }
            #expect(halfHead.isEmpty)
            // A whole request is served, and the connection outlives the first-request deadline.
            let served = try await RawWebSocket.connect(port: port) { socket in
                try await socket.send(Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
                let first = try await socket.readHead().status
                try await Task.sleep(for: .milliseconds(3500))
                try await socket.send(
                    Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
                return (first, String(decoding: try await socket.readToEnd(), as: UTF8.self))
            }
            #expect(served.0 == 200)
            #expect(served.1.contains("HTTP/1.1 200"))
        }
    }

    /// Waits (up to 2 s) for the hub's count to reach `count`.
    func waiters(of harness: RelayHarness, toReach count: Int) async -> Bool {
        for _ in 0..<100 {
            if harness.relay.push.count == count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return harness.relay.push.count == count
    }
}

/// A WebSocket client spelled out by hand: the upgrade request, masked client frames, and the
/// server's frames parsed as they arrive.
struct RawWebSocket: ~Copyable {
    struct Frame: CustomStringConvertible {
        let opcode: UInt8
        let payload: [UInt8]
        var text: String? { opcode == 0x1 ? String(decoding: payload, as: UTF8.self) : nil }
        var description: String { "frame(\(opcode), \(payload.count) bytes)" }
    }

    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1:`port` and runs `body`; the connection is closed after it, or after
    /// `deadline` whatever happens (so a server that never closes fails a test, not hangs it).
    /// `receiveBuffer` sets the socket's receive buffer (small: a peer slow to read).
    static func connect<Value: Sendable>(
        port: Int, deadline: TimeAmount = .seconds(20), receiveBuffer: Int? = nil,
        _ body: (inout RawWebSocket) async throws -> Value
    ) async throws -> Value {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let receiveBuffer { bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: receiveBuffer) }
        let channel = try await bootstrap.connect(
            host: "127.0.0.1", port: port
        ) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        let underlying = channel.channel
        let deadlinePassed = DeadlineFlag()
        let timer = underlying.eventLoop.scheduleTask(in: deadline) {
            deadlinePassed.passed.withLock { $0 = true }
            underlying.close(promise: nil)
        }
        defer { timer.cancel() }
        let value = try await channel.executeThenClose { inbound, outbound in
            var socket = RawWebSocket(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&socket)
        }
        // Closed by this side's deadline, not by the server: whatever the body saw is not an answer.
        if deadlinePassed.passed.withLock({ $0 }) { throw RawWebSocketError.deadlinePassed }
        return value
    }

    private init(
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.inbound = inbound
        self.outbound = outbound
    }

    static func upgradeRequest(_ target: String, _ headers: HTTPFields) -> [UInt8] {
        var text = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: \(Data(SecureRandom.bytes(count: 16)).base64EncodedString())\r\n"
        text += "Sec-WebSocket-Version: 13\r\n"
        for field in headers { text += "\(field.name.rawName): \(field.value)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// A client frame (final, masked, payload under 64 KiB).
    static func frame(opcode: UInt8, payload: [UInt8]) -> [UInt8] {
        frame(first: 0x80 | opcode, payload: payload)
    }

    /// A frame whose first byte (FIN, RSV1-3, opcode) is `first`, masked as a client must unless
    /// `masked` is false.
    static func frame(first: UInt8, payload: [UInt8], masked: Bool = true) -> [UInt8] {
        precondition(payload.count < 65_536)
        let maskBit: UInt8 = masked ? 0x80 : 0
        let mask = masked ? SecureRandom.bytes(count: 4) : []
        let length: [UInt8] =
            payload.count < 126
            ? [maskBit | UInt8(payload.count)]
            : [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        return [first] + length + mask
            + payload.enumerated().map { masked ? $0.element ^ mask[$0.offset % 4] : $0.element }
    }

    mutating func send(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Reads until `count` bytes are buffered; false if the connection ended first.
    private mutating func fill(_ count: Int) async throws -> Bool {
        while buffer.count < count {
            guard let chunk = try await inbound.next() else { return false }
            buffer += chunk.readableBytesView
        }
        return true
    }

    /// The status line's code and the header block of a response.
    mutating func readHead() async throws -> (status: Int, headers: String) {
        while true {
            if let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<end.upperBound)
                let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                return (status, head)
            }
            guard try await fill(buffer.count + 1) else { throw RawWebSocketError.ended }
        }
    }

    /// The next server frame (unmasked, payload under 126 bytes), or nil when the connection ends.
    mutating func readFrame() async throws -> Frame? {
        guard try await fill(2) else { return nil }
        let opcode = buffer[0] & 0x0F
        let length = Int(buffer[1] & 0x7F)
        guard buffer[1] & 0x80 == 0, length < 126 else { throw RawWebSocketError.unexpectedFrame }
        guard try await fill(2 + length) else { throw RawWebSocketError.ended }
        let frame = Frame(opcode: opcode, payload: Array(buffer[2..<(2 + length)]))
        buffer.removeFirst(2 + length)
        return frame
    }

    /// Everything until the connection ends.
    mutating func readToEnd() async throws -> [UInt8] {
        while let chunk = try await inbound.next() { buffer += chunk.readableBytesView }
        defer { buffer = [] }
        return buffer
    }
}

/// Set by a raw connection's own deadline when it closes the connection.
private final class DeadlineFlag: Sendable {
    let passed = Mutex(false)
}

enum RawWebSocketError: Error {
    case deadlinePassed
    case ended
    case unexpectedFrame
}
