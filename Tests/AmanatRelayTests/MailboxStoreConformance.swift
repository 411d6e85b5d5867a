// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatProtocolVectors
import Foundation
import Testing

@testable import AmanatRelay

/// The behaviour every `MailboxStore` must have (STYLE §12). The SQLite and the PostgreSQL
/// store's suites both run all of it.
struct MailboxStoreConformance {
    let store: any MailboxStore
    let quota = MailboxQuota(maximumEnvelopes: 5, maximumBytes: 10_000)
    let now: UInt64 = 1_800_000_000

    static func random(_ count: Int = 32) -> [UInt8] { SecureRandom.bytes(count: count) }

    static func envelope(_ size: Int = 2048) -> (bytes: [UInt8], digest: EnvelopeDigest) {
        let bytes = random(size)
        return (bytes, EnvelopeDigest(of: bytes))
    }

    func newMailbox() async throws -> MailboxRecord {
        let mailbox = MailboxRecord(id: .random(), ownerKey: Self.random(), depositKey: Self.random())
        try await store.createMailbox(mailbox, redeemingVoucher: .random(), now: now)
        return mailbox
    }

    func mailboxes() async throws {
        let mailbox = MailboxRecord(id: .random(), ownerKey: Self.random(), depositKey: Self.random())
        let voucher = VoucherID.random()
        try await store.createMailbox(mailbox, redeemingVoucher: voucher, now: now)
        #expect(try await store.mailbox(mailbox.id) == mailbox)
        #expect(try await store.mailbox(.random()) == nil)
        let other = MailboxRecord(id: .random(), ownerKey: Self.random(), depositKey: Self.random())
        await #expect(throws: RelayError.voucherAlreadyUsed) {
            try await store.createMailbox(other, redeemingVoucher: voucher, now: now)
        }
        #expect(try await store.mailbox(other.id) == nil)
        // The same request again (its answer was lost on the way): the same answer, nothing new.
        try await store.createMailbox(mailbox, redeemingVoucher: voucher, now: now)
        #expect(try await store.mailbox(mailbox.id) == mailbox)
        // The voucher's mailbox id with another key is someone else's request: refused.
        await #expect(throws: RelayError.voucherAlreadyUsed) {
            try await store.createMailbox(
                MailboxRecord(id: mailbox.id, ownerKey: Self.random(), depositKey: mailbox.depositKey),
                redeemingVoucher: voucher, now: now)
        }
        await #expect(throws: RelayError.mailboxExists) {
            try await store.createMailbox(mailbox, redeemingVoucher: .random(), now: now)
        }
        // A mailbox id of another length cannot even be made (MailboxID checks it once).
        #expect(MailboxID([1]) == nil)
        let key = Self.random()
        try await store.rotateDepositKey(of: mailbox.id, to: key)
        #expect(try await store.mailbox(mailbox.id)?.depositKey == key)
        await #expect(throws: RelayError.unknownMailbox) {
            try await store.rotateDepositKey(of: .random(), to: key)
        }
    }

    func depositFetchAcknowledge() async throws {
        let mailbox = try await newMailbox()
        // A token made with another key, or for another envelope, stores nothing.
        let refused = Self.envelope()
        let wrongKey = try DepositToken.make(
            depositKey: SecureBytes.random(count: 32), mailbox: mailbox.id, digest: refused.digest.bytes)
        let otherEnvelope = try DepositToken.make(
            depositKey: SecureBytes(copying: mailbox.depositKey), mailbox: mailbox.id, digest: Self.random())
        // An empty token cannot even be made (DepositTokenValue checks its length once).
        #expect(DepositTokenValue([]) == nil)
        for token in [wrongKey, otherEnvelope, try #require(DepositTokenValue(Self.random()))] {
            await #expect(throws: RelayError.badDepositToken) {
                try await store.deposit(
                    refused.bytes, digest: refused.digest, into: mailbox.id, token: token, now: now, quota: quota)
            }
        }
        #expect(try await store.fetch(from: mailbox.id, after: 0, limit: 10).envelopes.isEmpty)
        let envelopes = (0..<4).map { _ in Self.envelope() }
        var sequences: [Int64] = []
        for envelope in envelopes {
            let outcome = try await store.deposit(
                envelope.bytes, digest: envelope.digest, into: mailbox.id, now: now, quota: quota)
            guard case .stored(let sequence) = outcome else {
                Issue.record("first deposit was not stored")
                return
            }
            sequences.append(sequence)
        }
        #expect(sequences == sequences.sorted() && Set(sequences).count == 4)
        // Idempotent: the same envelope again stores nothing and names the same sequence.
        let again = try await store.deposit(
            envelopes[1].bytes, digest: envelopes[1].digest, into: mailbox.id, now: now + 10, quota: quota)
        #expect(again == .duplicate(sequence: sequences[1]))
        // Cursor paging, oldest first.
        let first = try await store.fetch(from: mailbox.id, after: 0, limit: 3)
        #expect(first.envelopes.map(\.envelope) == envelopes.prefix(3).map(\.bytes))
        #expect(first.envelopes.map(\.digest) == envelopes.prefix(3).map(\.digest))
        #expect(first.envelopes.allSatisfy { $0.arrivedHour == now - now % 3600 })
        let second = try await store.fetch(from: mailbox.id, after: first.envelopes.last!.sequence, limit: 3)
        #expect(second.envelopes.map(\.envelope) == [envelopes[3].bytes])
        // A byte budget ends a page early, but a page always holds at least one envelope.
        let budget = try await store.fetch(from: mailbox.id, after: 0, limit: 10, maximumBytes: 2 * 2048 + 100)
        #expect(budget.envelopes.map(\.envelope) == envelopes.prefix(2).map(\.bytes))
        let tiny = try await store.fetch(from: mailbox.id, after: 0, limit: 10, maximumBytes: 1)
        #expect(tiny.envelopes.map(\.envelope) == [envelopes[0].bytes])
        // Acknowledging deletes; unknown digests are ignored; other mailboxes are untouched.
        let other = try await newMailbox()
        _ = try await store.deposit(
            envelopes[0].bytes, digest: envelopes[0].digest, into: other.id, now: now, quota: quota)
        let deleted = try await store.acknowledge(
            [envelopes[0].digest, envelopes[2].digest, .random()], in: mailbox.id, expiredUnreadSeen: 0)
        #expect(deleted == 2)
        let left = try await store.fetch(from: mailbox.id, after: 0, limit: 10)
        #expect(left.envelopes.map(\.envelope) == [envelopes[1].bytes, envelopes[3].bytes])
        #expect(try await store.fetch(from: other.id, after: 0, limit: 10).envelopes.count == 1)
        // After an ack, the same envelope can be deposited again as new.
        let redeposit = try await store.deposit(
            envelopes[0].bytes, digest: envelopes[0].digest, into: mailbox.id, now: now, quota: quota)
        #expect(redeposit.sequence > sequences[3])
    }

    func quotas() async throws {
        let mailbox = try await newMailbox()
        var digests: [EnvelopeDigest] = []
        for _ in 0..<5 {
            let envelope = Self.envelope(1000)
            digests.append(envelope.digest)
            _ = try await store.deposit(
                envelope.bytes, digest: envelope.digest, into: mailbox.id, now: now, quota: quota)
        }
        let extra = Self.envelope(1000)
        await #expect(throws: RelayError.mailboxFull) {
            try await store.deposit(extra.bytes, digest: extra.digest, into: mailbox.id, now: now, quota: quota)
        }
        // A duplicate of a stored envelope is still answered when full.
        let existing = try await store.fetch(from: mailbox.id, after: 0, limit: 1).envelopes[0]
        #expect(
            try await store.deposit(
                existing.envelope, digest: existing.digest, into: mailbox.id, now: now, quota: quota)
                == .duplicate(sequence: existing.sequence))
        _ = try await store.acknowledge([digests[0]], in: mailbox.id, expiredUnreadSeen: 0)
        _ = try await store.deposit(extra.bytes, digest: extra.digest, into: mailbox.id, now: now, quota: quota)
        // The byte quota, separately.
        let small = try await newMailbox()
        let tight = MailboxQuota(maximumEnvelopes: 100, maximumBytes: 3000)
        for _ in 0..<2 {
            let envelope = Self.envelope(1500)
            _ = try await store.deposit(envelope.bytes, digest: envelope.digest, into: small.id, now: now, quota: tight)
        }
        let over = Self.envelope(1)
        await #expect(throws: RelayError.mailboxFull) {
            try await store.deposit(over.bytes, digest: over.digest, into: small.id, now: now, quota: tight)
        }
    }

    func unknownMailboxes() async throws {
        let envelope = Self.envelope()
        let nobody = MailboxID.random()
        await #expect(throws: RelayError.unknownMailbox) {
            try await store.deposit(envelope.bytes, digest: envelope.digest, into: nobody, now: now, quota: quota)
        }
        await #expect(throws: RelayError.unknownMailbox) { try await store.fetch(from: nobody, after: 0, limit: 10) }
        await #expect(throws: RelayError.unknownMailbox) {
            try await store.acknowledge([envelope.digest], in: nobody, expiredUnreadSeen: 0)
        }
        // A digest of another length cannot even be made.
        #expect(EnvelopeDigest([1, 2]) == nil)
    }

    func retention() async throws {
        let mailbox = try await newMailbox()
        let hour: UInt64 = 3600
        let start = now - now % hour
        let old = Self.envelope()
        let late = Self.envelope()
        let fresh = Self.envelope()
        _ = try await store.deposit(old.bytes, digest: old.digest, into: mailbox.id, now: start + 10, quota: quota)
        _ = try await store.deposit(
            late.bytes, digest: late.digest, into: mailbox.id, now: start + hour - 1, quota: quota)
        _ = try await store.deposit(
            fresh.bytes, digest: fresh.digest, into: mailbox.id, now: start + 2 * hour, quota: quota)
        // A cutoff inside the first hour purges nothing: an envelope is never purged early.
        #expect(try await store.purge(arrivedBefore: start + hour - 1) == 0)
        // Once the whole first hour is before the cutoff, both of its envelopes go.
        #expect(try await store.purge(arrivedBefore: start + hour) == 2)
        let page = try await store.fetch(from: mailbox.id, after: 0, limit: 10)
        #expect(page.envelopes.map(\.envelope) == [fresh.bytes])
        #expect(page.expiredUnread == 2)
        // The count stays until the owner confirms having seen it.
        _ = try await store.acknowledge([], in: mailbox.id, expiredUnreadSeen: 1)
        #expect(try await store.fetch(from: mailbox.id, after: 0, limit: 10).expiredUnread == 1)
        _ = try await store.acknowledge([fresh.digest], in: mailbox.id, expiredUnreadSeen: 5)
        #expect(try await store.fetch(from: mailbox.id, after: 0, limit: 10).expiredUnread == 0)
        // The quota counts follow purges: the mailbox has room for five again.
        for _ in 0..<5 {
            let envelope = Self.envelope(100)
            _ = try await store.deposit(
                envelope.bytes, digest: envelope.digest, into: mailbox.id, now: now, quota: quota)
        }
    }

    func concurrentDeposits() async throws {
        let mailbox = try await newMailbox()
        let envelopes = (0..<40).map { _ in Self.envelope(512) }
        let big = MailboxQuota(maximumEnvelopes: 1000, maximumBytes: 1 << 24)
        let outcomes = try await withThrowingTaskGroup(of: DepositOutcome.self) { group in
            for envelope in envelopes + envelopes {
                group.addTask {
                    try await store.deposit(
                        envelope.bytes, digest: envelope.digest, into: mailbox.id, now: now, quota: big)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { if case .stored = $0 { true } else { false } }.count == 40)
        #expect(Set(outcomes.map(\.sequence)).count == 40)
        #expect(try await store.fetch(from: mailbox.id, after: 0, limit: 100).envelopes.count == 40)
    }

    func concurrentQuota() async throws {
        let mailbox = try await newMailbox()
        let envelopes = (0..<20).map { _ in Self.envelope(100) }
        let results = await withTaskGroup(of: RelayError?.self) { group in
            for envelope in envelopes {
                group.addTask {
                    do {
                        _ = try await store.deposit(
                            envelope.bytes, digest: envelope.digest, into: mailbox.id, now: now, quota: quota)
                        return nil
                    } catch {
                        return error as? RelayError ?? .storageFailure
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        // Exactly the quota's five stored, however the deposits were batched; the rest refused.
        #expect(results.filter { $0 == nil }.count == 5)
        #expect(results.filter { $0 == .mailboxFull }.count == 15)
        let stored = try await store.fetch(from: mailbox.id, after: 0, limit: 100).envelopes
        #expect(stored.count == 5)
        // The counts were written back: one acknowledged makes room for exactly one more.
        _ = try await store.acknowledge([stored[0].digest], in: mailbox.id, expiredUnreadSeen: 0)
        let next = Self.envelope(100)
        _ = try await store.deposit(next.bytes, digest: next.digest, into: mailbox.id, now: now, quota: quota)
        let over = Self.envelope(100)
        await #expect(throws: RelayError.mailboxFull) {
            try await store.deposit(over.bytes, digest: over.digest, into: mailbox.id, now: now, quota: quota)
        }
    }

    // MARK: - Prekey directory

    func prekeyDirectory() async throws {
        let mailbox = try await newMailbox()
        #expect(try await store.claimPrekeys(from: mailbox.id) == nil)
        #expect(try await store.prekeyCounts(of: mailbox.id) == PrekeyCounts(oneTime: 0, oneTimePostQuantum: 0))
        let head = Self.random(2900)
        let classical = (0..<3).map { PrekeyEntry(pool: .oneTime, id: UInt32($0), entry: Self.random(149)) }
        let postQuantum = (10..<12).map {
            PrekeyEntry(pool: .oneTimePostQuantum, id: UInt32($0), entry: Self.random(1333))
        }
        var counts = try await store.publishPrekeys(
            head: head, oneTime: classical + postQuantum, for: mailbox.id, maximumPerPool: 5)
        #expect(counts == PrekeyCounts(oneTime: 3, oneTimePostQuantum: 2))
        // Over the pool limit: refused as a whole, nothing stored.
        let tooMany = (100..<103).map { PrekeyEntry(pool: .oneTime, id: UInt32($0), entry: Self.random(149)) }
        await #expect(throws: RelayError.prekeysFull) {
            try await store.publishPrekeys(head: Self.random(10), oneTime: tooMany, for: mailbox.id, maximumPerPool: 5)
        }
        #expect(try await store.prekeyCounts(of: mailbox.id) == counts)
        // Each claim pops one from each pool; never the same entry twice; then the head alone.
        var claimed: [[UInt8]] = []
        var postQuantumClaimed: [[UInt8]] = []
        for round in 0..<4 {
            let claim = try #require(try await store.claimPrekeys(from: mailbox.id))
            #expect(claim.head == head)
            if let entry = claim.oneTime { claimed.append(entry) }
            if let entry = claim.oneTimePostQuantum { postQuantumClaimed.append(entry) }
            #expect((claim.oneTime != nil) == (round < 3) && (claim.oneTimePostQuantum != nil) == (round < 2))
        }
        #expect(Set(claimed) == Set(classical.map(\.entry)) && claimed.count == 3)
        #expect(Set(postQuantumClaimed) == Set(postQuantum.map(\.entry)))
        counts = try await store.prekeyCounts(of: mailbox.id)
        #expect(counts == PrekeyCounts(oneTime: 0, oneTimePostQuantum: 0))
        // A new head replaces the old; an id uploaded again replaces its entry.
        let newHead = Self.random(2900)
        let replacement = PrekeyEntry(pool: .oneTime, id: 7, entry: Self.random(149))
        _ = try await store.publishPrekeys(
            head: newHead, oneTime: [PrekeyEntry(pool: .oneTime, id: 7, entry: Self.random(149))], for: mailbox.id,
            maximumPerPool: 5)
        #expect(
            try await store.publishPrekeys(head: nil, oneTime: [replacement], for: mailbox.id, maximumPerPool: 5)
                == PrekeyCounts(oneTime: 1, oneTimePostQuantum: 0))
        let claim = try #require(try await store.claimPrekeys(from: mailbox.id))
        #expect(claim.head == newHead && claim.oneTime == replacement.entry)
        // Unknown mailboxes.
        await #expect(throws: RelayError.unknownMailbox) { try await store.claimPrekeys(from: .random()) }
        await #expect(throws: RelayError.unknownMailbox) { try await store.prekeyCounts(of: .random()) }
        await #expect(throws: RelayError.unknownMailbox) {
            try await store.publishPrekeys(head: head, oneTime: [], for: .random(), maximumPerPool: 5)
        }
    }

    func concurrentClaims() async throws {
        let mailbox = try await newMailbox()
        let entries = (0..<30).map { PrekeyEntry(pool: .oneTime, id: UInt32($0), entry: Self.random(149)) }
        _ = try await store.publishPrekeys(
            head: Self.random(100), oneTime: entries, for: mailbox.id, maximumPerPool: 100)
        let claims = try await withThrowingTaskGroup(of: PrekeyClaim?.self) { group in
            for _ in 0..<40 {
                group.addTask { try await store.claimPrekeys(from: mailbox.id) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let popped = claims.compactMap { $0?.oneTime }
        #expect(popped.count == 30 && Set(popped).count == 30)
    }

    // MARK: - Blobs

    /// A blob expecting the downloads of the recipients whose confirmation-key digests are `confirmations`.
    func blob(size: Int, chunkSize: Int = 1000, confirmations: [[UInt8]]? = nil, expiresAt: UInt64? = nil)
        -> BlobRecord
    {
        BlobRecord(
            id: .random(), uploadKeyDigest: Self.random(), size: size, chunkSize: chunkSize,
            confirmations: confirmations ?? [Self.random(), Self.random()].sorted { $0.lexicographicallyPrecedes($1) },
            expiresAt: expiresAt ?? now + 86_400)
    }

    func blobs() async throws {
        // Two recipients, each confirming with its own key (SPEC.md §9.4).
        let keys = [Self.random(), Self.random()]
        let digests = try keys.map { try DownloadConfirmation.digest(of: SecureBytes(copying: $0)) }
        let record = blob(size: 2500, confirmations: digests.sorted { $0.lexicographicallyPrecedes($1) })
        // Confirmations out of order, repeated, of the wrong size or more than 64 are refused.
        for confirmations in [
            digests.sorted { !$0.lexicographicallyPrecedes($1) }, [digests[0], digests[0]], [Self.random(31)],
            (0..<65).map { _ in Self.random() }.sorted { $0.lexicographicallyPrecedes($1) },
        ] {
            await #expect(throws: RelayError.invalidRequest) {
                try await store.createBlob(self.blob(size: 10, confirmations: confirmations), totalBytes: 10_000)
            }
        }
        try await store.createBlob(record, totalBytes: 10_000)
        var status = try #require(try await store.blob(record.id))
        #expect(status.record == record && status.presentChunks.isEmpty && !status.isComplete)
        #expect(record.chunkCount == 3 && record.sizeOfChunk(2) == 500 && record.sizeOfChunk(3) == nil)
        let chunks = [Self.random(1000), Self.random(1000), Self.random(500)]
        // Out of order, with a wrong size refused, an index out of range refused, and a chunk sent twice.
        await #expect(throws: RelayError.invalidRequest) {
            try await store.putChunk(chunks[0], index: 2, of: record.id, retainingWholeUntil: now + 30 * 86_400)
        }
        await #expect(throws: RelayError.invalidRequest) {
            try await store.putChunk(chunks[2], index: 3, of: record.id, retainingWholeUntil: now + 30 * 86_400)
        }
        status = try await store.putChunk(chunks[2], index: 2, of: record.id, retainingWholeUntil: now + 30 * 86_400)
        #expect(status.presentChunks == [2])
        await #expect(throws: RelayError.blobIncomplete) { try await store.chunk(2, of: record.id) }
        await #expect(throws: RelayError.blobIncomplete) {
            try await store.confirmDownload(of: record.id, presenting: digests[0])
        }
        _ = try await store.putChunk(Self.random(1000), index: 0, of: record.id, retainingWholeUntil: now + 30 * 86_400)
        _ = try await store.putChunk(chunks[0], index: 0, of: record.id, retainingWholeUntil: now + 30 * 86_400)
        status = try await store.putChunk(chunks[1], index: 1, of: record.id, retainingWholeUntil: now + 30 * 86_400)
        #expect(status.isComplete && status.presentChunks == [0, 1, 2])
        // Whole, it is kept for the retention, no longer only through its upload window.
        #expect(status.record.expiresAt == now + 30 * 86_400)
        // Complete: the same chunk again is accepted (a retry), a different one refused.
        _ = try await store.putChunk(chunks[1], index: 1, of: record.id, retainingWholeUntil: now + 30 * 86_400)
        await #expect(throws: RelayError.blobComplete) {
            try await store.putChunk(Self.random(1000), index: 1, of: record.id, retainingWholeUntil: now + 30 * 86_400)
        }
        for (index, chunk) in chunks.enumerated() {
            #expect(try await store.chunk(index, of: record.id) == chunk)
        }
        await #expect(throws: RelayError.invalidRequest) { try await store.chunk(3, of: record.id) }
        // Only a registered key counts: anyone else who knows the blob's id cannot.
        for wrong in [Self.random(), keys[0], record.uploadKeyDigest] {
            await #expect(throws: RelayError.badConfirmation) {
                try await store.confirmDownload(of: record.id, presenting: wrong)
            }
        }
        // Each recipient counts once, however often it confirms; the second recipient deletes it.
        #expect(try await store.confirmDownload(of: record.id, presenting: digests[1]) == 1)
        #expect(try await store.confirmDownload(of: record.id, presenting: digests[1]) == 1)
        #expect(try await store.blob(record.id)?.downloadsLeft == 1)
        #expect(try await store.chunk(0, of: record.id) == chunks[0])
        #expect(try await store.confirmDownload(of: record.id, presenting: digests[0]) == 0)
        #expect(try await store.blob(record.id) == nil)
        await #expect(throws: RelayError.unknownBlob) { try await store.chunk(0, of: record.id) }
        await #expect(throws: RelayError.unknownBlob) {
            try await store.confirmDownload(of: record.id, presenting: digests[0])
        }
        await #expect(throws: RelayError.unknownBlob) {
            try await store.putChunk(chunks[0], index: 0, of: record.id, retainingWholeUntil: now + 30 * 86_400)
        }
    }

    func blobLimitsAndExpiry() async throws {
        let first = blob(size: 6000, expiresAt: now + 3600)
        let second = blob(size: 4000, expiresAt: now + 7200)
        try await store.createBlob(first, totalBytes: 10_000)
        try await store.createBlob(second, totalBytes: 10_000)
        await #expect(throws: RelayError.blobStorageFull) {
            try await store.createBlob(blob(size: 1), totalBytes: 10_000)
        }
        #expect(try await store.purgeBlobs(expiredAt: now + 3599) == 0)
        #expect(try await store.purgeBlobs(expiredAt: now + 3600) == 1)
        #expect(try await store.blob(first.id) == nil)
        #expect(try await store.blob(second.id) != nil)
        // The space is free again.
        try await store.createBlob(blob(size: 6000), totalBytes: 10_000)
        // A blob never uploaded whole goes at the end of its upload window; one made whole in
        // time stays for its retention.
        let abandoned = blob(size: 1000, expiresAt: now + 90_000)
        let uploaded = blob(size: 1000, expiresAt: now + 90_000)
        #expect(try await store.purgeBlobs(expiredAt: now + 86_400) == 2)
        try await store.createBlob(abandoned, totalBytes: 10_000)
        try await store.createBlob(uploaded, totalBytes: 10_000)
        _ = try await store.putChunk(
            Self.random(1000), index: 0, of: uploaded.id, retainingWholeUntil: now + 30 * 86_400)
        #expect(try await store.purgeBlobs(expiredAt: now + 90_000) == 1)
        #expect(try await store.blob(abandoned.id) == nil)
        #expect(try await store.blob(uploaded.id)?.record.expiresAt == now + 30 * 86_400)
    }

    // MARK: - What a seized store may hold

    /// What ``storeKnownData()`` stored, and the byte strings that must not appear anywhere in the
    /// store's files or dump.
    struct KnownData {
        let envelopeBytes: Int
        let forbidden: [(String, [UInt8])]
    }

    /// Stores one of every kind of data with known contents: a real sealed envelope of a known
    /// plaintext and sender, sealed prekey directory entries, an encrypted attachment, a roster.
    func storeKnownData() async throws -> KnownData {
        // A real exchange's envelope, whose plaintext and sender we know.
        let alice = VectorDevice("alice")
        let bob = VectorDevice("bob")
        var entropy = SeededEntropy(seed: [UInt8](repeating: 3, count: 32))
        var encapsulator = SystemEncapsulator()
        var session = try Handshake.initiate(
            from: alice.identity, to: bob.bundle(withOneTimePrekeys: true), now: 1_800_000_000, entropy: &entropy,
            encapsulator: &encapsulator)
        let marker = "PLAINTEXT-MARKER-Задержан-у-суда"
        let message = try session.encrypt(
            Array(marker.utf8), now: 1_800_000_000, entropy: &entropy, encapsulator: &encapsulator)
        let mailboxId = MailboxID.random()
        let envelope = try SealedEnvelope.seal(
            message, certificate: SenderCertificate(selfSignedBy: alice.identity, expiresAt: .max),
            to: bob.sealingKey.publicKey, mailbox: mailboxId)
        try await store.createMailbox(
            MailboxRecord(
                id: mailboxId, ownerKey: MailboxStoreConformance.random(),
                depositKey: MailboxStoreConformance.random()),
            redeemingVoucher: .random(), now: 1_800_000_000)
        _ = try await store.deposit(
            envelope, digest: EnvelopeDigest(of: envelope), into: mailboxId, now: 1_800_000_123,
            quota: MailboxQuota(maximumEnvelopes: 10, maximumBytes: 1 << 20))

        // Bob's sealed prekey directory entries.
        let directoryKey = SecureBytes.random(count: 32)
        let bundle = bob.bundle(withOneTimePrekeys: true)
        let head = try PrekeyDirectory.sealHead(
            identity: bundle.identity, signedPrekey: bundle.signedPrekey,
            lastResortPrekey: bob.bundle(withOneTimePrekeys: false).postQuantumPrekey,
            sealingKey: bundle.sealingKey, directoryKey: directoryKey, mailbox: mailboxId, entropy: &entropy)
        let oneTime = try PrekeyDirectory.sealOneTime(
            try #require(bundle.oneTimePrekey), directoryKey: directoryKey, mailbox: mailboxId, entropy: &entropy)
        let postQuantum = try PrekeyDirectory.sealOneTime(
            bundle.postQuantumPrekey, directoryKey: directoryKey, mailbox: mailboxId, entropy: &entropy)
        _ = try await store.publishPrekeys(
            head: head,
            oneTime: [
                PrekeyEntry(pool: .oneTime, id: 3, entry: oneTime),
                PrekeyEntry(pool: .oneTimePostQuantum, id: 4, entry: postQuantum),
            ], for: mailboxId, maximumPerPool: 10)
        // An encrypted attachment with a known marker inside.
        let attachmentMarker = "ATTACHMENT-MARKER-решение-суда"
        let fileKey = SecretStream.generateKey()
        let attachment = try SecretStream.encrypt(
            Array(attachmentMarker.utf8) + [UInt8](repeating: 0x20, count: 3000), key: fileKey)
        // Bob's download confirmation: the relay keeps a digest, never the key nor whose it is.
        let confirmationKey = try DownloadConfirmation.key(fileKey: fileKey, recipient: bob.identity.publicKey)
        let blob = BlobRecord(
            id: .random(), uploadKeyDigest: MailboxStoreConformance.random(),
            size: attachment.count, chunkSize: 1024,
            confirmations: try DownloadConfirmation.digests(fileKey: fileKey, recipients: [bob.identity.publicKey]),
            expiresAt: 1_800_003_600)
        try await store.createBlob(blob, totalBytes: 1 << 20)
        for index in 0..<blob.chunkCount {
            let start = index * blob.chunkSize
            _ = try await store.putChunk(
                Array(attachment[start..<min(attachment.count, start + blob.chunkSize)]), index: index, of: blob.id,
                retainingWholeUntil: 1_802_592_000)
        }
        // A roster whose content is sealed by the clients (the relay sees it signed, not read).
        let rosterMarker = "ROSTER-MARKER-expert"
        let roster = try SignedRoster(
            version: 1,
            content: try XChaCha20Poly1305.sealCombined(
                Array(rosterMarker.utf8) + bob.identity.publicKey.encoded, key: SecureBytes.random(count: 32)),
            signedBy: Ed25519.PrivateKey())
        try await store.publishRoster(StoredRoster(version: 1, encoded: roster.encoded))

        // A defender's mailbox frozen by a seizure order (SPEC.md §8.8) while a reply waited in
        // it: the reply leaves the files, and the order itself names nobody.
        let seized = MailboxID.random()
        try await store.createMailbox(
            MailboxRecord(
                id: seized, ownerKey: MailboxStoreConformance.random(), depositKey: MailboxStoreConformance.random()),
            redeemingVoucher: .random(), now: 1_800_000_000)
        let seizedMarker = "SEIZED-REPLY-MARKER-адвокат-приедет"
        let waiting = Array(seizedMarker.utf8) + MailboxStoreConformance.random(3000)
        _ = try await store.deposit(
            waiting, digest: EnvelopeDigest(of: waiting), into: seized, now: 1_800_000_200,
            quota: MailboxQuota(maximumEnvelopes: 10, maximumBytes: 1 << 20))
        let order = SeizureOrder(
            mailbox: seized, issuedAt: 1_800_000_300, expiresAt: 1_800_000_300 + SeizureOrder.defaultValidity,
            wipe: true, signedBy: Ed25519.PrivateKey())
        #expect(try await store.freeze(seized, order: order.encoded, depositKey: MailboxStoreConformance.random()))

        let forbidden: [(String, [UInt8])] = [
            ("plaintext marker", Array(marker.utf8)),
            ("reply waiting in a seized mailbox", Array(seizedMarker.utf8)),
            ("sender signing key", alice.identity.publicKey.signingKey.rawRepresentation),
            ("sender agreement key", alice.identity.publicKey.agreementKey.rawRepresentation),
            ("recipient identity", bob.identity.publicKey.signingKey.rawRepresentation),
            ("recipient agreement key", bob.identity.publicKey.agreementKey.rawRepresentation),
            ("recipient signed prekey", bob.signedPrekey.publicKey.rawRepresentation),
            ("recipient one-time prekey", bob.oneTimePrekey.publicKey.rawRepresentation),
            ("recipient sealing key", Array(bob.sealingKey.publicKey.rawRepresentation.prefix(64))),
            ("recipient X-Wing prekey", Array(bob.oneTimePostQuantumPrekey.publicKey.rawRepresentation.prefix(64))),
            ("attachment marker", Array(attachmentMarker.utf8)),
            ("attachment key", fileKey.withUnsafeBytes { Array($0) }),
            ("download confirmation key", confirmationKey.withUnsafeBytes { Array($0) }),
            ("roster marker", Array(rosterMarker.utf8)),
            ("loopback address", Array("127.0.0.1".utf8)),
            ("exact arrival time", withUnsafeBytes(of: Int64(1_800_000_123).bigEndian) { Array($0) }),
        ]
        return KnownData(envelopeBytes: envelope.count, forbidden: forbidden)
    }

    // MARK: - Seizure orders (SPEC.md §8.8)

    func seizure() async throws {
        let mailbox = try await newMailbox()
        let neighbour = try await newMailbox()
        for target in [mailbox, neighbour] {
            for _ in 0..<3 {
                let envelope = Self.envelope()
                _ = try await store.deposit(
                    envelope.bytes, digest: envelope.digest, into: target.id, now: now, quota: quota)
            }
            _ = try await store.publishPrekeys(
                head: Self.random(100), oneTime: [PrekeyEntry(pool: .oneTime, id: 1, entry: Self.random(149))],
                for: target.id, maximumPerPool: 5)
        }
        let order = Self.random(SeizureOrder.byteCount)
        let lockedOut = Self.random()
        #expect(try await store.freeze(mailbox.id, order: order, depositKey: lockedOut))
        let frozen = try #require(try await store.mailbox(mailbox.id))
        #expect(frozen.seizureOrder == order && frozen.depositKey == lockedOut && frozen.ownerKey == mailbox.ownerKey)
        // Everything that waited is gone, and so is the prekey directory.
        #expect(try await store.fetch(from: mailbox.id, after: 0, limit: 100).envelopes.isEmpty)
        #expect(try await store.claimPrekeys(from: mailbox.id) == nil)
        #expect(try await store.prekeyCounts(of: mailbox.id) == PrekeyCounts(oneTime: 0, oneTimePostQuantum: 0))
        // A contact with the old deposit key is refused; the quota counts start again from nothing.
        let late = Self.envelope()
        let oldToken = try DepositToken.make(
            depositKey: SecureBytes(copying: mailbox.depositKey), mailbox: mailbox.id, digest: late.digest.bytes)
        await #expect(throws: RelayError.badDepositToken) {
            try await store.deposit(
                late.bytes, digest: late.digest, into: mailbox.id, token: oldToken, now: now, quota: quota)
        }
        // The counts were reset with the envelopes: with the new key (which only this test knows)
        // the whole quota fits again; stale counts would make the third deposit `mailboxFull`.
        for _ in 0..<quota.maximumEnvelopes {
            let envelope = Self.envelope(100)
            _ = try await store.deposit(
                envelope.bytes, digest: envelope.digest, into: mailbox.id, now: now, quota: quota)
        }
        // A second order changes nothing: the first stays.
        #expect(
            try await store.freeze(mailbox.id, order: Self.random(SeizureOrder.byteCount), depositKey: Self.random())
                == false)
        #expect(try await store.mailbox(mailbox.id)?.seizureOrder == order)
        // The neighbour is untouched.
        #expect(try await store.fetch(from: neighbour.id, after: 0, limit: 100).envelopes.count == 3)
        #expect(try await store.mailbox(neighbour.id)?.seizureOrder == nil)
        #expect(try await store.claimPrekeys(from: neighbour.id) != nil)
        await #expect(throws: RelayError.unknownMailbox) {
            try await store.freeze(.random(), order: order, depositKey: lockedOut)
        }
    }

    // MARK: - Roster

    func roster() async throws {
        #expect(try await store.roster() == nil)
        let first = StoredRoster(version: 3, encoded: Self.random(500))
        try await store.publishRoster(first)
        #expect(try await store.roster() == first)
        await #expect(throws: RelayError.staleRoster) {
            try await store.publishRoster(StoredRoster(version: 3, encoded: Self.random(500)))
        }
        await #expect(throws: RelayError.staleRoster) {
            try await store.publishRoster(StoredRoster(version: 2, encoded: Self.random(500)))
        }
        let highest = StoredRoster(version: UInt64(Int64.max), encoded: Self.random(10))
        try await store.publishRoster(highest)
        #expect(try await store.roster() == highest)
    }
}

extension MailboxStore {
    /// A deposit with the right token for the mailbox (a random one if there is no such mailbox):
    /// what a contact holding the deposit key sends.
    func deposit(
        _ envelope: [UInt8], digest: EnvelopeDigest, into mailbox: MailboxID, now: UInt64, quota: MailboxQuota
    ) async throws(RelayError) -> DepositOutcome {
        let key = try await self.mailbox(mailbox)?.depositKey ?? SecureRandom.bytes(count: 32)
        let token =
            (try? DepositToken.make(depositKey: SecureBytes(copying: key), mailbox: mailbox, digest: digest.bytes))
            ?? .random()
        return try await deposit(envelope, digest: digest, into: mailbox, token: token, now: now, quota: quota)
    }
}
