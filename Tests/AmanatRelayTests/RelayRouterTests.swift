// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AmanatRelay

/// A relay on a temporary SQLite store, driven through HummingbirdTesting's router client.
struct RelayHarness {
    /// The digests, ascending and base64url, that a blob creation registers for `keys`
    /// (SPEC.md §9.4); random keys when none are given.
    static func confirmations(_ count: Int, keys: [[UInt8]]? = nil) -> [String] {
        (keys ?? (0..<count).map { _ in SecureRandom.bytes(count: 32) })
            .map { (try? DownloadConfirmation.digest(of: SecureBytes(copying: $0))) ?? [] }
            .sorted { $0.lexicographicallyPrecedes($1) }.map(Base64URL.encode)
    }

    let directory: URL
    let root = Ed25519.PrivateKey()
    let relayKey = Ed25519.PrivateKey()
    let now: UInt64 = 1_800_000_000
    let relay: Relay

    /// Limits a test may change from the defaults.
    struct Limits {
        var blobChunkSize: Int?
        var maximumBlobBytes: Int?
        var globalRate: RateLimit?
        var contactRate: RateLimit?
        var ownerRate: RateLimit?
        var maximumWaiters: Int?
        var maximumMailboxWaiters: Int?
        var requestTimeoutSeconds: Int?
        var blobReservationBytesPerMailbox: Int?
        /// The rate limits' clock, when a test moves time itself.
        var rateClock: (@Sendable () -> Double)?
    }

    init(quota: MailboxQuota? = nil, limits: Limits = Limits()) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-router-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = RelayConfiguration(signingKey: relayKey, organisationRoot: root.publicKey)
        if let quota { configuration.quota = quota }
        if let size = limits.blobChunkSize { configuration.blobChunkSize = size }
        if let size = limits.maximumBlobBytes { configuration.maximumBlobBytes = size }
        if let rate = limits.globalRate { configuration.globalRate = rate }
        if let rate = limits.contactRate { configuration.contactRate = rate }
        if let rate = limits.ownerRate { configuration.ownerRate = rate }
        if let waiters = limits.maximumWaiters { configuration.maximumWaiters = waiters }
        if let waiters = limits.maximumMailboxWaiters { configuration.maximumMailboxWaiters = waiters }
        if let seconds = limits.requestTimeoutSeconds { configuration.requestTimeoutSeconds = seconds }
        if let bytes = limits.blobReservationBytesPerMailbox { configuration.blobReservationBytesPerMailbox = bytes }
        let now = now
        relay = Relay(
            store: try SQLiteMailboxStore(path: directory.appendingPathComponent("relay.sqlite").path),
            configuration: configuration, clock: { now },
            rateClock: limits.rateClock ?? { Date().timeIntervalSince1970 })
    }

    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Application(router: relay.router()).test(.router) { client in try await body(client) }
    }

    /// A mailbox's secrets, as its owner keeps them.
    struct Owner {
        let id = MailboxID.random()
        let key = Ed25519.PrivateKey()
        let depositKey = SecureBytes.random(count: 32)
        var path: String { "/v1/mailboxes/\(id.base64URL)" }
    }

    func voucher(expiresAt: UInt64? = nil, signedBy signer: Ed25519.PrivateKey? = nil) -> Voucher {
        Voucher(id: .random(), expiresAt: expiresAt ?? now + 3600, signedBy: signer ?? root)
    }

    static func json(_ object: [String: Any]) -> ByteBuffer {
        ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }

    func createBody(_ owner: Owner, voucher: Voucher) -> ByteBuffer {
        Self.json([
            "mailbox": owner.id.base64URL, "ownerKey": Base64URL.encode(owner.key.publicKey.rawRepresentation),
            "depositKey": Base64URL.encode(owner.depositKey.withUnsafeBytes { Array($0) }),
            "voucher": Base64URL.encode(voucher.encoded),
        ])
    }

    func create(_ owner: Owner, _ client: any TestClientProtocol) async throws {
        try await client.execute(
            uri: "/v1/mailboxes", method: .post, body: createBody(owner, voucher: voucher())
        ) { response in #expect(response.status == .created) }
    }

    static func envelope(_ size: Int = 2048) -> [UInt8] { [1] + SecureRandom.bytes(count: size - 1) }

    /// Deposits `envelope` into the owner's mailbox with a valid token; it must be stored (201).
    func deposit(_ envelope: [UInt8], into owner: Owner, _ client: any TestClientProtocol) async throws {
        try await client.execute(
            uri: owner.path + "/envelopes", method: .put, headers: depositHeaders(owner, envelope),
            body: ByteBuffer(bytes: envelope)
        ) { #expect($0.status == .created) }
    }

    func depositHeaders(_ owner: Owner, _ envelope: [UInt8], key: SecureBytes? = nil) throws -> HTTPFields {
        let token = try DepositToken.make(
            depositKey: key ?? owner.depositKey, mailbox: owner.id, digest: SealedEnvelope.digest(of: envelope))
        return [Relay.depositTokenHeader: token.base64URL]
    }

    /// Headers signing `body` for `method` and `path` with the owner's mailbox key.
    func signed(
        _ owner: Owner, _ method: HTTPRequest.Method, _ path: String, _ body: ByteBuffer, timestamp: UInt64? = nil,
        nonce: [UInt8] = SecureRandom.bytes(count: 16), key: Ed25519.PrivateKey? = nil
    ) -> HTTPFields {
        let signature = RequestSignature(
            method: method.rawValue, path: path, body: Array(body.readableBytesView), mailbox: owner.id,
            timestamp: timestamp ?? now, nonce: nonce, mailboxKey: key ?? owner.key)
        return [
            Relay.timestampHeader: String(signature.timestamp), Relay.nonceHeader: Base64URL.encode(nonce),
            Relay.signatureHeader: Base64URL.encode(signature.signature),
        ]
    }
}

func errorCode(_ response: TestResponse) -> String? {
    (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String])?["error"]
}

