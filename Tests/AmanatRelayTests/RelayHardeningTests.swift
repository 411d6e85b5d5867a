// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import AmanatRelay

/// Attacks an adversarial review found (issue #18), each as a test that failed before its fix.
@Suite("Relay hardening: floods, starvation, waiter and nonce caps")
struct RelayHardeningTests {
    /// The resident memory of process `pid`, in bytes.
    static func residentBytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try #require(Int(line.split(separator: " ").dropFirst().first ?? "")) * 1024
    }

    @Test(
        "blob space: one mailbox's contacts create at most its reservation per upload window (429 with Retry-After), other mailboxes are unaffected"
    )
    func blobReservations() async throws {
        var limits = RelayHarness.Limits()
        limits.blobReservationBytesPerMailbox = 10_000
        limits.maximumBlobBytes = 10_000
        let harness = try RelayHarness(limits: limits)
        try await harness.test { client in
            let flooded = RelayHarness.Owner()
            let other = RelayHarness.Owner()
            try await harness.create(flooded, client)
            try await harness.create(other, client)
            func create(_ owner: RelayHarness.Owner, _ size: Int) async throws -> (Int, String?, String?) {
                let (headers, body) = try harness.fresh(
                    owner, purpose: .blob, extra: ["size": size, "confirmations": RelayHarness.confirmations(1)])
                var answer: (Int, String?, String?) = (0, nil, nil)
                try await client.execute(uri: owner.path + "/blobs", method: .post, headers: headers, body: body) {
                    answer = (Int($0.status.code), errorCode($0), $0.headers[.retryAfter])
                }
                return answer
            }
            for _ in 0..<4 { #expect(try await create(flooded, 2500).0 == 201) }
            let refused = try await create(flooded, 1)
            #expect(refused.0 == 429 && refused.1 == "rate_limited", "\(refused)")
            // Until the oldest creation leaves the three-hour window.
            #expect(refused.2.flatMap(Int.init).map { (1...3 * 3600).contains($0) } == true, "\(refused)")
            // The mailbox next door still gets its attachments.
            #expect(try await create(other, 10_000).0 == 201)
        }
    }

    @Test("without its keys, a mailbox that does not exist answers exactly as a live one does (no existence oracle)")
    func noExistenceOracle() async throws {
        let harness = try RelayHarness()
        try await harness.test { client in
            let live = RelayHarness.Owner()
            try await harness.create(live, client)
            let gone = RelayHarness.Owner()
            // Keys that fit neither mailbox: what someone holding only an old id has.
            let stranger = Ed25519.PrivateKey()
            let token: HTTPFields = [Relay.depositTokenHeader: Base64URL.encode(SecureRandom.bytes(count: 32))]
            let envelope = RelayHarness.envelope()
            func answers(_ owner: RelayHarness.Owner) async throws -> [String] {
                var seen: [String] = []
                let owned: [(HTTPRequest.Method, String, ByteBuffer)] = [
                    (.post, "/fetch", RelayHarness.json(["after": 0, "limit": 10])),
                    (.post, "/ack", RelayHarness.json(["digests": [String](), "expiredUnreadSeen": 0])),
                    (.post, "/wait", RelayHarness.json(["after": 0, "timeout": 0])),
                    (
                        .post, "/deposit-key",
                        RelayHarness.json(["depositKey": Base64URL.encode(SecureRandom.bytes(count: 32))])
                    ),
                    (.put, "/prekeys", RelayHarness.json(["oneTime": [String]()])),
                ]
                for (method, suffix, body) in owned {
                    let path = owner.path + suffix
                    try await client.execute(
                        uri: path, method: method, headers: harness.signed(owner, method, path, body, key: stranger),
                        body: body
                    ) { seen.append("\(suffix) \($0.status.code) \(errorCode($0) ?? "")") }
                }
                let contacted: [(HTTPRequest.Method, String, ByteBuffer)] = [
                    (.put, "/envelopes", ByteBuffer(bytes: envelope)),
                    (
                        .post, "/prekeys/claim",
                        RelayHarness.json([
                            "time": harness.now, "nonce": Base64URL.encode(SecureRandom.bytes(count: 16)),
                        ])
                    ),
                    (
                        .post, "/blobs",
                        RelayHarness.json([
                            "size": 1000, "confirmations": RelayHarness.confirmations(1), "time": harness.now,
                            "nonce": Base64URL.encode(SecureRandom.bytes(count: 16)),
                        ])
                    ),
                ]
                for (method, suffix, body) in contacted {
                    try await client.execute(uri: owner.path + suffix, method: method, headers: token, body: body) {
                        seen.append("\(suffix) \($0.status.code) \(errorCode($0) ?? "")")
                    }
                }
                return seen
            }
            let fromLive = try await answers(live)
            let fromGone = try await answers(gone)
            #expect(fromLive == fromGone)
            #expect(
                fromLive.allSatisfy { $0.hasSuffix("401 bad_signature") || $0.hasSuffix("403 bad_deposit_token") },
                "\(fromLive)")
        }
    }

    @Test(
        "100,000 pings on a push connection that never reads cost the real relay under 10 MiB; the flooder is cut off",
        .timeLimit(.minutes(2)))
    func pingFlood() async throws {
        let relay = try RelayProcess()
        try await relay.start()
        defer { relay.kill() }
        let pid = try #require(relay.processIdentifier)
        let owner = try await relay.createMailbox()
        let path = owner.path + "/push"
        let before = try Self.residentBytes(pid)
        let ping = RawWebSocket.frame(opcode: 0x9, payload: [UInt8](repeating: 0x41, count: 125))
        let batch = Array([[UInt8]](repeating: ping, count: 100).joined())
        let (sent, growth) = try await RawWebSocket.connect(
            port: relay.port, deadline: .seconds(60), receiveBuffer: 4096
        ) {
            socket in
            var headers = HTTPFields()
            for (name, value) in relay.signatureHeaders(owner, "GET", path, []) {
                headers[try #require(HTTPField.Name(name))] = value
            }
            try await socket.send(RawWebSocket.upgradeRequest(path, headers))
            #expect(try await socket.readHead().status == 101)
            var count = 0
            do {
                for _ in 0..<1000 {
                    try await socket.send(batch)
                    count += 100
                }
            } catch {
                // The relay closed the connection.
            }
            // Measured while this end is still connected and still not reading: whatever the
            // relay holds for it is held now.
            try await Task.sleep(for: .seconds(2))
            return (count, try Self.residentBytes(pid) - before)
        }
        print("ping flood: \(sent) pings sent, relay RSS +\(growth / 1024) KiB")
        #expect(growth < 10 << 20, "RSS grew by \(growth) bytes")
        // The relay is still there for everyone else.
        #expect(try await relay.request("GET", "/healthz", headers: [:], body: []).1 == 200)
    }

    @Test("junk deposit tokens do not use up the mailbox's contact rate: real contacts still get through")
    func junkTokensDoNotStarve() async throws {
        var limits = RelayHarness.Limits()
        limits.contactRate = RateLimit(perSecond: 0.01, burst: 5)
        limits.rateClock = { 1000 }
        let harness = try RelayHarness(limits: limits)
        try await harness.test { client in
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            for _ in 0..<50 {
                let envelope = RelayHarness.envelope()
                try await client.execute(
                    uri: owner.path + "/envelopes", method: .put,
                    headers: try harness.depositHeaders(owner, envelope, key: SecureBytes.random(count: 32)),
                    body: ByteBuffer(bytes: envelope)
                ) { response in
                    #expect(response.status == .forbidden && errorCode(response) == "bad_deposit_token")
                }
            }
            for _ in 0..<5 {
                try await harness.deposit(RelayHarness.envelope(), into: owner, client)
            }
            // The rate still holds for the real contacts: the sixth is over it.
            let envelope = RelayHarness.envelope()
            try await client.execute(
                uri: owner.path + "/envelopes", method: .put, headers: try harness.depositHeaders(owner, envelope),
                body: ByteBuffer(bytes: envelope)
            ) { response in #expect(response.status == .tooManyRequests) }
        }
    }

    @Test("one mailbox cannot hold every push and long-poll slot", .timeLimit(.minutes(3)))
    func waitersPerMailbox() async throws {
        var limits = RelayHarness.Limits()
        limits.maximumMailboxWaiters = 2
        let harness = try RelayHarness(limits: limits)
        let app = Application(
            router: harness.relay.router(),
            server: harness.relay.httpServer(idleTimeout: .seconds(90), pingPeriod: .seconds(60)),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let greedy = RelayHarness.Owner()
            let other = RelayHarness.Owner()
            try await harness.create(greedy, client)
            try await harness.create(other, client)
            /// Opens a push connection for `owner`, runs `body` while it is open.
            func push(_ owner: RelayHarness.Owner, _ body: () async throws -> Void) async throws -> Int {
                let path = owner.path + "/push"
                return try await RawWebSocket.connect(port: port) { socket in
                    try await socket.send(
                        RawWebSocket.upgradeRequest(path, harness.signed(owner, .get, path, ByteBuffer())))
                    let status = try await socket.readHead().status
                    if status == 101 { try await body() }
                    return status
                }
            }
            var statuses: [Int] = []
            let first = try await push(greedy) {
                let second = try await push(greedy) {
                    statuses.append(try await push(greedy) {})
                    statuses.append(try await push(other) {})
                }
                statuses.append(second)
            }
            statuses.append(first)
            // The third of one mailbox is refused; another mailbox still gets in.
            #expect(statuses == [429, 101, 101, 101], "\(statuses)")
        }
    }

    @Test("the nonce cache keeps every nonce while its request is valid, refuses instead of evicting, and per mailbox")
    func nonceCache() {
        let window: UInt64 = 300
        let cache = NonceCache(capacity: 8, window: window, shareDivisor: 2)
        let alice = [UInt8](repeating: 1, count: 32)
        let bob = [UInt8](repeating: 2, count: 32)
        let nonce = [UInt8](repeating: 9, count: 16)
        #expect(cache.insert(nonce, mailbox: alice, now: 1000) == .new)
        // Dated 300 s ahead, that request stays valid until 1,600 inclusive: its nonce too.
        #expect(cache.insert(nonce, mailbox: alice, now: 1600) == .replayed)
        #expect(cache.insert(nonce, mailbox: alice, now: 1601) == .new)
        // One mailbox holds at most half; the others' nonces are never pushed out.
        for index in 1..<4 { #expect(cache.insert([UInt8(index)], mailbox: alice, now: 1601) == .new) }
        guard case .full(let wait) = cache.insert([99], mailbox: alice, now: 1601) else {
            Issue.record("alice's share should be used up")
            return
        }
        #expect(wait >= 1 && wait <= 601)
        for index in 0..<4 { #expect(cache.insert([UInt8(index)], mailbox: bob, now: 1601) == .new) }
        if case .full = cache.insert([50], mailbox: bob, now: 1602) {} else { Issue.record("the cache is full") }
        #expect(cache.insert(nonce, mailbox: alice, now: 1602) == .replayed)
        #expect(cache.insert([0], mailbox: bob, now: 1602) == .replayed)
        // Once the window has passed, room comes back.
        #expect(cache.insert([50], mailbox: bob, now: 2202) == .new)
    }

    @Test("an owner request refused for its rate does not spend its nonce")
    func refusedRequestKeepsNonce() async throws {
        let time = Mutex(1000.0)
        var limits = RelayHarness.Limits()
        limits.ownerRate = RateLimit(perSecond: 0.5, burst: 1)
        limits.rateClock = { time.withLock { $0 } }
        let harness = try RelayHarness(limits: limits)
        try await harness.test { client in
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            let path = owner.path + "/fetch"
            let body = RelayHarness.json(["after": 0, "limit": 10])
            try await client.execute(
                uri: path, method: .post, headers: harness.signed(owner, .post, path, body), body: body
            ) { #expect($0.status == .ok) }
            let headers = harness.signed(owner, .post, path, body)
            try await client.execute(uri: path, method: .post, headers: headers, body: body) {
                #expect($0.status == .tooManyRequests)
            }
            time.withLock { $0 += 2.5 }
            // The same request again, once the rate allows: accepted, since nothing was spent.
            try await client.execute(uri: path, method: .post, headers: headers, body: body) {
                #expect($0.status == .ok)
            }
            time.withLock { $0 += 2.5 }
            try await client.execute(uri: path, method: .post, headers: headers, body: body) {
                #expect($0.status == .unauthorized && errorCode($0) == "replayed_nonce")
            }
        }
    }
}
