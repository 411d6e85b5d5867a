// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatProtocolVectors
import AmanatTestSupport
import Foundation
import HTTPTypes
import Logging
import Synchronization
import Testing
import WSClient

@testable import AmanatRelay

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The relay tests' name for the shared harness; the helpers below speak the API by hand.
typealias RelayProcess = LiveRelay

extension LiveRelay {
    func request(
        _ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil
    ) async throws -> ([UInt8], Int) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 10
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = Data(body) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (Array(data), (response as? HTTPURLResponse)?.statusCode ?? 0)
    }

    /// Creates a mailbox through the API and returns its owner's secrets.
    func createMailbox() async throws -> RelayHarness.Owner {
        let owner = RelayHarness.Owner()
        let voucher = Voucher(
            id: .random(), expiresAt: UInt64(Date().timeIntervalSince1970) + 3600, signedBy: root)
        let body = try JSONSerialization.data(withJSONObject: [
            "mailbox": owner.id.base64URL, "ownerKey": Base64URL.encode(owner.key.publicKey.rawRepresentation),
            "depositKey": Base64URL.encode(owner.depositKey.withUnsafeBytes { Array($0) }),
            "voucher": Base64URL.encode(voucher.encoded),
        ])
        let (_, status) = try await request("POST", "/v1/mailboxes", body: Array(body))
        guard status == 201 else { throw RelayProcessError.unexpectedStatus(status) }
        return owner
    }

    /// Deposits an envelope; the HTTP status.
    func deposit(_ envelope: [UInt8], to owner: RelayHarness.Owner) async throws -> Int {
        let token = try DepositToken.make(
            depositKey: owner.depositKey, mailbox: owner.id, digest: SealedEnvelope.digest(of: envelope))
        return try await request(
            "PUT", owner.path + "/envelopes", headers: ["Amanat-Deposit-Token": token.base64URL], body: envelope
        ).1
    }

    /// A request signed by the mailbox's owner (SPEC.md §8.2); the body and status.
    func signed(
        _ owner: RelayHarness.Owner, _ method: String, _ path: String, _ object: Any?
    ) async throws -> ([UInt8], Int) {
        let body = try object.map { Array(try JSONSerialization.data(withJSONObject: $0)) } ?? []
        return try await request(method, path, headers: signatureHeaders(owner, method, path, body), body: body)
    }

    func signatureHeaders(
        _ owner: RelayHarness.Owner, _ method: String, _ path: String, _ body: [UInt8]
    ) -> [String: String] {
        let nonce = SecureRandom.bytes(count: 16)
        let timestamp = UInt64(Date().timeIntervalSince1970)
        let signature = RequestSignature(
            method: method, path: path, body: body, mailbox: owner.id, timestamp: timestamp, nonce: nonce,
            mailboxKey: owner.key)
        return [
            "Amanat-Timestamp": String(timestamp), "Amanat-Nonce": Base64URL.encode(nonce),
            "Amanat-Signature": Base64URL.encode(signature.signature),
        ]
    }

    /// An anonymous request a contact makes with a deposit token over its fresh body.
    func contact(
        _ owner: RelayHarness.Owner, _ path: String, purpose: DepositToken.Purpose, _ object: [String: Any]
    ) async throws -> ([UInt8], Int) {
        var object = object
        object["time"] = UInt64(Date().timeIntervalSince1970)
        object["nonce"] = Base64URL.encode(SecureRandom.bytes(count: 16))
        let body = Array(try JSONSerialization.data(withJSONObject: object))
        let token = try DepositToken.make(
            depositKey: owner.depositKey, mailbox: owner.id, digest: try BLAKE2b.hash(body), purpose: purpose)
        return try await request(
            "POST", path, headers: ["Amanat-Deposit-Token": token.base64URL], body: body)
    }

    /// Every digest waiting in the owner's mailbox.
    func fetchAll(_ owner: RelayHarness.Owner) async throws -> Set<[UInt8]> {
        var digests = Set<[UInt8]>()
        var after: Int64 = 0
        while true {
            let (data, status) = try await signed(owner, "POST", owner.path + "/fetch", ["after": after, "limit": 100])
            guard status == 200 else { throw RelayProcessError.unexpectedStatus(status) }
            let page = try JSONDecoder().decode(RelayAPI.FetchResponse.self, from: Data(data))
            for envelope in page.envelopes { digests.insert(Base64URL.decode(envelope.digest) ?? []) }
            guard let last = page.envelopes.last else { return digests }
            after = last.sequence
        }
    }
}

