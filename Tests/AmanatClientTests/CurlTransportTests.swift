// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatRelay
import AmanatTestSupport
import Foundation
import Synchronization
import Testing

@testable import AmanatClient

/// A deposit of a random 2 KiB envelope: its headers and body.
func deposit(into mailbox: MailboxID, key: SecureBytes) throws -> ([String: String], [UInt8]) {
    var envelope = SecureRandom.bytes(count: 2048)
    envelope[0] = 1
    let token = try DepositToken.make(depositKey: key, mailbox: mailbox, digest: SealedEnvelope.digest(of: envelope))
    return (["Amanat-Deposit-Token": token.base64URL], envelope)
}

@Suite("CurlTransport", .serialized)
struct CurlTransportTests {
    @Test("a relay's Retry-After is clamped to 1 s-1 h; missing or unreadable means 60 s")
    func retryAfter() {
        let cases: [(String?, Int)] = [
            ("-5", 1), ("0", 1), ("7", 7), (" 120 ", 120), ("99999999", 3600), (nil, 60), ("soon", 60),
            ("Wed, 21 Oct 2026 07:28:00 GMT", 60),
        ]
        for (header, seconds) in cases {
            #expect(TransportError.retryAfter(header) == seconds, "\(header ?? "nil")")
        }
    }

