// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import Hummingbird

// MARK: - Prekey directory (SPEC.md §8.6)

extension Relay {
    func countsResponse(_ counts: PrekeyCounts) -> RelayAPI.PrekeyCounts {
        RelayAPI.PrekeyCounts(
            oneTimePrekeys: counts.oneTime, oneTimePostQuantumPrekeys: counts.oneTimePostQuantum,
            low: min(counts.oneTime, counts.oneTimePostQuantum) < configuration.prekeyLowWaterMark)
    }

    func uploadPrekeys(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (mailbox, body) = try await authenticated(request, context)
        let upload: RelayAPI.PrekeyUploadRequest = try decode(body)
        var head: [UInt8]?
        if let text = upload.head {
            guard let bytes = Base64URL.decode(text), (1...configuration.maximumPrekeyEntryBytes).contains(bytes.count)
            else { throw RelayHTTPError.invalidField }
            head = bytes
        }
        var entries: [PrekeyEntry] = []
        for (pool, list) in [
            (PrekeyPool.oneTime, upload.oneTimePrekeys), (.oneTimePostQuantum, upload.oneTimePostQuantumPrekeys),
        ] {
            let list = list ?? []
            guard list.count <= configuration.maximumPrekeysPerPool, Set(list.map(\.id)).count == list.count else {
                throw RelayHTTPError.invalidField
            }
            for item in list {
                guard let bytes = Base64URL.decode(item.entry),
                    (1...configuration.maximumPrekeyEntryBytes).contains(bytes.count)
                else { throw RelayHTTPError.invalidField }
                entries.append(PrekeyEntry(pool: pool, id: item.id, entry: bytes))
            }
        }
        let counts = try await perform {
            try await store.publishPrekeys(
                head: head, oneTime: entries, for: mailbox, maximumPerPool: configuration.maximumPrekeysPerPool)
        }
        return try json(countsResponse(counts))
    }

    func claimPrekeys(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (mailbox, _): (MailboxID, RelayAPI.FreshRequest) = try await admitFresh(
            request, context, purpose: .prekeyClaim)
        guard let claim = try await perform({ try await store.claimPrekeys(from: mailbox) }) else {
            throw RelayHTTPError(RelayError.noPrekeys)
        }
        RelayMetrics.prekeyClaims.increment()
        return try json(
            RelayAPI.PrekeyClaim(
                head: Base64URL.encode(claim.head), oneTimePrekey: claim.oneTime.map(Base64URL.encode),
                oneTimePostQuantumPrekey: claim.oneTimePostQuantum.map(Base64URL.encode)))
    }

    // MARK: - Anonymous request checks

    /// Admits a contact's request to `mailbox`: its deposit token (for `digest` and `purpose`)
    /// must check against the mailbox's deposit key before anything is charged to the mailbox's
    /// contact rate, so that junk tokens from someone without the key (every defender knows the
    /// experts' mailbox ids) cannot use up the rate of the contacts who have it. Returns the token.
    ///
    /// - Throws: 403 `bad_deposit_token` (for an unknown mailbox too), 429 over the contact rate.
    /// A deposit key no mailbox has: what a token for an unknown mailbox is checked against.
    static let unknownMailboxDepositKey = SecureRandom.bytes(count: DepositToken.byteCount)

    func admitContact(
        _ request: Request, mailbox: MailboxID, digest: [UInt8], purpose: DepositToken.Purpose
    ) async throws -> DepositTokenValue {
        guard let tokenText = request.headers[Self.depositTokenHeader],
            let token = DepositTokenValue(base64URL: tokenText)
        else {
            throw RelayHTTPError.badDepositToken
        }
        func checks(_ key: [UInt8]) -> Bool {
            DepositToken.isValid(
                token, depositKey: SecureBytes(copying: key), mailbox: mailbox, digest: digest,
                purpose: purpose)
        }
        if let cached = depositKeys.key(of: mailbox), checks(cached) {
            try contactLimiter.enforce(mailbox.bytes)
            return token
        }
        guard let record = try await perform({ try await store.mailbox(mailbox) }) else {
            // Answered like a wrong token, after the same work: an old id does not tell whether
            // its mailbox still lives (SECURITY.md).
            _ = checks(Self.unknownMailboxDepositKey)
            throw RelayHTTPError.badDepositToken
        }
        depositKeys.remember(record.depositKey, of: mailbox)
        guard checks(record.depositKey) else { throw RelayHTTPError.badDepositToken }
        try contactLimiter.enforce(mailbox.bytes)
        return token
    }

    /// Admits a contact's fresh request (prekey claim, blob creation): its body decoded, its
    /// deposit token checked over the body's digest for `purpose`, its time and nonce checked.
    func admitFresh<Body: RelayAPI.Fresh>(
        _ request: Request, _ context: BasicRequestContext, purpose: DepositToken.Purpose
    ) async throws -> (MailboxID, Body) {
        let mailbox = try mailboxParameter(context)
        let bytes = try await collect(request, limit: configuration.maximumJSONBodyBytes)
        let body: Body = try decode(bytes)
        _ = try await admitContact(request, mailbox: mailbox, digest: try BLAKE2b.hash(bytes), purpose: purpose)
        try checkFreshness(body.time, nonce: body.nonce, mailbox: mailbox)
        return (mailbox, body)
    }

    /// Refuses a time outside the signature window and a nonce seen within it.
    func checkFreshness(_ time: UInt64, nonce nonceText: String, mailbox: MailboxID) throws {
        guard let nonce = bytes(nonceText, count: RequestSignature.nonceByteCount) else {
            throw RelayHTTPError.invalidField
        }
        let now = clock()
        guard max(time, now) - min(time, now) <= RequestSignature.allowedClockSkew else {
            throw RelayHTTPError.staleTimestamp
        }
        try recordNonce(nonce, mailbox: mailbox, now: now)
    }
}

// MARK: - Organisation roster (SPEC.md §8.7)

extension Relay {
    func publishRoster(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let body = try await collect(request, limit: SignedRoster.maximumContentByteCount + 1024)
        guard let roster = try? SignedRoster(decoding: body) else { throw RelayHTTPError.malformedRoster }
        guard (try? roster.verify(root: configuration.organisationRoot)) != nil else {
            throw RelayHTTPError.badRosterSignature
        }
        try await perform { try await store.publishRoster(StoredRoster(version: roster.version, encoded: body)) }
        return try json(RelayAPI.RosterPublished(version: roster.version), status: .created)
    }

    func fetchRoster(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard let roster = try await perform({ try await store.roster() }) else {
            throw RelayHTTPError(RelayError.noRoster)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/octet-stream"],
            body: .init(byteBuffer: ByteBuffer(bytes: roster.encoded)))
    }
}
