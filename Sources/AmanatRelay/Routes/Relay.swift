// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import HTTPTypes
import Hummingbird

/// The relay's HTTP API under `/v1/` (DESIGN §4, SPEC.md §8): mailbox creation with a voucher,
/// anonymous deposits with a deposit token, owner-signed fetch, acknowledge, deposit-key rotation
/// and prekey upload, prekey claims, attachment blobs, and the organisation roster. Logs and errors carry no mailbox id, key, size or address.
public struct Relay: Sendable {
    let store: any MailboxStore
    let configuration: RelayConfiguration
    let clock: @Sendable () -> UInt64
    let nonces: NonceCache
    let push: PushHub
    let globalLimiter: RateLimiter
    let contactLimiter: RateLimiter
    let ownerLimiter: RateLimiter
    let depositKeys = DepositKeyCache()
    let blobReservations = BlobReservations()
    let receipts: ReceiptSigner

    /// A relay over `store`; `clock` gives Unix seconds, `rateClock` fractional seconds for the
    /// rate limits (both injected for tests).
    public init(
        store: any MailboxStore, configuration: RelayConfiguration,
        clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) },
        rateClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
        receipts = ReceiptSigner(key: configuration.signingKey)
        nonces = NonceCache(capacity: configuration.nonceCacheCapacity, window: RequestSignature.allowedClockSkew)
        push = PushHub(capacity: configuration.maximumWaiters, perMailbox: configuration.maximumMailboxWaiters)
        globalLimiter = RateLimiter(
            rate: configuration.globalRate.perSecond, burst: configuration.globalRate.burst, clock: rateClock)
        contactLimiter = RateLimiter(
            rate: configuration.contactRate.perSecond, burst: configuration.contactRate.burst, clock: rateClock)
        ownerLimiter = RateLimiter(
            rate: configuration.ownerRate.perSecond, burst: configuration.ownerRate.burst, clock: rateClock)
    }

    /// The routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(ErrorBodyMiddleware())
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(
            RequestBoundsMiddleware(
                maximumBody: max(
                    configuration.maximumJSONBodyBytes, configuration.blobChunkSize,
                    SealedEnvelope.Bucket.large.rawValue,
                    SignedRoster.maximumContentByteCount + 1024)))
        router.middlewares.add(GlobalRateLimitMiddleware(limiter: globalLimiter))
        router.get("/healthz") { _, _ in "ok" }
        router.get("/v1/info") { _, _ in try json(info) }
        router.post("/v1/mailboxes") { request, context in try await createMailbox(request, context) }
        router.put("/v1/mailboxes/:mailbox/envelopes") { request, context in try await deposit(request, context) }
        router.post("/v1/mailboxes/:mailbox/fetch") { request, context in try await fetch(request, context) }
        router.post("/v1/mailboxes/:mailbox/ack") { request, context in try await acknowledge(request, context) }
        router.post("/v1/mailboxes/:mailbox/wait") { request, context in try await wait(request, context) }
        router.post("/v1/mailboxes/:mailbox/deposit-key") { request, context in try await rotate(request, context) }
        router.put("/v1/mailboxes/:mailbox/seizure") { request, context in try await freeze(request, context) }
        router.put("/v1/mailboxes/:mailbox/prekeys") { request, context in try await uploadPrekeys(request, context) }
        router.post("/v1/mailboxes/:mailbox/prekeys/claim") { request, context in
            try await claimPrekeys(request, context)
        }
        router.post("/v1/mailboxes/:mailbox/blobs") { request, context in try await createBlob(request, context) }
        router.get("/v1/blobs/:blob") { request, context in try await blobStatus(request, context) }
        router.put("/v1/blobs/:blob/chunks/:index") { request, context in try await putChunk(request, context) }
        router.get("/v1/blobs/:blob/chunks/:index") { request, context in try await getChunk(request, context) }
        router.post("/v1/blobs/:blob/downloaded") { request, context in try await confirmDownload(request, context) }
        router.put("/v1/roster") { request, context in try await publishRoster(request, context) }
        router.get("/v1/roster") { request, context in try await fetchRoster(request, context) }
        return router
    }

    // MARK: - Info

    var info: RelayAPI.Info {
        RelayAPI.Info(
            relayKey: Base64URL.encode(configuration.signingKey.publicKey.rawRepresentation),
            limits: .init(
                envelopeSizes: SealedEnvelope.Bucket.allCases.map(\.rawValue),
                mailboxEnvelopes: configuration.quota.maximumEnvelopes,
                mailboxBytes: configuration.quota.maximumBytes, fetchLimit: configuration.maximumFetchLimit,
                retentionSeconds: configuration.retention, prekeysPerPool: configuration.maximumPrekeysPerPool,
                prekeyEntryBytes: configuration.maximumPrekeyEntryBytes, blobBytes: configuration.maximumBlobBytes,
                blobChunkBytes: configuration.blobChunkSize, blobDownloads: configuration.maximumBlobDownloads,
                blobRetentionSeconds: configuration.blobRetention))
    }

    // MARK: - Mailboxes

    func createMailbox(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let body: RelayAPI.CreateMailboxRequest = try await decode(request)
        guard let id = MailboxID(base64URL: body.mailbox), let owner = bytes(body.ownerKey, count: 32),
            let depositKey = bytes(body.depositKey, count: 32),
            let voucherBytes = bytes(body.voucher, count: Voucher.byteCount)
        else { throw RelayHTTPError.invalidField }
        let voucher = try Voucher(decoding: voucherBytes)
        do {
            try voucher.verify(root: configuration.organisationRoot, now: clock())
        } catch .expired {
            throw RelayHTTPError.expiredVoucher
        } catch {
            throw RelayHTTPError.invalidVoucher
        }
        try await perform {
            try await store.createMailbox(
                MailboxRecord(id: id, ownerKey: owner, depositKey: depositKey), redeemingVoucher: voucher.id,
                now: clock())
        }
        return try json(RelayAPI.CreateMailboxResponse(mailbox: body.mailbox), status: .created)
    }

    // MARK: - Deposit (anonymous)

    func deposit(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let mailbox = try mailboxParameter(context)
        let envelope = try await collect(request, limit: SealedEnvelope.Bucket.large.rawValue)
        guard (try? SealedEnvelope.bucket(of: envelope)) != nil else { throw RelayHTTPError.malformedEnvelope }
        let digest = EnvelopeDigest(of: envelope)
        let token = try await admitContact(request, mailbox: mailbox, digest: digest.bytes, purpose: .envelope)
        let now = clock()
        // The store checks the token in the same transaction that stores the envelope.
        let outcome = try await perform {
            try await store.deposit(
                envelope, digest: digest, into: mailbox, token: token, now: now, quota: configuration.quota)
        }
        switch outcome {
        case .stored:
            RelayMetrics.depositsStored.increment()
            push.notify(mailbox)
        case .duplicate:
            RelayMetrics.depositsDuplicate.increment()
        }
        // The store has committed durably: only now is the receipt signed, with the other
        // deposits of this moment under one signature when the sender takes that (SPEC.md §8.4.1).
        let receipt =
            request.headers[Self.receiptsHeader] == RelayAPI.receiptTree
            ? await receipts.receipt(mailbox: mailbox, digest: digest, time: now)
            : DepositReceipt(mailbox: mailbox, digest: digest, time: now, signedBy: configuration.signingKey)
        // Written out rather than through JSONEncoder: this is the hottest answer, and its fields
        // are base64url and a number, which need no escaping. Same shape as `RelayAPI.Receipt`.
        var body =
            #"{"mailbox":"\#(mailbox.base64URL)","digest":"\#(digest.base64URL)","time":\#(now),"#
            + #""signature":"\#(Base64URL.encode(receipt.signature))""#
        if let proof = receipt.proof { body += #","proof":"\#(Base64URL.encode(proof.encoded))""# }
        body += "}"
        return Response(
            status: .created, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    // MARK: - Owner requests (signed)

    func fetch(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (mailbox, body) = try await authenticated(request, context)
        let fetch: RelayAPI.FetchRequest = try decode(body)
        guard fetch.after >= 0, (1...configuration.maximumFetchLimit).contains(fetch.limit) else {
            throw RelayHTTPError.invalidField
        }
        let page = try await perform {
            try await store.fetch(
                from: mailbox, after: fetch.after, limit: fetch.limit, maximumBytes: configuration.maximumFetchBytes)
        }
        let counts = countsResponse(try await perform { try await store.prekeyCounts(of: mailbox) })
        // Written out rather than through JSONEncoder, which is slow on megabytes of base64; the
        // shape is `RelayAPI.FetchResponse`'s, and base64url and numbers need no escaping.
        var output = ByteBuffer()
        output.reserveCapacity(page.envelopes.reduce(256) { $0 + $1.envelope.count * 4 / 3 + 100 })
        output.writeString(#"{"envelopes":["#)
        for (index, envelope) in page.envelopes.enumerated() {
            output.writeString(index == 0 ? #"{"sequence":"# : #",{"sequence":"#)
            output.writeString(String(envelope.sequence))
            output.writeString(#","digest":""# + envelope.digest.base64URL + #"","envelope":""#)
            output.writeString(Base64URL.encode(envelope.envelope))
            output.writeString(#""}"#)
        }
        output.writeString(#"],"expiredUnread":"# + String(page.expiredUnread))
        output.writeString(#","prekeys":{"oneTimePrekeys":"# + String(counts.oneTimePrekeys))
        output.writeString(#","oneTimePostQuantumPrekeys":"# + String(counts.oneTimePostQuantumPrekeys))
        output.writeString(#","low":"# + (counts.low ? "true" : "false") + "}}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: output))
    }

    func acknowledge(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (mailbox, body) = try await authenticated(request, context)
        let acknowledge: RelayAPI.AcknowledgeRequest = try decode(body)
        guard acknowledge.digests.count <= configuration.maximumAcknowledgements, acknowledge.expiredUnreadSeen >= 0
        else { throw RelayHTTPError.invalidField }
        var digests: [EnvelopeDigest] = []
        for text in acknowledge.digests {
            guard let digest = EnvelopeDigest(base64URL: text) else { throw RelayHTTPError.invalidField }
            digests.append(digest)
        }
        let deleted = try await perform {
            try await store.acknowledge(digests, in: mailbox, expiredUnreadSeen: acknowledge.expiredUnreadSeen)
        }
        return try json(RelayAPI.AcknowledgeResponse(deleted: deleted))
    }

    func rotate(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (mailbox, body) = try await authenticated(request, context)
        let rotate: RelayAPI.RotateDepositKeyRequest = try decode(body)
        guard let key = bytes(rotate.depositKey, count: 32) else { throw RelayHTTPError.invalidField }
        try await perform { try await store.rotateDepositKey(of: mailbox, to: key) }
        depositKeys.remember(key, of: mailbox)
        return try json(RelayAPI.RotateDepositKeyResponse(rotated: true))
    }

    // MARK: - Seizure orders (SPEC.md §8.8)

    func freeze(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let mailbox = try mailboxParameter(context)
        let body: RelayAPI.SeizureRequest = try await decode(request)
        guard let bytes = Base64URL.decode(body.order), bytes.count == SeizureOrder.byteCount else {
            throw RelayHTTPError.invalidField
        }
        do {
            try SeizureOrder(decoding: bytes).verify(
                root: configuration.organisationRoot, mailbox: mailbox, now: clock())
        } catch .expired {
            throw RelayHTTPError.expiredOrder
        } catch {
            throw RelayHTTPError.invalidOrder
        }
        // A key nobody holds: contacts' deposits, prekey claims and blob creations fail from now.
        let lockedOut = Array(MailboxID.random().bytes)
        if try await perform({ try await store.freeze(mailbox, order: bytes, depositKey: lockedOut) }) {
            depositKeys.remember(lockedOut, of: mailbox)
            RelayMetrics.mailboxesFrozen.increment()
        }
        return try json(RelayAPI.SeizureResponse(frozen: true))
    }

    // MARK: - Request signatures (SPEC.md §8.2)

    static let depositTokenHeader = HTTPField.Name(RelayAPI.Header.depositToken)!
    static let timestampHeader = HTTPField.Name(RelayAPI.Header.timestamp)!
    static let nonceHeader = HTTPField.Name(RelayAPI.Header.nonce)!
    static let signatureHeader = HTTPField.Name(RelayAPI.Header.signature)!
    static let receiptsHeader = HTTPField.Name(RelayAPI.Header.receipts)!

    /// Checks the owner's signature, the timestamp window and the nonce; returns the mailbox id and
    /// the body the signature covers.
    func authenticated(_ request: Request, _ context: some RequestContext) async throws -> (MailboxID, [UInt8]) {
        let mailbox = try mailboxParameter(context)
        let body = try await collect(request, limit: configuration.maximumJSONBodyBytes)
        try await authenticate(
            mailbox: mailbox, method: request.method.rawValue, path: request.uri.description,
            timestamp: request.headers[Self.timestampHeader], nonce: request.headers[Self.nonceHeader],
            signature: request.headers[Self.signatureHeader], body: body)
        return (mailbox, body)
    }

    /// The owner-request check itself (SPEC.md §8.2), for a request however it arrived: `path` is
    /// the request target as sent (path and query), the three texts are the signature headers.
    func authenticate(
        mailbox: MailboxID, method: String, path: String, timestamp timestampText: String?, nonce nonceText: String?,
        signature signatureText: String?, body: [UInt8]
    ) async throws {
        guard let timestampText, let timestamp = UInt64(timestampText), let nonceText,
            let nonce = bytes(nonceText, count: RequestSignature.nonceByteCount),
            let signatureText, let signature = bytes(signatureText, count: 64)
        else { throw RelayHTTPError.badSignature }
        // An id that names no mailbox is answered as a bad signature, after the same work, so
        // that holding an old id does not tell whether its mailbox still lives (SECURITY.md).
        guard let record = try await perform({ try await store.mailbox(mailbox) }),
            let ownerKey = try? Ed25519.PublicKey(rawRepresentation: record.ownerKey)
        else {
            _ = Self.unknownMailboxKey.isValidSignature(signature, for: body)
            throw RelayHTTPError.badSignature
        }
        let now = clock()
        do {
            try RequestSignature(mailbox: mailbox, timestamp: timestamp, nonce: nonce, signature: signature)
                .verify(
                    method: method, path: path, body: body, mailboxKey: ownerKey, now: now)
        } catch .expired {
            throw RelayHTTPError.staleTimestamp
        } catch {
            throw RelayHTTPError.badSignature
        }
        // Charged before the nonce is recorded: a request refused for its rate spends no room in
        // the replay cache.
        try ownerLimiter.enforce(mailbox.bytes)
        try recordNonce(nonce, mailbox: mailbox, now: now)
        // Only a request that proves the mailbox key learns that the mailbox is frozen, and why.
        if let order = record.seizureOrder { throw RelayHTTPError.mailboxFrozen(order: order) }
    }

    /// A key no mailbox has: what a request to an unknown mailbox is checked against.
    static let unknownMailboxKey = Ed25519.PrivateKey().publicKey

    /// Records an accepted request's nonce, or refuses a replay (401) or a full cache (429).
    func recordNonce(_ nonce: [UInt8], mailbox: MailboxID, now: UInt64) throws {
        switch nonces.insert(nonce, mailbox: mailbox.bytes, now: now) {
        case .new: return
        case .replayed: throw RelayHTTPError.replayedNonce
        case .full(let seconds):
            RelayMetrics.rateLimited.increment()
            throw RelayHTTPError.rateLimited(retryAfter: seconds)
        }
    }

    // MARK: - Helpers

    func mailboxParameter(_ context: some RequestContext) throws -> MailboxID {
        guard let text = context.parameters.get("mailbox"), let id = MailboxID(base64URL: text) else {
            throw RelayHTTPError(RelayError.unknownMailbox)
        }
        return id
    }

    func bytes(_ text: String, count: Int) -> [UInt8]? {
        guard let decoded = Base64URL.decode(text), decoded.count == count else { return nil }
        return decoded
    }

    /// The request's body, refused if larger than `limit`. (A body that does not arrive within
    /// the request timeout is answered by the server's ``RequestTimeoutHandler``, not here.)
    func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        do {
            return Array(try await request.body.collect(upTo: limit).readableBytesView)
        } catch {
            throw RelayHTTPError.bodyTooLarge
        }
    }

    func decode<Value: Decodable>(_ request: Request) async throws -> Value {
        try decode(try await collect(request, limit: configuration.maximumJSONBodyBytes))
    }

    func decode<Value: Decodable>(_ body: [UInt8]) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(body))
        } catch {
            throw RelayHTTPError.malformedJSON
        }
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let body = try JSONEncoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Runs a store operation, turning its errors into HTTP errors.
    func perform<Value>(_ operation: () async throws -> Value) async throws -> Value {
        do {
            return try await operation()
        } catch let error as RelayError {
            throw RelayHTTPError(error)
        }
    }
}