    @Test("unsafe or malformed settings are refused before anything is sent")
    func configuration() throws {
        let refused: [TransportConfiguration] = [
            .init(relay: "http://relay.example.org"),
            .init(relay: "ftp://relay.example.org"),
            .init(relay: "not a url"),
            .init(relay: "https://relay.example.org", proxy: "socks5://127.0.0.1:9050"),
            .init(relay: "https://relay.example.org", proxy: "http://127.0.0.1:8080"),
            .init(relay: "https://relay.example.org", pin: "sha256//short"),
            .init(relay: "https://relay.example.org?x=1"),
        ]
        for configuration in refused {
            #expect(throws: TransportError.self, "\(configuration.relay)") {
                try CurlTransport(configuration: configuration)
            }
        }
        let accepted: [TransportConfiguration] = [
            .init(relay: "https://relay.example.org", proxy: "socks5h://127.0.0.1:9050"),
            .init(relay: "http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion"),
            .init(relay: "http://127.0.0.1:8787"),
            .init(relay: "https://relay.example.org", pin: "sha256//" + String(repeating: "A", count: 43) + "="),
        ]
        for configuration in accepted {
            _ = try CurlTransport(configuration: configuration)
        }
    }

    @Test("a real relay: info, deposits with receipts, and each refusal as its typed error", .timeLimit(.minutes(3)))
    func relayAnswers() async throws {
        let relay = try LiveRelay()
        try await relay.start([
            "--limit", "mailboxEnvelopes=2", "--limit", "contactBurst=3", "--limit", "contactPerSecond=0.01",
        ])
        let transport = try CurlTransport(configuration: .init(relay: relay.url))
        let info = try CurlTransport.checked(try await transport.send("GET", "/v1/info"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.body)) as? [String: Any])
        #expect(object["version"] as? String == "1")
        #expect(info.headers["content-type"] == "application/json")

        let mailbox = try await relay.createMailbox(transport)
        let path = "/v1/mailboxes/\(mailbox.id.base64URL)/envelopes"
        let (headers, envelope) = try deposit(into: mailbox.id, key: mailbox.depositKey)
        let stored = try CurlTransport.checked(try await transport.send("PUT", path, headers: headers, body: envelope))
        #expect(stored.status == 201)
        let receipt = try #require(try JSONSerialization.jsonObject(with: Data(stored.body)) as? [String: Any])
        #expect(Base64URL.decode(receipt["digest"] as? String ?? "") == SealedEnvelope.digest(of: envelope))

        // A second envelope fills the mailbox (quota 2); a third is quotaFull; then the contact
        // rate (burst 3) is spent: rateLimited with the relay's Retry-After.
        let (secondHeaders, second) = try deposit(into: mailbox.id, key: mailbox.depositKey)
        _ = try CurlTransport.checked(try await transport.send("PUT", path, headers: secondHeaders, body: second))
        let (thirdHeaders, third) = try deposit(into: mailbox.id, key: mailbox.depositKey)
        let full = try await transport.send("PUT", path, headers: thirdHeaders, body: third)
        #expect(throws: TransportError.quotaFull) { try CurlTransport.checked(full) }
        let limited = try await transport.send("PUT", path, headers: thirdHeaders, body: third)
        let error = #expect(throws: TransportError.self) { try CurlTransport.checked(limited) }
        guard case .rateLimited(let seconds) = error else {
            Issue.record("expected rateLimited, got \(String(describing: error))")
            return
        }
        #expect(seconds >= 1 && seconds <= 100)

        // A stale signed request is a clock problem, said as such.
        let fetchPath = "/v1/mailboxes/\(mailbox.id.base64URL)/fetch"
        let body = Array(#"{"after":0,"limit":10}"#.utf8)
        let nonce = SecureRandom.bytes(count: 16)
        let stale = UInt64(Date().timeIntervalSince1970) - 600
        let signature = RequestSignature(
            method: "POST", path: fetchPath, body: body, mailbox: mailbox.id, timestamp: stale, nonce: nonce,
            mailboxKey: mailbox.owner)
        let skewed = try await transport.send(
            "POST", fetchPath,
            headers: [
                "Amanat-Timestamp": String(stale), "Amanat-Nonce": Base64URL.encode(nonce),
                "Amanat-Signature": Base64URL.encode(signature.signature),
            ], body: body)
        #expect(throws: TransportError.clockSkew) { try CurlTransport.checked(skewed) }
        let unknown = try await transport.send("GET", "/v1/blobs/\(Base64URL.encode(SecureRandom.bytes(count: 32)))")
        #expect(throws: TransportError.refused(status: 404, code: "unknown_blob")) {
            try CurlTransport.checked(unknown)
        }

        // Answers larger than allowed are refused, not truncated.
        var small = TransportConfiguration(relay: relay.url)
        small.maximumResponseBytes = 64
        let bounded = try CurlTransport(configuration: small)
        await #expect(throws: TransportError.responseTooLarge) { try await bounded.send("GET", "/v1/info") }
    }

    @Test("nothing listening is unreachable; a silent server times out", .timeLimit(.minutes(3)))
    func failures() async throws {
        let port = try freeLoopbackPort()
        let nowhere = try CurlTransport(configuration: .init(relay: "http://127.0.0.1:\(port)"))
        await #expect(throws: TransportError.unreachable) { try await nowhere.send("GET", "/v1/info") }

        // A listening socket that never answers.
        let (fd, silentPort) = try loopbackSocket(listening: true)
        defer { close(fd) }
        var configuration = TransportConfiguration(relay: "http://127.0.0.1:\(silentPort)")
        configuration.requestTimeout = .seconds(1)
        let silent = try CurlTransport(configuration: configuration)
        await #expect(throws: TransportError.timedOut) { try await silent.send("GET", "/v1/info") }
    }

    @Test(
        "TLS: the right pin connects to a self-signed relay; a wrong pin fails before any body is sent",
        .timeLimit(.minutes(3)))
    func pinning() async throws {
        let relay = try LiveRelay()
        let (certificate, key) = try makeSelfSignedCertificate(in: relay.directory)
        let pin = try RelayTLS(certificatePath: certificate, keyPath: key).pin
        try await relay.start(tls: (certificate, key))
        let url = "https://127.0.0.1:\(relay.port)"
        let pinned = try CurlTransport(configuration: .init(relay: url, pin: pin))
        let mailbox = try await relay.createMailbox(pinned)
        let wrongPin = "sha256//" + Data(SecureRandom.bytes(count: 32)).base64EncodedString()
        let intercepted = try CurlTransport(configuration: .init(relay: url, pin: wrongPin))
        let (headers, envelope) = try deposit(into: mailbox.id, key: mailbox.depositKey)
        let path = "/v1/mailboxes/\(mailbox.id.base64URL)/envelopes"
        await #expect(throws: TransportError.pinMismatch) {
            try await intercepted.send("PUT", path, headers: headers, body: envelope)
        }
        // Several addresses: a wrong pin at one passes the request to the next, whose pin holds;
        // when every address fails, a wrong pin among them is what is said.
        let mismatches = Mutex<[String]>([])
        let failover = try CurlTransport(
            configuration: TransportConfiguration(routes: [
                RelayRoute(relay: url + "/", pin: wrongPin), RelayRoute(relay: url, pin: pin),
            ]),
            onPinMismatch: { route in mismatches.withLock { $0.append(route.relay) } })
        #expect(try CurlTransport.checked(try await failover.send("GET", "/v1/info")).status == 200)
        #expect(failover.route.relay == url)
        // The mismatch is told although another address answered.
        #expect(mismatches.withLock { $0 } == [url + "/"])
        let allFail = try CurlTransport(
            configuration: TransportConfiguration(routes: [
                RelayRoute(relay: "http://127.0.0.1:\(try freeLoopbackPort())"), RelayRoute(relay: url, pin: wrongPin),
            ]))
        await #expect(throws: TransportError.pinMismatch) { try await allFail.send("GET", "/v1/info") }
        // Without a pin, a self-signed certificate is not trusted either.
        let unpinned = try CurlTransport(configuration: .init(relay: url))
        await #expect(throws: TransportError.tlsFailure) { try await unpinned.send("GET", "/v1/info") }
        // Nothing reached the mailbox: the same envelope deposited now is new, not a duplicate.
        let fetchPath = "/v1/mailboxes/\(mailbox.id.base64URL)/fetch"
        let body = Array(#"{"after":0,"limit":10}"#.utf8)
        let nonce = SecureRandom.bytes(count: 16)
        let now = UInt64(Date().timeIntervalSince1970)
        let signature = RequestSignature(
            method: "POST", path: fetchPath, body: body, mailbox: mailbox.id, timestamp: now, nonce: nonce,
            mailboxKey: mailbox.owner)
        let page = try CurlTransport.checked(
            try await pinned.send(
                "POST", fetchPath,
                headers: [
                    "Amanat-Timestamp": String(now), "Amanat-Nonce": Base64URL.encode(nonce),
                    "Amanat-Signature": Base64URL.encode(signature.signature),
                ], body: body))
        let envelopes = try #require(try JSONSerialization.jsonObject(with: Data(page.body)) as? [String: Any])[
            "envelopes"]
        #expect((envelopes as? [Any])?.isEmpty == true)
    }

    @Test("through a real SOCKS5 proxy (microsocks); a dead proxy is a proxy failure", .timeLimit(.minutes(3)))
    func socksProxy() async throws {
        let relay = try LiveRelay()
        try await relay.start()
        let proxy = try await SocksProxy()
        defer { proxy.stop() }
        let viaProxy = try CurlTransport(
            configuration: .init(relay: relay.url, proxy: proxy.url))
        let info = try CurlTransport.checked(try await viaProxy.send("GET", "/v1/info"))
        #expect(info.status == 200)
        let deadPort = try freeLoopbackPort()
        let dead = try CurlTransport(configuration: .init(relay: relay.url, proxy: "socks5h://127.0.0.1:\(deadPort)"))
        await #expect(throws: TransportError.proxyFailure) { try await dead.send("GET", "/v1/info") }
    }

    @Test(
        "several addresses: a dead one is passed over and the live one kept; a request that may have arrived is not sent elsewhere; Tor-only contacts no other address",
        .timeLimit(.minutes(3)))
    func severalAddresses() async throws {
        let relay = try LiveRelay()
        try await relay.start()
        let dead = "http://127.0.0.1:\(try freeLoopbackPort())"
        let switched = Mutex<[String]>([])
        let transport = try CurlTransport(
            configuration: TransportConfiguration(routes: [RelayRoute(relay: dead), RelayRoute(relay: relay.url)]),
            onSwitch: { route in switched.withLock { $0.append(route.relay) } })
        #expect(transport.route.relay == dead)
        #expect(try CurlTransport.checked(try await transport.send("GET", "/v1/info")).status == 200)
        #expect(transport.route.relay == relay.url)
        // An error status is an answer: the address stays; no second switch.
        #expect(try await transport.send("GET", "/v1/nothing").status == 404)
        #expect(switched.withLock { $0 } == [relay.url])
        // A new transport told which address answered last starts there.
        let remembered = try CurlTransport(
            configuration: TransportConfiguration(routes: [RelayRoute(relay: dead), RelayRoute(relay: relay.url)]),
            preferring: relay.url)
        #expect(remembered.route.relay == relay.url)
        // Every address dead: the first one's failure.
        let nowhere = try CurlTransport(
            configuration: TransportConfiguration(routes: [
                RelayRoute(relay: dead), RelayRoute(relay: "http://127.0.0.1:\(try freeLoopbackPort())"),
            ]))
        await #expect(throws: TransportError.unreachable) { try await nowhere.send("GET", "/v1/info") }

        // A server that takes the request and never answers: it may have acted, so the request
        // is not repeated at the live address (the caller's retry decides).
        let (silentFd, silentPort) = try loopbackSocket(listening: true)
        defer { close(silentFd) }
        var configuration = TransportConfiguration(routes: [
            RelayRoute(relay: "http://127.0.0.1:\(silentPort)"), RelayRoute(relay: relay.url),
        ])
        configuration.requestTimeout = .seconds(1)
        let silent = try CurlTransport(configuration: configuration)
        await #expect(throws: TransportError.timedOut) { try await silent.send("GET", "/v1/info") }
        #expect(silent.route.relay == "http://127.0.0.1:\(silentPort)")

        // Tor-only: only the onion address, through the proxy. The clearnet ones, a listener
        // that would hold any connection in its backlog and the live relay, are never contacted:
        // the proxy (microsocks, which cannot reach an onion) fails, and nothing else is tried.
        // Closed by hand below (once: a second close could hit a descriptor another test opened).
        let (clearFd, clearPort) = try loopbackSocket(listening: true)
        let proxy = try await SocksProxy()
        defer { proxy.stop() }
        let onion = "http://amanatrelayexampleonionaddressxxxxxxxxxxxxxxxxxxxx.onion"
        let routes = [
            RelayRoute(relay: "http://127.0.0.1:\(clearPort)"), RelayRoute(relay: relay.url), RelayRoute(relay: onion),
        ]
        let torOnly = try CurlTransport(
            configuration: TransportConfiguration(routes: routes, proxy: proxy.url, onionOnly: true))
        #expect(torOnly.route.relay == onion)
        await #expect(throws: TransportError.proxyFailure) { try await torOnly.send("GET", "/v1/info") }
        #expect(pendingConnections(clearFd) == 0)
        // The same addresses without Tor-only: the dead clearnet listener aside, the live relay
        // answers through the proxy.
        close(clearFd)
        let proxied = try CurlTransport(configuration: TransportConfiguration(routes: routes, proxy: proxy.url))
        #expect(try CurlTransport.checked(try await proxied.send("GET", "/v1/info")).status == 200)
        #expect(proxied.route.relay == relay.url)
        // Without Tor an onion address is skipped, never looked up: the live one answers; with
        // nothing but onion addresses, nothing is sent.
        let direct = try CurlTransport(
            configuration: TransportConfiguration(routes: [RelayRoute(relay: onion), RelayRoute(relay: relay.url)]))
        #expect(try CurlTransport.checked(try await direct.send("GET", "/v1/info")).status == 200)
        let onionAlone = try CurlTransport(configuration: TransportConfiguration(routes: [RelayRoute(relay: onion)]))
        await #expect(throws: TransportError.onionNeedsTor) { try await onionAlone.send("GET", "/v1/info") }
        // Tor-only needs a proxy and an onion address.
        #expect(throws: TransportError.self) {
            try CurlTransport(configuration: TransportConfiguration(routes: routes, onionOnly: true))
        }
        #expect(throws: TransportError.self) {
            try CurlTransport(
                configuration: TransportConfiguration(
                    routes: [RelayRoute(relay: relay.url)], proxy: proxy.url, onionOnly: true))
        }
        #expect(throws: TransportError.badRelayAddress) {
            try CurlTransport(
                configuration: TransportConfiguration(routes: [
                    RelayRoute(relay: relay.url), RelayRoute(relay: relay.url),
                ]))
        }
    }

    @Test("amanat's own Tor: its control port's answers read, odd ones refused")
    func torControlAnswers() {
        #expect(
            ManagedTor.progress(fromBootstrapPhase: [
                "250-status/bootstrap-phase=NOTICE BOOTSTRAP PROGRESS=45 TAG=requesting_descriptors SUMMARY=\"Asking for relay descriptors\"",
                "250 OK",
            ]) == TorProgress(percent: 45, summary: "Asking for relay descriptors"))
        #expect(
            ManagedTor.progress(fromBootstrapPhase: [
                "250-status/bootstrap-phase=NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY=\"Done\"", "250 OK",
            ])?.percent == 100)
        #expect(ManagedTor.progress(fromBootstrapPhase: ["250-status/bootstrap-phase=", "250 OK"]) == nil)
        #expect(ManagedTor.progress(fromBootstrapPhase: ["250-x PROGRESS=900"])?.percent == 100)
        #expect(
            ManagedTor.socksPort(fromListeners: ["250-net/listeners/socks=\"127.0.0.1:41237\"", "250 OK"]) == 41237)
        #expect(ManagedTor.socksPort(fromListeners: ["250-net/listeners/socks=", "250 OK"]) == nil)
        // SAFECOOKIE's reply fields.
        let challenge = "250 AUTHCHALLENGE SERVERHASH=0A1B SERVERNONCE=FF00"
        #expect(TorControl.value("SERVERHASH", in: challenge).flatMap(Hex.decode) == [0x0A, 0x1B])
        #expect(TorControl.value("SERVERNONCE", in: challenge).flatMap(Hex.decode) == [0xFF, 0x00])
        #expect(TorControl.value("SERVERHASH", in: "250 OK") == nil)
        // Bridge lines that Tor's parser would read as more than one value are refused.
        for line in ["obfs4 1.2.3.4:5 \\", "obfs4 1.2.3.4:5 # x", "\"obfs4 1.2.3.4:5\"", "", "обфс4"] {
            #expect(!Invite.isValidBridge(line), "\(line)")
        }
        #expect(Invite.isValidBridge("obfs4 192.0.2.7:443 4C4D cert=AAEC+/= iat-mode=0"))
    }

    @Test("backoff: full jitter under a doubling ceiling, capped, never below Retry-After")
    func backoff() {
        let backoff = Backoff(base: .seconds(2), cap: .seconds(60))
        var random = SystemRandomNumberGenerator()
        for failures in 1...10 {
            let ceiling = min(Duration.seconds(60), .seconds(2) * (1 << (failures - 1)))
            let delays = (0..<200).map { _ in backoff.delay(afterFailures: failures, using: &random) }
            #expect(delays.allSatisfy { $0 >= .zero && $0 <= ceiling })
            // Spread out, not all at the ceiling.
            #expect(Set(delays).count > 50)
        }
        #expect(backoff.delay(afterFailures: 1, retryAfter: .seconds(30), using: &random) >= .seconds(30))
    }
}
