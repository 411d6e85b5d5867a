// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import Synchronization
import Testing
import WSClient

@testable import AmanatRelay

@Suite("Relay push: WebSocket and long-poll")
struct RelayPushTests {
    @Test(
        "long-poll: at once when something waits, on a deposit while waiting, false after the timeout",
        .timeLimit(.minutes(3)))
    func longPoll() async throws {
        let harness = try RelayHarness()
        try await harness.test { client in
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            let path = owner.path + "/wait"
            func wait(after: Int64, timeout: Int) async throws -> Bool {
                let body = RelayHarness.json(["after": after, "timeout": timeout])
                return try await client.execute(
                    uri: path, method: .post, headers: harness.signed(owner, .post, path, body), body: body
                ) { response in
                    #expect(response.status == .ok)
                    return try RelayHarness.decode(RelayAPI.WaitResponse.self, response).new
                }
            }
            #expect(try await wait(after: 0, timeout: 0) == false)
            #expect(try await wait(after: 0, timeout: 1) == false)
            // A deposit while a wait is open wakes it well before its 20 s timeout.
            async let woken = wait(after: 0, timeout: 20)
            try await Task.sleep(for: .milliseconds(300))
            let envelope = RelayHarness.envelope()
            try await harness.deposit(envelope, into: owner, client)
            #expect(try await woken == true)
            // Now something is waiting after sequence 0, and nothing after the envelope's sequence.
            #expect(try await wait(after: 0, timeout: 20) == true)
            #expect(try await wait(after: 1, timeout: 0) == false)

            let tooLong = RelayHarness.json(["after": 0, "timeout": 31])
            try await client.execute(
                uri: path, method: .post, headers: harness.signed(owner, .post, path, tooLong), body: tooLong
            ) { #expect($0.status == .badRequest && errorCode($0) == "invalid_field") }
            let unsigned = RelayHarness.json(["after": 0, "timeout": 0])
            try await client.execute(uri: path, method: .post, body: unsigned) {
                #expect($0.status == .unauthorized && errorCode($0) == "bad_signature")
            }
        }
    }

    @Test(
        "WebSocket: signed upgrade, \"new\" once on connect and on each deposit, refused without a signature",
        .timeLimit(.minutes(3)))
    func webSocket() async throws {
        let harness = try RelayHarness()
        let app = Application(
            router: harness.relay.router(),
            server: harness.relay.httpServer(idleTimeout: .seconds(90)),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            let path = owner.path + "/push"
            let received = Mutex<[String]>([])
            let signed = harness.signed(owner, .get, path, ByteBuffer())
            let closeFrame = try await client.ws(
                path, configuration: .init(additionalHeaders: signed)
            ) { inbound, outbound, _ in
                // The first "new" says the subscription is live; then two deposits, each after the
                // previous "new" arrived; then close.
                var iterator = inbound.messages(maxSize: 1024).makeAsyncIterator()
                if case .text(let text) = try await iterator.next() {
                    received.withLock { $0.append(text) }
                }
                for _ in 0..<2 {
                    try await harness.deposit(RelayHarness.envelope(), into: owner, client)
                    if case .text(let text) = try await iterator.next() {
                        received.withLock { $0.append(text) }
                    }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            #expect(received.withLock { $0 } == ["new", "new", "new"])
            _ = closeFrame
            // Without a valid signature there is no upgrade.
            await #expect(throws: (any Error).self) {
                try await client.ws(path, configuration: .init(additionalHeaders: [:])) { _, _, _ in }
            }
            // The server lets go of the subscription once the connection has closed.
            var open = harness.relay.push.count
            for _ in 0..<100 where open > 0 {
                try await Task.sleep(for: .milliseconds(20))
                open = harness.relay.push.count
            }
            #expect(open == 0)
        }
    }
}

@Suite("Relay rate limits")
struct RelayRateLimitTests {
    @Test("per-mailbox contact and owner limits, and the global limit: 429 with Retry-After")
    func rateLimits() async throws {
        var limits = RelayHarness.Limits()
        limits.contactRate = RateLimit(perSecond: 0.01, burst: 3)
        limits.ownerRate = RateLimit(perSecond: 0.01, burst: 2)
        let harness = try RelayHarness(limits: limits)
        try await harness.test { client in
            let owner = RelayHarness.Owner()
            let other = RelayHarness.Owner()
            try await harness.create(owner, client)
            try await harness.create(other, client)
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 {
                let envelope = RelayHarness.envelope()
                try await client.execute(
                    uri: owner.path + "/envelopes", method: .put, headers: harness.depositHeaders(owner, envelope),
                    body: ByteBuffer(bytes: envelope)
                ) { response in
                    statuses.append(response.status)
                    if response.status == .tooManyRequests {
                        #expect(errorCode(response) == "rate_limited")
                        #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                    }
                }
            }
            #expect(statuses == [.created, .created, .created, .tooManyRequests])
            // Another mailbox has its own bucket.
            let envelope = RelayHarness.envelope()
            try await harness.deposit(envelope, into: other, client)
            // Owner requests: two, then 429.
            let path = owner.path + "/fetch"
            let body = RelayHarness.json(["after": 0, "limit": 10])
            statuses = []
            for _ in 0..<3 {
                try await client.execute(
                    uri: path, method: .post, headers: harness.signed(owner, .post, path, body), body: body
                ) { statuses.append($0.status) }
            }
            #expect(statuses == [.ok, .ok, .tooManyRequests])
        }

        limits = RelayHarness.Limits()
        limits.globalRate = RateLimit(perSecond: 0.01, burst: 5)
        let global = try RelayHarness(limits: limits)
        try await global.test { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<6 {
                try await client.execute(uri: "/v1/info", method: .get) { statuses.append($0.status) }
            }
            #expect(statuses == Array(repeating: .ok, count: 5) + [.tooManyRequests])
        }
    }
}
