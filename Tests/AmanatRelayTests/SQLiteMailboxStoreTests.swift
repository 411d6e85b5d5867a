// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatProtocolVectors
import Foundation
import Testing

@testable import AmanatRelay

@Suite("SQLite mailbox store")
struct SQLiteMailboxStoreTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-relay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func withStore(_ body: (SQLiteMailboxStore, URL) async throws -> Void) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("relay.sqlite").path
        try await body(try SQLiteMailboxStore(path: path), directory)
    }

    @Test("conformance: mailboxes and vouchers")
    func mailboxes() async throws {
        try await withStore { store, _ in try await MailboxStoreConformance(store: store).mailboxes() }
    }

    @Test("conformance: idempotent deposit, cursor fetch, acknowledge")
    func depositFetchAcknowledge() async throws {
        try await withStore { store, _ in try await MailboxStoreConformance(store: store).depositFetchAcknowledge() }
    }

    @Test("conformance: count and byte quotas")
    func quotas() async throws {
        try await withStore { store, _ in try await MailboxStoreConformance(store: store).quotas() }
    }

    @Test("conformance: unknown mailboxes and malformed fields")
    func unknownMailboxes() async throws {
        try await withStore { store, _ in try await MailboxStoreConformance(store: store).unknownMailboxes() }
    }

    @Test("conformance: retention purge and expired-unread counts")
    func retention() async throws {
        try await withStore { store, _ in try await MailboxStoreConformance(store: store).retention() }
    }

    @Test("conformance: concurrent deposits, each stored exactly once")
    func concurrentDeposits() async throws {
        try await withStore { store, _ in try await MailboxStoreConformance(store: store).concurrentDeposits() }
    }

    @Test("conformance: concurrent deposits respect the quota exactly")
    func concurrentQuota() async throws {
        try await withStore { store, _ in try await MailboxStoreConformance(store: store).concurrentQuota() }
    }

    @Test("conformance: prekey directory upload, atomic claims, counts")
    func prekeyDirectory() async throws {
        try await withStore { store, _ in try await MailboxStoreConformance(store: store).prekeyDirectory() }
    }

    @Test("conformance: concurrent claims never share a one-time entry")
    func concurrentClaims() async throws {
        try await withStore { store, _ in try await MailboxStoreConformance(store: store).concurrentClaims() }
    }

    @Test("conformance: blob chunks, resume, download count")
    func blobs() async throws {
        try await withStore { store, _ in try await MailboxStoreConformance(store: store).blobs() }
    }

    @Test("conformance: blob storage limit and expiry")
    func blobLimitsAndExpiry() async throws {
        try await withStore { store, _ in try await MailboxStoreConformance(store: store).blobLimitsAndExpiry() }
    }

    @Test("conformance: roster versions only go up")
    func roster() async throws {
        try await withStore { store, _ in try await MailboxStoreConformance(store: store).roster() }
    }

    @Test("group commit: concurrent deposits share transactions, each answered after its commit")
    func groupCommit() async throws {
        try await withStore { store, _ in
            let conformance = MailboxStoreConformance(store: store)
            let mailbox = try await conformance.newMailbox()
            let quota = MailboxQuota(maximumEnvelopes: 1000, maximumBytes: 1 << 24)
            let envelopes = (0..<64).map { _ in MailboxStoreConformance.envelope(2048) }
            let before = store.committer.statistics.transactions
            // One refused deposit (unknown mailbox) in the crowd fails alone.
            let outcomes = await withTaskGroup(of: Result<DepositOutcome, RelayError>.self) { group in
                for envelope in envelopes {
                    group.addTask {
                        do throws(RelayError) {
                            return .success(
                                try await store.deposit(
                                    envelope.bytes, digest: envelope.digest, into: mailbox.id, now: conformance.now,
                                    quota: quota))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                group.addTask {
                    do throws(RelayError) {
                        return .success(
                            try await store.deposit(
                                envelopes[0].bytes, digest: envelopes[0].digest,
                                into: MailboxStoreConformance.random(), now: conformance.now, quota: quota))
                    } catch {
                        return .failure(error)
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { (try? $0.get()) != nil }.count == 64)
            #expect(outcomes.filter { $0 == .failure(.unknownMailbox) }.count == 1)
            let statistics = store.committer.statistics
            #expect(statistics.transactions - before < 65, "deposits were not batched")
            #expect(statistics.largestBatch > 1)
            #expect(try await store.fetch(from: mailbox.id, after: 0, limit: 100).envelopes.count == 64)
        }
    }

    @Test("what was stored is there after the store is closed and opened again")
    func reopen() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("relay.sqlite").path
        let conformance = MailboxStoreConformance(store: try SQLiteMailboxStore(path: path))
        let mailbox = try await conformance.newMailbox()
        let envelope = MailboxStoreConformance.envelope()
        _ = try await conformance.store.deposit(
            envelope.bytes, digest: envelope.digest, into: mailbox.id, now: conformance.now, quota: conformance.quota)
        let reopened = try SQLiteMailboxStore(path: path)
        #expect(
            try await reopened.fetch(from: mailbox.id, after: 0, limit: 10).envelopes.map(\.envelope) == [
                envelope.bytes
            ])
        #expect(try await reopened.mailbox(mailbox.id) == mailbox)
    }

    @Test("the database holds only ciphertext: no plaintext, identity, prekey or address, in any kind of data")
    func onlyCiphertext() async throws {
        try await withStore { store, directory in
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
            let mailboxId = MailboxStoreConformance.random()
            let envelope = try SealedEnvelope.seal(
                message, certificate: SenderCertificate(selfSignedBy: alice.identity, expiresAt: .max),
                to: bob.sealingKey.publicKey, mailbox: mailboxId)
            try await store.createMailbox(
                MailboxRecord(
                    id: mailboxId, ownerKey: MailboxStoreConformance.random(),
                    depositKey: MailboxStoreConformance.random()),
                redeemingVoucher: MailboxStoreConformance.random(), now: 1_800_000_000)
            _ = try await store.deposit(
                envelope, digest: SealedEnvelope.digest(of: envelope), into: mailboxId, now: 1_800_000_123,
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
            let attachment = try SecretStream.encrypt(
                Array(attachmentMarker.utf8) + [UInt8](repeating: 0x20, count: 3000), key: SecretStream.generateKey())
            let blob = BlobRecord(
                id: MailboxStoreConformance.random(), uploadKeyDigest: MailboxStoreConformance.random(),
                size: attachment.count, chunkSize: 1024, downloads: 1, expiresAt: 1_800_003_600)
            try await store.createBlob(blob, totalBytes: 1 << 20)
            for index in 0..<blob.chunkCount {
                let start = index * blob.chunkSize
                _ = try await store.putChunk(
                    Array(attachment[start..<min(attachment.count, start + blob.chunkSize)]), index: index, of: blob.id)
            }
            // A roster whose content is sealed by the clients (the relay sees it signed, not read).
            let rosterMarker = "ROSTER-MARKER-expert"
            let roster = try SignedRoster(
                version: 1,
                content: try XChaCha20Poly1305.sealCombined(
                    Array(rosterMarker.utf8) + bob.identity.publicKey.encoded, key: SecureBytes.random(count: 32)),
                signedBy: Ed25519.PrivateKey())
            try await store.publishRoster(StoredRoster(version: 1, encoded: roster.encoded))

            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(files.contains("relay.sqlite") && files.contains("relay.sqlite-wal"))
            var stored: [UInt8] = []
            for file in files {
                stored += try [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))
            }
            #expect(stored.count > envelope.count)
            let forbidden: [(String, [UInt8])] = [
                ("plaintext marker", Array(marker.utf8)),
                ("sender signing key", alice.identity.publicKey.signingKey.rawRepresentation),
                ("sender agreement key", alice.identity.publicKey.agreementKey.rawRepresentation),
                ("recipient identity", bob.identity.publicKey.signingKey.rawRepresentation),
                ("recipient agreement key", bob.identity.publicKey.agreementKey.rawRepresentation),
                ("recipient signed prekey", bob.signedPrekey.publicKey.rawRepresentation),
                ("recipient one-time prekey", bob.oneTimePrekey.publicKey.rawRepresentation),
                ("recipient sealing key", Array(bob.sealingKey.publicKey.rawRepresentation.prefix(64))),
                ("recipient X-Wing prekey", Array(bob.oneTimePostQuantumPrekey.publicKey.rawRepresentation.prefix(64))),
                ("attachment marker", Array(attachmentMarker.utf8)),
                ("roster marker", Array(rosterMarker.utf8)),
                ("loopback address", Array("127.0.0.1".utf8)),
                ("exact arrival time", withUnsafeBytes(of: Int64(1_800_000_123).bigEndian) { Array($0) }),
            ]
            for (name, needle) in forbidden {
                // A Bool, so that a failure names what leaked rather than printing the files.
                let leaked = containsWindow(stored, needle)
                #expect(!leaked, "\(name) is in the database files")
            }
        }
    }

    @Test("acknowledged envelopes are gone from the files after a checkpoint")
    func acknowledgedEnvelopesAreWiped() async throws {
        try await withStore { store, directory in
            let conformance = MailboxStoreConformance(store: store)
            let mailbox = try await conformance.newMailbox()
            let envelope = MailboxStoreConformance.envelope(4096)
            _ = try await store.deposit(
                envelope.bytes, digest: envelope.digest, into: mailbox.id, now: conformance.now,
                quota: conformance.quota)
            try await store.checkpoint()
            func onDisk() throws -> [UInt8] {
                try FileManager.default.contentsOfDirectory(atPath: directory.path).reduce(into: []) {
                    $0 += try [UInt8](Data(contentsOf: directory.appendingPathComponent($1)))
                }
            }
            let sample = Array(envelope.bytes[1000..<1032])
            #expect(containsWindow(try onDisk(), sample))
            _ = try await store.acknowledge([envelope.digest], in: mailbox.id, expiredUnreadSeen: 0)
            try await store.checkpoint()
            #expect(!containsWindow(try onDisk(), sample))
        }
    }
}

func containsWindow(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, needle.count <= haystack.count else { return false }
    let first = needle[0]
    var index = 0
    while let found = haystack[index...].firstIndex(of: first) {
        if found + needle.count > haystack.count { return false }
        if haystack[found..<found + needle.count].elementsEqual(needle) { return true }
        index = found + 1
    }
    return false
}