enum RelayProcessError: Error {
    case unreachable
    case unexpectedStatus(Int)
}

@Suite("The real relay process", .serialized)
struct RelayProcessTests {
    @Test("a full exchange through the running binary, then a graceful Ctrl-C")
    func exchange() async throws {
        let relay = try RelayProcess()
        try await relay.start()
        let owner = try await relay.createMailbox()
        let envelopes = (0..<5).map { _ in RelayHarness.envelope() }
        for envelope in envelopes {
            #expect(try await relay.deposit(envelope, to: owner) == 201)
        }
        #expect(try await relay.fetchAll(owner) == Set(envelopes.map { SealedEnvelope.digest(of: $0) }))
        #expect(relay.interrupt() == 0)
        // Restarted, it still has them.
        try await relay.start()
        #expect(try await relay.fetchAll(owner).count == 5)
        #expect(relay.interrupt() == 0)

        // At the default level the relay logs nothing per request: only its four start-up lines,
        // so no mailbox id, envelope digest, token or client address reaches its output.
        let log = try String(contentsOf: relay.logURL, encoding: .utf8)
        let lines = log.split(separator: "\n")
        #expect(lines.count == 8, "\(lines)")
        #expect(
            lines.allSatisfy {
                $0.hasPrefix("Relay key: ") || $0.hasPrefix("Listening on 127.0.0.1:")
                    || $0.hasPrefix("Metrics on 127.0.0.1:") || $0.hasPrefix("Envelopes in /")
            })
        #expect(!log.contains(owner.id.base64URL))
        for envelope in envelopes {
            #expect(!log.contains(Base64URL.encode(SealedEnvelope.digest(of: envelope))))
        }
    }

    @Test(
        "live: prekeys, WebSocket push, long-poll, a blob resumed across a SIGKILL, and only ciphertext on disk",
        .timeLimit(.minutes(2)))
    func liveExchange() async throws {
        let relay = try RelayProcess()
        try await relay.start()
        let bob = try await relay.createMailbox()
        let bobDevice = VectorDevice("bob")
        let alice = VectorDevice("alice")

        // Bob publishes his sealed prekey directory; a contact claims a bundle and opens it.
        let directoryKey = SecureBytes.random(count: 32)
        var entropy = SystemEntropy()
        let full = bobDevice.bundle(withOneTimePrekeys: true)
        let head = try PrekeyDirectory.sealHead(
            identity: full.identity, signedPrekey: full.signedPrekey,
            lastResortPrekey: bobDevice.bundle(withOneTimePrekeys: false).postQuantumPrekey,
            sealingKey: full.sealingKey, directoryKey: directoryKey, mailbox: bob.id, entropy: &entropy)
        let oneTime = try PrekeyDirectory.sealOneTime(
            try #require(full.oneTimePrekey), directoryKey: directoryKey, mailbox: bob.id, entropy: &entropy)
        let postQuantum = try PrekeyDirectory.sealOneTime(
            full.postQuantumPrekey, directoryKey: directoryKey, mailbox: bob.id, entropy: &entropy)
        let (_, uploaded) = try await relay.signed(
            bob, "PUT", bob.path + "/prekeys",
            [
                "head": Base64URL.encode(head),
                "oneTimePrekeys": [["id": 3, "entry": Base64URL.encode(oneTime)]],
                "oneTimePostQuantumPrekeys": [["id": 4, "entry": Base64URL.encode(postQuantum)]],
            ])
        #expect(uploaded == 200)
        let (claimBody, claimed) = try await relay.contact(bob, bob.path + "/prekeys/claim", purpose: .prekeyClaim, [:])
        #expect(claimed == 200)
        let claim = try JSONDecoder().decode(RelayAPI.PrekeyClaim.self, from: Data(claimBody))
        let bundle = try PrekeyDirectory.openBundle(
            head: try #require(Base64URL.decode(claim.head)),
            oneTimePrekey: claim.oneTimePrekey.flatMap(Base64URL.decode),
            oneTimePostQuantumPrekey: claim.oneTimePostQuantumPrekey.flatMap(Base64URL.decode),
            directoryKey: directoryKey, mailbox: bob.id)
        #expect(bundle == full)

        // Alice seals real messages with a plaintext marker to Bob.
        let marker = "LIVE-PLAINTEXT-MARKER-Задержан"
        var encapsulator = SystemEncapsulator()
        var session = try Handshake.initiate(
            from: alice.identity, to: bundle, now: UInt64(Date().timeIntervalSince1970), entropy: &entropy,
            encapsulator: &encapsulator)
        func sealed(_ text: String) throws -> [UInt8] {
            let message = try session.encrypt(
                Array(text.utf8), now: UInt64(Date().timeIntervalSince1970), entropy: &entropy,
                encapsulator: &encapsulator)
            return try SealedEnvelope.seal(
                message, certificate: SenderCertificate(selfSignedBy: alice.identity, expiresAt: .max),
                to: bobDevice.sealingKey.publicKey, mailbox: bob.id)
        }
        let first = try sealed(marker + " 1")
        let second = try sealed(marker + " 2")

        // WebSocket push: "new" on connect, then "new" for the deposit made while connected.
        let pushPath = bob.path + "/push"
        var headers = HTTPFields()
        for (name, value) in relay.signatureHeaders(bob, "GET", pushPath, []) {
            headers[try #require(HTTPField.Name(name))] = value
        }
        let received = Mutex<[String]>([])
        _ = try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(relay.port)\(pushPath)", configuration: .init(additionalHeaders: headers),
            logger: Logger(label: "push-test")
        ) { inbound, outbound, _ in
            var messages = inbound.messages(maxSize: 1024).makeAsyncIterator()
            if case .text(let text) = try await messages.next() { received.withLock { $0.append(text) } }
            #expect(try await relay.deposit(first, to: bob) == 201)
            if case .text(let text) = try await messages.next() { received.withLock { $0.append(text) } }
            try await outbound.close(.normalClosure, reason: nil)
        }
        #expect(received.withLock { $0 } == ["new", "new"])

        // Long-poll: waiting after the first envelope, woken by the second deposit.
        async let woken = relay.signed(bob, "POST", bob.path + "/wait", ["after": 1, "timeout": 20])
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await relay.deposit(second, to: bob) == 201)
        let (waitBody, waitStatus) = try await woken
        #expect(waitStatus == 200)
        #expect(try JSONDecoder().decode(RelayAPI.WaitResponse.self, from: Data(waitBody)).new)

        // A blob of three chunks: one uploaded, the relay killed, the rest resumed after restart.
        let attachmentMarker = "LIVE-ATTACHMENT-MARKER"
        let attachment = try SecretStream.encrypt(
            Array(attachmentMarker.utf8) + SecureRandom.bytes(count: 600_000), key: SecretStream.generateKey())
        let (createdBody, createdStatus) = try await relay.contact(
            bob, bob.path + "/blobs", purpose: .blob,
            ["size": attachment.count, "confirmations": RelayHarness.confirmations(1)])
        #expect(createdStatus == 201)
        let created = try JSONDecoder().decode(RelayAPI.CreatedBlob.self, from: Data(createdBody))
        #expect(created.chunks == 3)
        let blobPath = "/v1/blobs/\(created.blob)"
        func chunk(_ index: Int) -> [UInt8] {
            Array(attachment[index * created.chunkSize..<min(attachment.count, (index + 1) * created.chunkSize)])
        }
        let upload = ["Amanat-Upload-Key": created.uploadKey]
        #expect(try await relay.request("PUT", blobPath + "/chunks/0", headers: upload, body: chunk(0)).1 == 200)
        relay.kill()
        try await relay.start()
        let (statusBody, _) = try await relay.request("GET", blobPath)
        let status = try JSONDecoder().decode(RelayAPI.BlobStatus.self, from: Data(statusBody))
        #expect(status.present == [0] && !status.complete)
        for index in 1..<3 {
            #expect(
                try await relay.request("PUT", blobPath + "/chunks/\(index)", headers: upload, body: chunk(index)).1
                    == 200)
        }
        var downloaded: [UInt8] = []
        for index in 0..<3 {
            downloaded += try await relay.request("GET", blobPath + "/chunks/\(index)").0
        }
        #expect(downloaded == attachment)

        // Bob fetches both envelopes, opens them, and acknowledges them.
        #expect(
            try await relay.fetchAll(bob)
                == [SealedEnvelope.digest(of: first), SealedEnvelope.digest(of: second)])
        let (_, acknowledged) = try await relay.signed(
            bob, "POST", bob.path + "/ack",
            [
                "digests": [first, second].map { Base64URL.encode(SealedEnvelope.digest(of: $0)) },
                "expiredUnreadSeen": 0,
            ])
        #expect(acknowledged == 200)

        // Metrics, on their own listener: aggregate counts by route template, nothing identifying.
        var metricsRequest = URLRequest(url: URL(string: "http://127.0.0.1:\(relay.metricsPort)/metrics")!)
        metricsRequest.timeoutInterval = 10
        let (metricsData, _) = try await URLSession.shared.data(for: metricsRequest)
        let metrics = String(decoding: metricsData, as: UTF8.self)
        // Counted since the restart after the SIGKILL: the chunk uploads and downloads, fetches, the ack.
        #expect(
            metrics.contains(
                #"http_server_request_duration_count{http_route="/v1/mailboxes/{mailbox}/ack",http_request_method="POST",http_response_status_code="200"} 1"#
            ))
        #expect(metrics.contains(#"http_route="/v1/blobs/{blob}/chunks/{index}",http_request_method="PUT""#))
        #expect(!metrics.contains(created.blob) && !metrics.contains(bob.id.base64URL))
        #expect(!metrics.contains("127.0.0.1"))
        // The API port does not serve them.
        #expect(try await relay.request("GET", "/metrics").1 == 404)
        #expect(relay.interrupt() == 0)

        // Only ciphertext: no marker, identity or client address in the database files or the log
        // (the log's one address is the relay's own listening address, on its start-up line).
        var stored: [UInt8] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: relay.directory.path)
        where file.hasPrefix("relay.sqlite") {
            stored += try [UInt8](Data(contentsOf: relay.directory.appendingPathComponent(file)))
        }
        let log = try String(contentsOf: relay.logURL, encoding: .utf8)
        let forbidden: [(String, [UInt8])] = [
            ("plaintext marker", Array(marker.utf8)), ("attachment marker", Array(attachmentMarker.utf8)),
            ("sender signing key", alice.identity.publicKey.signingKey.rawRepresentation),
            ("sender agreement key", alice.identity.publicKey.agreementKey.rawRepresentation),
            ("recipient identity", bobDevice.identity.publicKey.signingKey.rawRepresentation),
            ("client address", Array("127.0.0.1".utf8)),
        ]
        for (name, needle) in forbidden {
            let inDatabase = containsWindow(stored, needle)
            #expect(!inDatabase, "\(name) is in the database files")
            let logLines = log.split(separator: "\n").filter {
                !$0.hasPrefix("Listening on ") && !$0.hasPrefix("Metrics on ")
            }
            let inLog = logLines.contains {
                containsWindow(Array($0.utf8), needle) || $0.contains(Base64URL.encode(needle))
            }
            #expect(!inLog, "\(name) is in the log")
        }
    }

    @Test("a root key whose base64url starts with '-' is taken in the --organisation-root=KEY form")
    func dashKey() throws {
        var key = Ed25519.PrivateKey().publicKey
        while !Base64URL.encode(key.rawRepresentation).hasPrefix("-") { key = Ed25519.PrivateKey().publicKey }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "amanat-dash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = Base64URL.encode(key.rawRepresentation)
        // The separate form reads the key as an option (argument-parser's rule); the = form works.
        #expect(
            try runProgram(RelayProcess.binary.path, ["init", "--data", directory.path, "--organisation-root", text]).1
                != 0)
        #expect(
            try runProgram(RelayProcess.binary.path, ["init", "--data", directory.path, "--organisation-root=" + text])
                .1 == 0)
    }

    @Test("serve refuses plain HTTP or metrics on a reachable address unless told a proxy is in front")
    func unsafeSettings() throws {
        let relay = try RelayProcess()
        let base = ["serve", "--data", relay.directory.path, "--port", String(relay.port)]
        #expect(try runProgram(RelayProcess.binary.path, base + ["--host", "0.0.0.0"]).1 == 2)
        #expect(try runProgram(RelayProcess.binary.path, base + ["--host", "::"]).1 == 2)
        #expect(try runProgram(RelayProcess.binary.path, base + ["--metrics-host", "0.0.0.0"]).1 == 2)
        #expect(throws: RelaySetupError.publicWithoutTLS("192.0.2.7")) {
            try RelaySafety.check(
                host: "192.0.2.7", tls: false, behindProxy: false, metricsHost: nil, publicMetrics: false)
        }
        for (host, tls, proxy) in [
            ("127.0.0.1", false, false), ("::1", false, false), ("0.0.0.0", true, false),
            ("0.0.0.0", false, true), ("localhost", false, false),
        ] {
            try RelaySafety.check(
                host: host, tls: tls, behindProxy: proxy, metricsHost: "127.0.0.1", publicMetrics: false)
        }
        try RelaySafety.check(
            host: "127.0.0.1", tls: false, behindProxy: false, metricsHost: "0.0.0.0", publicMetrics: true)
    }

    @Test("serve takes its port from relay.json when no flag or variable gives one", .timeLimit(.minutes(3)))
    func settingsFile() async throws {
        let relay = try RelayProcess()
        let settingsURL = relay.directory.appendingPathComponent("relay.json")
        var settings = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: settingsURL)) as? [String: Any])
        settings["port"] = relay.port
        settings["metricsPort"] = 0
        settings["limits"] = ["ownerBurst": 3, "ownerPerSecond": 0.01]  // no refill while the test runs
        try JSONSerialization.data(withJSONObject: settings).write(to: settingsURL)
        let process = Process()
        process.executableURL = RelayProcess.binary
        process.arguments = ["serve", "--data", relay.directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.interrupt()
            process.waitUntilExit()
        }
        var healthy = false
        for _ in 0..<200 where !healthy {
            healthy = (try? await relay.request("GET", "/healthz"))?.1 == 200
            if !healthy { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(healthy)
        // The file's limits apply too: a fourth owner request in a burst is refused.
        let owner = try await relay.createMailbox()
        var statuses: [Int] = []
        for _ in 0..<4 {
            statuses.append(try await relay.signed(owner, "POST", owner.path + "/fetch", ["after": 0, "limit": 1]).1)
        }
        #expect(statuses == [200, 200, 200, 429])
        // A second relay on the same port says so plainly, and says nothing of listening.
        let second = try await runTool(
            RelayProcess.binary.path, ["serve", "--data", relay.directory.path, "--port", String(relay.port)])
        #expect(second.status == 2, "\(second)")
        #expect(second.error.contains("127.0.0.1:\(relay.port) is in use"), "\(second)")
        #expect(!second.output.contains("Listening on") && !second.error.contains("retention purge failed"))
    }

    @Test(
        "malformed HTTP is answered at once with a typed 400, 413, 417 or 431 and the connection closed",
        .timeLimit(.minutes(2)))
    func malformedHTTP() async throws {
        let relay = try RelayProcess()
        try await relay.start()
        let owner = try await relay.createMailbox()
        let envelopes = "PUT \(owner.path)/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        let manyHeaders = String(repeating: "X-A: b\r\n", count: 100_000)
        let cases: [(String, String, String?)] = [
            ("a garbage request line", "GARBAGE\r\n\r\n", "400"),
            ("HTTP/2.0 on HTTP/1", "GET /healthz HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", nil),
            ("a lowercase method", "get /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", nil),
            (
                "Content-Length with Transfer-Encoding",
                envelopes + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "400"
            ),
            ("two Content-Lengths", envelopes + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", "400"),
            ("a Content-Length that is no number", envelopes + "Content-Length: abc\r\n\r\n", "400"),
            ("an obs-folded header", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\r\n b\r\n\r\n", nil),
            ("bare line feeds", "GET /healthz HTTP/1.1\nHost: 127.0.0.1\n\n", nil),
            ("a NUL in a header", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\u{0}b\r\n\r\n", "400"),
            (
                "Expect: 100-continue on a 10 GB body",
                envelopes + "Content-Length: 10000000000\r\nExpect: 100-continue\r\n\r\n", "413"
            ),
            ("an Expect the relay cannot meet", envelopes + "Content-Length: 5\r\nExpect: magic\r\n\r\n", "417"),
            ("100,000 headers", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + manyHeaders + "\r\n", "431"),
            (
                "a 1 MiB header",
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: "
                    + String(repeating: "a", count: 1 << 20) + "\r\n\r\n", "431"
            ),
        ]
        for (what, request, status) in cases {
            let answer = try rawExchange(port: relay.port, send: Array(request.utf8), waitSeconds: 10)
            // Answered (the first-request timer is two minutes), with the status named.
            #expect(answer.hasPrefix("HTTP/1.1 "), "\(what): \(answer.prefix(80))")
            if let status {
                #expect(
                    answer.hasPrefix("HTTP/1.1 \(status)") && answer.contains(#"{"error":""#),
                    "\(what): \(answer.prefix(120))")
            }
        }
        #expect(relay.interrupt() == 0)
    }

    @Test(
        "a body that never arrives is answered 408, also when the request timeout is set above the idle timeout",
        .timeLimit(.minutes(3)))
    func bodyBeforeIdle() async throws {
        let relay = try RelayProcess()
        try await relay.start(["--limit", "requestTimeoutSeconds=60", "--limit", "idleTimeoutSeconds=5"])
        let owner = try await relay.createMailbox()
        let head = "PUT \(owner.path)/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2048\r\n\r\nabc"
        let answer = try rawExchange(port: relay.port, send: Array(head.utf8), waitSeconds: 20)
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(80))")
        #expect(relay.interrupt() == 0)
    }

    @Test("a body that never finishes arriving is answered 408 after the request timeout", .timeLimit(.minutes(3)))
    func slowBody() async throws {
        let relay = try RelayProcess()
        try await relay.start(["--limit", "requestTimeoutSeconds=1"])
        let owner = try await relay.createMailbox()
        // Headers promise 2,048 bytes; three arrive, then nothing.
        let head = "PUT \(owner.path)/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2048\r\n\r\nabc"
        let answer = try rawExchange(port: relay.port, send: Array(head.utf8), waitSeconds: 10)
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(80))")
        #expect(answer.contains(#"{"error":"request_timeout"}"#))
        #expect(relay.interrupt() == 0)
    }

    @Test("killed with SIGKILL during concurrent deposits, it loses none it answered 201 (20 seeded rounds)")
    func durability() async throws {
        let relay = try RelayProcess()
        // What is measured here is durability, not the per-mailbox rate limit.
        let unlimited = ["--limit", "contactPerSecond=100000", "--limit", "contactBurst=1000000"]
        try await relay.start(unlimited)
        let owner = try await relay.createMailbox()
        var generator = ScheduleRandom(seed: 20_261_125)
        var acknowledged = Set<[UInt8]>()
        var attempted = 0
        var unanswered = 0
        for _ in 0..<20 {
            let killAfter = Duration.milliseconds(Int64(generator.next() % 200 + 20))
            // Eight depositors send envelopes back to back until the relay dies under them.
            let results = await withTaskGroup(of: (stored: [[UInt8]], failed: Int).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var stored: [[UInt8]] = []
                        while true {
                            let envelope = RelayHarness.envelope()
                            guard let status = try? await relay.deposit(envelope, to: owner), status == 201 else {
                                return (stored, 1)
                            }
                            stored.append(SealedEnvelope.digest(of: envelope))
                        }
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: killAfter)
                    relay.kill()
                    return ([], 0)
                }
                return await group.reduce(into: (stored: [[UInt8]](), failed: 0)) {
                    $0.stored += $1.stored
                    $0.failed += $1.failed
                }
            }
            attempted += results.stored.count + results.failed
            unanswered += results.failed
            acknowledged.formUnion(results.stored)
            try await relay.start(unlimited)
            let present = try await relay.fetchAll(owner)
            #expect(
                acknowledged.isSubset(of: present), "\(acknowledged.subtracting(present).count) answered deposits lost")
        }
        _ = relay.interrupt()
        #expect(acknowledged.count > 100 && unanswered == 20 * 8)
        print(
            "durability: \(attempted) deposits attempted, \(acknowledged.count) answered 201 and all found after",
            "restart, \(unanswered) cut off unanswered by 20 kills")
    }
}

/// Sends bytes on a fresh loopback TCP connection and returns what comes back before the peer
/// closes or `waitSeconds` pass.
func rawExchange(port: Int, send bytes: [UInt8], waitSeconds: Int) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
    guard connected else { throw RelayProcessError.unreachable }
    var timeout = timeval(tv_sec: waitSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    // All of it, unless the peer stops reading and closes (never a SIGPIPE).
    var sent = 0
    while sent < bytes.count {
        let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard count > 0 else { break }
        sent += count
    }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { break }
        received += buffer[0..<count]
        if let text = String(validating: received, as: UTF8.self), text.contains("\r\n\r\n"), text.hasSuffix("}") {
            break
        }
    }
    return String(decoding: received, as: UTF8.self)
}