@Suite("Relay HTTP API")
struct RelayRouterTests {
    @Test("health and relay information")
    func info() async throws {
        let harness = try RelayHarness()
        try await harness.test { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/info", method: .get) { response in
                #expect(response.status == .ok)
                let info = try JSONDecoder().decode(RelayAPI.Info.self, from: Data(response.body.readableBytesView))
                #expect(Base64URL.decode(info.relayKey) == harness.relayKey.publicKey.rawRepresentation)
                #expect(info.limits.envelopeSizes == [2048, 16_384, 65_536])
            }
        }
    }

    @Test("mailbox creation: success, used, expired and forged vouchers, bad input")
    func createMailbox() async throws {
        let harness = try RelayHarness()
        try await harness.test { client in
            let owner = RelayHarness.Owner()
            let voucher = harness.voucher()
            try await client.execute(
                uri: "/v1/mailboxes", method: .post, body: harness.createBody(owner, voucher: voucher)
            ) {
                #expect($0.status == .created)
            }
            let cases: [(ByteBuffer, HTTPResponse.Status, String)] = [
                (harness.createBody(RelayHarness.Owner(), voucher: voucher), .conflict, "voucher_used"),
                (harness.createBody(owner, voucher: harness.voucher()), .conflict, "mailbox_exists"),
                (
                    harness.createBody(RelayHarness.Owner(), voucher: harness.voucher(expiresAt: harness.now)),
                    .forbidden, "expired_voucher"
                ),
                (
                    harness.createBody(RelayHarness.Owner(), voucher: harness.voucher(signedBy: Ed25519.PrivateKey())),
                    .forbidden, "invalid_voucher"
                ),
                (ByteBuffer(string: "{not json"), .badRequest, "malformed_json"),
                (
                    RelayHarness.json(["mailbox": "AA", "ownerKey": "AA", "depositKey": "AA", "voucher": "AA"]),
                    .badRequest, "invalid_field"
                ),
            ]
            for (body, status, code) in cases {
                try await client.execute(uri: "/v1/mailboxes", method: .post, body: body) { response in
                    #expect(response.status == status && errorCode(response) == code, "\(code)")
                }
            }
        }
    }

    @Test("deposit: receipt, idempotence, and every refusal")
    func deposit() async throws {
        let harness = try RelayHarness(quota: MailboxQuota(maximumEnvelopes: 2, maximumBytes: 1 << 20))
        try await harness.test { client in
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            let envelope = RelayHarness.envelope()
            let uri = owner.path + "/envelopes"
            // The hand-written receipt JSON decodes as `RelayAPI.Receipt`, the shape it documents.
            var receipts: [RelayAPI.Receipt] = []
            for _ in 0..<2 {
                try await client.execute(
                    uri: uri, method: .put, headers: harness.depositHeaders(owner, envelope),
                    body: ByteBuffer(bytes: envelope)
                ) { response in
                    #expect(response.status == .created)
                    receipts.append(try RelayHarness.decode(RelayAPI.Receipt.self, response))
                }
            }
            #expect(receipts[0].mailbox == owner.id.base64URL)
            let receipt = DepositReceipt(
                mailbox: owner.id, digest: try #require(EnvelopeDigest(base64URL: receipts[0].digest)),
                time: receipts[0].time,
                signature: try #require(Base64URL.decode(receipts[0].signature)))
            #expect(receipt.digest.bytes == SealedEnvelope.digest(of: envelope))
            #expect(receipt.isValid(relayKey: harness.relayKey.publicKey))
            #expect(receipts[1].digest == receipts[0].digest)

            let second = RelayHarness.envelope(16_384)
            try await harness.deposit(second, into: owner, client)
            let third = RelayHarness.envelope()
            let oversize = [UInt8](repeating: 1, count: 65_537)
            let wrongSize = [UInt8](repeating: 1, count: 3000)
            let cases: [(String, HTTPFields, [UInt8], HTTPResponse.Status, String)] = [
                (uri, try harness.depositHeaders(owner, third), third, .conflict, "mailbox_full"),
                (
                    uri, try harness.depositHeaders(owner, third, key: SecureBytes.random(count: 32)), third,
                    .forbidden, "bad_deposit_token"
                ),
                (uri, [:], third, .forbidden, "bad_deposit_token"),
                (uri, try harness.depositHeaders(owner, envelope), third, .forbidden, "bad_deposit_token"),
                (uri, try harness.depositHeaders(owner, wrongSize), wrongSize, .badRequest, "malformed_envelope"),
                (uri, [:], oversize, .contentTooLarge, "body_too_large"),
                // An unknown mailbox answers like a wrong token (no existence oracle, #18).
                (
                    RelayHarness.Owner().path + "/envelopes", try harness.depositHeaders(owner, third), third,
                    .forbidden, "bad_deposit_token"
                ),
                ("/v1/mailboxes/not-base64!/envelopes", [:], third, .notFound, "unknown_mailbox"),
            ]
            for (uri, headers, body, status, code) in cases {
                try await client.execute(uri: uri, method: .put, headers: headers, body: ByteBuffer(bytes: body)) {
                    response in
                    #expect(response.status == status && errorCode(response) == code, "\(code)")
                }
            }
        }
    }

    @Test(
        "deposit receipts signed together (SPEC §8.4.1): 40 deposits at once each get a proof that verifies, under fewer signatures; without the header, a receipt signed alone"
    )
    func receiptTrees() async throws {
        let harness = try RelayHarness(quota: MailboxQuota(maximumEnvelopes: 100, maximumBytes: 1 << 22))
        try await harness.test { client in
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            let uri = owner.path + "/envelopes"
            func deposit(_ envelope: [UInt8], tree: Bool) async throws -> RelayAPI.Receipt {
                var headers = try harness.depositHeaders(owner, envelope)
                if tree { headers[Relay.receiptsHeader] = RelayAPI.receiptTree }
                return try await client.execute(
                    uri: uri, method: .put, headers: headers, body: ByteBuffer(bytes: envelope)
                ) { response in
                    #expect(response.status == .created)
                    return try RelayHarness.decode(RelayAPI.Receipt.self, response)
                }
            }
            func parsed(_ answer: RelayAPI.Receipt) throws -> DepositReceipt {
                DepositReceipt(
                    mailbox: try #require(MailboxID(base64URL: answer.mailbox)),
                    digest: try #require(EnvelopeDigest(base64URL: answer.digest)), time: answer.time,
                    signature: try #require(Base64URL.decode(answer.signature)),
                    proof: try answer.proof.map {
                        try #require(DepositReceipt.Proof(encoded: Base64URL.decode($0) ?? []))
                    })
            }
            // Without the header (a client from before trees): one signature of its own.
            let alone = try parsed(try await deposit(RelayHarness.envelope(), tree: false))
            #expect(alone.proof == nil && alone.isValid(relayKey: harness.relayKey.publicKey))

            let envelopes = (0..<40).map { _ in RelayHarness.envelope() }
            let answers = try await withThrowingTaskGroup(of: RelayAPI.Receipt.self) { group in
                for envelope in envelopes { group.addTask { try await deposit(envelope, tree: true) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let receipts = try answers.map(parsed)
            #expect(receipts.count == 40)
            for receipt in receipts {
                #expect(receipt.proof != nil && receipt.isValid(relayKey: harness.relayKey.publicKey))
                // Not under another mailbox, digest or time.
                let moved = DepositReceipt(
                    mailbox: receipt.mailbox, digest: receipt.digest, time: receipt.time + 1,
                    signature: receipt.signature, proof: receipt.proof)
                #expect(!moved.isValid(relayKey: harness.relayKey.publicKey))
            }
            #expect(Set(receipts.map(\.digest)) == Set(envelopes.map(EnvelopeDigest.init(of:))))
            // Deposits committed together were signed together.
            #expect(Set(receipts.map(\.signature)).count < 40)
            // A repeated deposit gets a receipt too, in the same form.
            let again = try parsed(try await deposit(envelopes[0], tree: true))
            #expect(again.proof != nil && again.isValid(relayKey: harness.relayKey.publicKey))
        }
    }

    @Test("fetch, acknowledge and rotate: signed by the owner, each refusal typed")
    func ownerRequests() async throws {
        let harness = try RelayHarness()
        try await harness.test { client in
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            let envelope = RelayHarness.envelope()
            try await harness.deposit(envelope, into: owner, client)

            let fetchPath = owner.path + "/fetch"
            let fetchBody = RelayHarness.json(["after": 0, "limit": 10])
            try await client.execute(
                uri: fetchPath, method: .post, headers: harness.signed(owner, .post, fetchPath, fetchBody),
                body: fetchBody
            ) { response in
                #expect(response.status == .ok)
                let page = try JSONDecoder().decode(
                    RelayAPI.FetchResponse.self, from: Data(response.body.readableBytesView))
                #expect(page.envelopes.map { Base64URL.decode($0.envelope) } == [envelope])
                #expect(page.expiredUnread == 0)
            }
            let nonce = SecureRandom.bytes(count: 16)
            let replayed = harness.signed(owner, .post, fetchPath, fetchBody, nonce: nonce)
            try await client.execute(uri: fetchPath, method: .post, headers: replayed, body: fetchBody) {
                #expect($0.status == .ok)
            }
            let otherOwner = RelayHarness.Owner()
            // One buffer per body: JSON key order is not fixed between serialisations.
            let tooMany = RelayHarness.json(["after": 0, "limit": 1001])
            let cases: [(String, HTTPFields, ByteBuffer, HTTPResponse.Status, String)] = [
                (fetchPath, replayed, fetchBody, .unauthorized, "replayed_nonce"),
                (
                    fetchPath, harness.signed(owner, .post, fetchPath, fetchBody, key: Ed25519.PrivateKey()), fetchBody,
                    .unauthorized, "bad_signature"
                ),
                (
                    fetchPath, harness.signed(owner, .post, fetchPath, fetchBody, timestamp: harness.now - 301),
                    fetchBody, .unauthorized, "stale_timestamp"
                ),
                (
                    fetchPath, harness.signed(owner, .post, fetchPath, fetchBody),
                    RelayHarness.json(["after": 0, "limit": 11]), .unauthorized, "bad_signature"
                ),
                (fetchPath, [:], fetchBody, .unauthorized, "bad_signature"),
                (fetchPath, harness.signed(owner, .post, fetchPath, tooMany), tooMany, .badRequest, "invalid_field"),
                (
                    fetchPath, harness.signed(owner, .post, fetchPath, ByteBuffer(string: "[")),
                    ByteBuffer(string: "["), .badRequest, "malformed_json"
                ),
                (
                    otherOwner.path + "/fetch",
                    harness.signed(otherOwner, .post, otherOwner.path + "/fetch", fetchBody), fetchBody, .unauthorized,
                    "bad_signature"
                ),
            ]
            for (uri, headers, body, status, code) in cases {
                try await client.execute(uri: uri, method: .post, headers: headers, body: body) { response in
                    #expect(response.status == status && errorCode(response) == code, "\(code)")
                }
            }

            let ackPath = owner.path + "/ack"
            let badAck = RelayHarness.json(["digests": ["AA"], "expiredUnreadSeen": 0])
            try await client.execute(
                uri: ackPath, method: .post, headers: harness.signed(owner, .post, ackPath, badAck), body: badAck
            ) {
                #expect($0.status == .badRequest && errorCode($0) == "invalid_field")
            }
            let ack = RelayHarness.json([
                "digests": [Base64URL.encode(SealedEnvelope.digest(of: envelope))], "expiredUnreadSeen": 0,
            ])
            try await client.execute(
                uri: ackPath, method: .post, headers: harness.signed(owner, .post, ackPath, ack), body: ack
            ) {
                #expect($0.status == .ok)
            }
            try await client.execute(
                uri: fetchPath, method: .post, headers: harness.signed(owner, .post, fetchPath, fetchBody),
                body: fetchBody
            ) { response in
                let page = try JSONDecoder().decode(
                    RelayAPI.FetchResponse.self, from: Data(response.body.readableBytesView))
                #expect(page.envelopes.isEmpty)
            }

            // Rotating the deposit key shuts out the old one.
            let newKey = SecureBytes.random(count: 32)
            let rotatePath = owner.path + "/deposit-key"
            let rotate = RelayHarness.json(["depositKey": Base64URL.encode(newKey.withUnsafeBytes { Array($0) })])
            try await client.execute(
                uri: rotatePath, method: .post, headers: harness.signed(owner, .post, rotatePath, rotate), body: rotate
            ) {
                #expect($0.status == .ok)
            }
            let next = RelayHarness.envelope()
            try await client.execute(
                uri: owner.path + "/envelopes", method: .put, headers: harness.depositHeaders(owner, next),
                body: ByteBuffer(bytes: next)
            ) { #expect($0.status == .forbidden && errorCode($0) == "bad_deposit_token") }
            try await client.execute(
                uri: owner.path + "/envelopes", method: .put, headers: harness.depositHeaders(owner, next, key: newKey),
                body: ByteBuffer(bytes: next)
            ) { #expect($0.status == .created) }
        }
    }
}
