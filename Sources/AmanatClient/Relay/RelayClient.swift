// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation

/// The keys that own a mailbox on the relay (DESIGN §4): separate from every identity key.
public struct MailboxCredentials: Sendable, CustomStringConvertible, CustomReflectable {
    /// The mailbox id, 32 random bytes.
    public let id: MailboxID
    /// Signs owner requests (SPEC.md §8.2).
    public let ownerKey: Ed25519.PrivateKey
    /// Makes deposit tokens; shared with contacts and the relay (§8.1).
    public let depositKey: SecureBytes
    /// Seals the prekey directory; shared with contacts, never with the relay (§8.6).
    public let directoryKey: SecureBytes

    /// Fresh random credentials.
    public static func generate() -> MailboxCredentials {
        MailboxCredentials(
            id: .random(), ownerKey: Ed25519.PrivateKey(),
            depositKey: SecureBytes.random(count: 32),
            directoryKey: SecureBytes.random(count: 32))
    }

    init(id: MailboxID, ownerKey: Ed25519.PrivateKey, depositKey: SecureBytes, directoryKey: SecureBytes) {
        self.id = id
        self.ownerKey = ownerKey
        self.depositKey = depositKey
        self.directoryKey = directoryKey
    }

    public var description: String { "MailboxCredentials(redacted)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// An envelope as a fetch returns it.
public struct FetchedEnvelope: Sendable {
    /// The relay's sequence number, for paging.
    public let sequence: Int64
    /// BLAKE2b-256 of the envelope: its id, and what an acknowledgement names.
    public let digest: EnvelopeDigest
    /// The sealed envelope.
    public let envelope: [UInt8]
}

/// One page of a mailbox.
public struct FetchedPage: Sendable {
    /// The envelopes, oldest first.
    public let envelopes: [FetchedEnvelope]
    /// Envelopes that expired on the relay before they were fetched, not yet shown.
    public let expiredUnread: Int
    /// One-time prekeys left in each pool, and whether either is low.
    public let oneTimePrekeys: Int
    public let oneTimePostQuantumPrekeys: Int
    public let prekeysLow: Bool
}

/// A prekey bundle claim's sealed entries (SPEC.md §8.6).
public struct ClaimedPrekeys: Sendable {
    public let head: [UInt8]
    public let oneTimePrekey: [UInt8]?
    public let oneTimePostQuantumPrekey: [UInt8]?
}

/// What a relay says about itself.
public struct RelayInfo: Sendable {
    /// The key its deposit receipts are signed with.
    public let relayKey: Ed25519.PublicKey
    /// The largest attachment blob it takes.
    public let maximumBlobBytes: UInt64
    /// How long it keeps an envelope nobody fetched.
    public let retentionSeconds: UInt64
}

/// A blob the relay created for an upload.
public struct CreatedBlob: Sendable {
    /// Its id.
    public let blob: BlobID
    /// The key that authorises uploading its chunks.
    public let uploadKey: SecureBytes
    /// The chunk size the relay expects.
    public let chunkSize: Int
    /// How many chunks make it.
    public let chunks: Int
}

/// Where an upload stands.
public struct BlobStatus: Sendable, Equatable {
    /// Chunk indexes the relay holds.
    public let present: Set<Int>
    /// Whether every chunk is there.
    public let complete: Bool
    public let chunks: Int
    public let chunkSize: Int
    /// Confirmed downloads still expected before the relay deletes it (SPEC.md §9.4).
    public let downloadsLeft: Int
}

/// The relay's HTTP API (``RelayAPI``, Protocol/openapi.yaml) over a ``CurlTransport``: each call
/// signs or tokens its request as SPEC.md §8 says and returns typed results or a ``TransportError``.
public struct RelayClient: Sendable {
    /// The transport.
    public let transport: CurlTransport
    /// The clock, Unix seconds (tests move it).
    let clock: @Sendable () -> UInt64

    /// An API over `transport`.
    public init(
        transport: CurlTransport, clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }
    ) {
        self.transport = transport
        self.clock = clock
    }

    // MARK: - Public

    /// What `/v1/info` says: the receipt-signing key and the limits a client plans by.
    public func info() async throws(TransportError) -> RelayInfo {
        let info: RelayAPI.Info = try Self.decode(CurlTransport.checked(await transport.send("GET", "/v1/info")))
        guard info.version == RelayAPI.version, let bytes = Base64URL.decode(info.relayKey),
            let key = try? Ed25519.PublicKey(rawRepresentation: bytes), info.limits.blobBytes >= 0
        else { throw .unexpectedAnswer }
        return RelayInfo(
            relayKey: key, maximumBlobBytes: UInt64(info.limits.blobBytes),
            retentionSeconds: info.limits.retentionSeconds)
    }

    /// Creates the mailbox with a voucher. A retry after a lost answer gets the same 201: the relay
    /// recognises the same mailbox (SPEC.md §8.3); a voucher used for another mailbox is
    /// ``TransportError/refused(status:code:)`` 409 ``RelayErrorCode/voucherUsed``.
    public func createMailbox(_ credentials: MailboxCredentials, voucher: Voucher) async throws(TransportError) {
        let body = Self.encode(
            RelayAPI.CreateMailboxRequest(
                mailbox: credentials.id.base64URL,
                ownerKey: Base64URL.encode(credentials.ownerKey.publicKey.rawRepresentation),
                depositKey: Base64URL.encode(credentials.depositKey.withUnsafeBytes { Array($0) }),
                voucher: Base64URL.encode(voucher.encoded)))
        let response = try await transport.send(
            "POST", "/v1/mailboxes", headers: ["Content-Type": "application/json"], body: body)
        _ = try CurlTransport.checked(response)
    }

    /// The published signed roster, or nil when the organisation has published none yet.
    public func roster() async throws(TransportError) -> [UInt8]? {
        let response = try await transport.send("GET", "/v1/roster")
        if response.status == 404 { return nil }
        return try CurlTransport.checked(response).body
    }

    /// Publishes a signed roster (the organisation's administrators do this).
    public func publishRoster(_ roster: SignedRoster) async throws(TransportError) {
        _ = try CurlTransport.checked(
            await transport.send(
                "PUT", "/v1/roster", headers: ["Content-Type": "application/octet-stream"], body: roster.encoded))
    }

    /// Hands in the organisation's seizure order for a defender's mailbox (SPEC.md §8.8).
    public func freeze(_ order: SeizureOrder) async throws(TransportError) {
        let body = Self.encode(RelayAPI.SeizureRequest(order: Base64URL.encode(order.encoded)))
        _ = try CurlTransport.checked(
            await transport.send(
                "PUT", "/v1/mailboxes/\(order.mailbox.base64URL)/seizure",
                headers: ["Content-Type": "application/json"], body: body))
    }

    // MARK: - As a contact

    /// Deposits an envelope into `mailbox` and returns the relay's receipt, checked against
    /// `relayKey`. Repeating a deposit is harmless (the relay answers the same way).
    public func deposit(
        _ envelope: [UInt8], mailbox: MailboxID, depositKey: SecureBytes, relayKey: Ed25519.PublicKey
    ) async throws(TransportError) -> DepositReceipt {
        let digest = EnvelopeDigest(of: envelope)
        guard let token = try? DepositToken.make(depositKey: depositKey, mailbox: mailbox, digest: digest.bytes) else {
            throw .invalidConfiguration("a deposit key has the wrong size")
        }
        let answer: RelayAPI.Receipt = try Self.decode(
            CurlTransport.checked(
                await transport.send(
                    "PUT", "/v1/mailboxes/\(mailbox.base64URL)/envelopes",
                    headers: [
                        "Content-Type": "application/octet-stream",
                        RelayAPI.Header.depositToken: token.base64URL,
                        // A receipt signed with others is as good and costs the relay less
                        // (SPEC.md §8.4.1); a relay from before them answers with one alone.
                        RelayAPI.Header.receipts: RelayAPI.receiptTree,
                    ],
                    body: envelope)))
        guard let signature = Base64URL.decode(answer.signature), answer.digest == digest.base64URL,
            answer.mailbox == mailbox.base64URL
        else { throw .unexpectedAnswer }
        var proof: DepositReceipt.Proof?
        if let text = answer.proof {
            guard let decoded = Base64URL.decode(text).flatMap(DepositReceipt.Proof.init(encoded:)) else {
                throw .unexpectedAnswer
            }
            proof = decoded
        }
        let receipt = DepositReceipt(
            mailbox: mailbox, digest: digest, time: answer.time, signature: signature, proof: proof)
        guard receipt.isValid(relayKey: relayKey) else { throw .unexpectedAnswer }
        return receipt
    }

    /// Claims a prekey bundle's entries from a contact's mailbox.
    public func claimPrekeys(mailbox: MailboxID, depositKey: SecureBytes) async throws(TransportError) -> ClaimedPrekeys
    {
        let body = Self.encode(
            RelayAPI.FreshRequest(time: clock(), nonce: Base64URL.encode(SecureRandom.bytes(count: 16))))
        let claim: RelayAPI.PrekeyClaim = try Self.decode(
            await contactRequest(
                "/prekeys/claim", mailbox: mailbox, depositKey: depositKey, purpose: .prekeyClaim,
                body: body))
        guard let head = Base64URL.decode(claim.head) else { throw .unexpectedAnswer }
        return ClaimedPrekeys(
            head: head, oneTimePrekey: claim.oneTimePrekey.flatMap(Base64URL.decode),
            oneTimePostQuantumPrekey: claim.oneTimePostQuantumPrekey.flatMap(Base64URL.decode))
    }

    // MARK: - Attachment blobs

    /// Creates a blob of `size` bytes through a contact's mailbox (deposit token); it is deleted
    /// once each of `confirmations` (``DownloadConfirmation/digests(fileKey:recipients:)``) has
    /// confirmed its download, or after the relay's retention time.
    public func createBlob(
        mailbox: MailboxID, depositKey: SecureBytes, size: UInt64, confirmations: [[UInt8]]
    ) async throws(TransportError) -> CreatedBlob {
        guard let size = Int(exactly: size) else { throw .invalidConfiguration("the file is too large") }
        let body = Self.encode(
            RelayAPI.CreateBlobRequest(
                size: size, confirmations: confirmations.map(Base64URL.encode), time: clock(),
                nonce: Base64URL.encode(SecureRandom.bytes(count: 16))))
        let created: RelayAPI.CreatedBlob = try Self.decode(
            await contactRequest("/blobs", mailbox: mailbox, depositKey: depositKey, purpose: .blob, body: body))
        guard let blob = BlobID(base64URL: created.blob),
            let uploadKey = Base64URL.decode(created.uploadKey), created.chunkSize > 0, created.chunks > 0
        else { throw .unexpectedAnswer }
        return CreatedBlob(
            blob: blob, uploadKey: SecureBytes(copying: uploadKey), chunkSize: created.chunkSize,
            chunks: created.chunks)
    }

    /// Which chunks of a blob the relay holds, and whether it is complete.
    public func blobStatus(_ blob: BlobID) async throws(TransportError) -> BlobStatus {
        try Self.blobStatus(CurlTransport.checked(await transport.send("GET", "/v1/blobs/\(blob.base64URL)")))
    }

    /// Uploads chunk `index` (exactly the chunk size, the last one the rest).
    public func uploadChunk(
        _ blob: BlobID, index: Int, uploadKey: SecureBytes, bytes: [UInt8]
    ) async throws(TransportError) -> BlobStatus {
        try Self.blobStatus(
            CurlTransport.checked(
                await transport.send(
                    "PUT", "/v1/blobs/\(blob.base64URL)/chunks/\(index)",
                    headers: [
                        "Content-Type": "application/octet-stream",
                        RelayAPI.Header.uploadKey: Base64URL.encode(uploadKey.withUnsafeBytes { Array($0) }),
                    ], body: bytes)))
    }

    /// Downloads chunk `index` of a complete blob.
    public func downloadChunk(_ blob: BlobID, index: Int) async throws(TransportError) -> [UInt8] {
        try CurlTransport.checked(await transport.send("GET", "/v1/blobs/\(blob.base64URL)/chunks/\(index)")).body
    }

    /// Confirms this device's complete download with its confirmation key
    /// (``DownloadConfirmation/key(fileKey:recipient:)``); the last expected one deletes the blob.
    public func confirmDownload(_ blob: BlobID, key: SecureBytes) async throws(TransportError) {
        _ = try CurlTransport.checked(
            await transport.send(
                "POST", "/v1/blobs/\(blob.base64URL)/downloaded",
                headers: [RelayAPI.Header.confirmationKey: Base64URL.encode(key.withUnsafeBytes { Array($0) })],
                body: []))
    }

    static func blobStatus(_ response: TransportResponse) throws(TransportError) -> BlobStatus {
        let status: RelayAPI.BlobStatus = try decode(response)
        return BlobStatus(
            present: Set(status.present), complete: status.complete, chunks: status.chunks,
            chunkSize: status.chunkSize, downloadsLeft: status.downloadsLeft)
    }

    // MARK: - As the owner

    /// Publishes sealed prekey directory entries: a head and one-time entries by id.
    public func uploadPrekeys(
        _ credentials: MailboxCredentials, head: [UInt8]?, oneTime: [(UInt32, [UInt8])],
        oneTimePostQuantum: [(UInt32, [UInt8])]
    ) async throws(TransportError) {
        let body = Self.encode(
            RelayAPI.PrekeyUploadRequest(
                head: head.map(Base64URL.encode),
                oneTimePrekeys: oneTime.map { RelayAPI.UploadedEntry(id: $0.0, entry: Base64URL.encode($0.1)) },
                oneTimePostQuantumPrekeys: oneTimePostQuantum.map {
                    RelayAPI.UploadedEntry(id: $0.0, entry: Base64URL.encode($0.1))
                }))
        _ = try await signed("PUT", "/prekeys", credentials, body: body)
    }

    /// One page of the mailbox after `after`.
    public func fetch(_ credentials: MailboxCredentials, after: Int64, limit: Int) async throws(TransportError)
        -> FetchedPage
    {
        let page: RelayAPI.FetchResponse = try Self.decode(
            await signed(
                "POST", "/fetch", credentials, body: Self.encode(RelayAPI.FetchRequest(after: after, limit: limit))))
        var envelopes: [FetchedEnvelope] = []
        for item in page.envelopes {
            guard let digest = EnvelopeDigest(base64URL: item.digest), let envelope = Base64URL.decode(item.envelope)
            else {
                throw .unexpectedAnswer
            }
            envelopes.append(FetchedEnvelope(sequence: item.sequence, digest: digest, envelope: envelope))
        }
        return FetchedPage(
            envelopes: envelopes, expiredUnread: page.expiredUnread, oneTimePrekeys: page.prekeys.oneTimePrekeys,
            oneTimePostQuantumPrekeys: page.prekeys.oneTimePostQuantumPrekeys, prekeysLow: page.prekeys.low)
    }

    /// Deletes envelopes committed locally, and tells the relay how much of the expired-unread
    /// count has been shown.
    public func acknowledge(
        _ credentials: MailboxCredentials, digests: [EnvelopeDigest], expiredUnreadSeen: Int = 0
    ) async throws(TransportError) {
        _ = try await signed(
            "POST", "/ack", credentials,
            body: Self.encode(
                RelayAPI.AcknowledgeRequest(
                    digests: digests.map(\.base64URL), expiredUnreadSeen: expiredUnreadSeen)))
    }

    /// Waits up to `timeout` seconds (at most 30) for something new after `after`.
    public func wait(_ credentials: MailboxCredentials, after: Int64, timeout: Int) async throws(TransportError) -> Bool
    {
        let response = try await signed(
            "POST", "/wait", credentials,
            body: Self.encode(RelayAPI.WaitRequest(after: after, timeout: min(max(timeout, 0), 30))))
        // An answer that says nothing readable counts as "nothing new": the caller fetches anyway
        // after its next wait, so a garbled answer costs a round, not the sync.
        let answer: RelayAPI.WaitResponse? = try? Self.decode(response)
        return answer?.new ?? false
    }

    /// Replaces the mailbox's deposit key.
    public func rotateDepositKey(_ credentials: MailboxCredentials, to key: SecureBytes) async throws(TransportError) {
        _ = try await signed(
            "POST", "/deposit-key", credentials,
            body: Self.encode(
                RelayAPI.RotateDepositKeyRequest(depositKey: Base64URL.encode(key.withUnsafeBytes { Array($0) }))))
    }

    // MARK: - Helpers

    /// A contact's request to `/v1/mailboxes/<id><suffix>` with a JSON body, its deposit token
    /// made over the body's digest for `purpose` (SPEC.md §8.1).
    private func contactRequest(
        _ suffix: String, mailbox: MailboxID, depositKey: SecureBytes, purpose: DepositToken.Purpose, body: [UInt8]
    ) async throws(TransportError) -> TransportResponse {
        guard let digest = try? BLAKE2b.hash(body),
            let token = try? DepositToken.make(
                depositKey: depositKey, mailbox: mailbox, digest: digest, purpose: purpose)
        else { throw .invalidConfiguration("a deposit key has the wrong size") }
        return try CurlTransport.checked(
            await transport.send(
                "POST", "/v1/mailboxes/\(mailbox.base64URL)\(suffix)",
                headers: ["Content-Type": "application/json", RelayAPI.Header.depositToken: token.base64URL],
                body: body))
    }

    /// An owner request to `/v1/mailboxes/<id><suffix>`, signed (SPEC.md §8.2).
    private func signed(
        _ method: String, _ suffix: String, _ credentials: MailboxCredentials, body: [UInt8]
    ) async throws(TransportError) -> TransportResponse {
        let path = "/v1/mailboxes/\(credentials.id.base64URL)\(suffix)"
        let nonce = SecureRandom.bytes(count: RequestSignature.nonceByteCount)
        let timestamp = clock()
        let signature = RequestSignature(
            method: method, path: path, body: body, mailbox: credentials.id, timestamp: timestamp, nonce: nonce,
            mailboxKey: credentials.ownerKey)
        return try CurlTransport.checked(
            await transport.send(
                method, path,
                headers: [
                    "Content-Type": "application/json", RelayAPI.Header.timestamp: String(timestamp),
                    RelayAPI.Header.nonce: Base64URL.encode(nonce),
                    RelayAPI.Header.signature: Base64URL.encode(signature.signature),
                ], body: body))
    }

    /// A request body: the value as JSON, keys sorted.
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding these plain structs of strings and numbers cannot fail.
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    /// A response body as `Value`, or ``TransportError/unexpectedAnswer``.
    static func decode<Value: Decodable>(_ response: TransportResponse) throws(TransportError) -> Value {
        guard let value = try? JSONDecoder().decode(Value.self, from: Data(response.body)) else {
            throw .unexpectedAnswer
        }
        return value
    }
}

extension ByteIdentifier {
    /// The identifier a profile column holds, or nil unless it is 32 bytes.
    init?(_ data: Data) {
        self.init(Array(data))
    }

    /// The bytes as a profile column stores them.
    var data: Data { Data(bytes) }
}
