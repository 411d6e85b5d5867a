// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatProtocolVectors
import Foundation
import GRDB
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

    @Test("the database and its WAL files are readable by the relay's user only (0600)")
    func fileModes() async throws {
        try await withStore { store, directory in
            try await MailboxStoreConformance(store: store).mailboxes()
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
                $0.hasPrefix("relay.sqlite")
            }
            #expect(names.count >= 2, "\(names)")
            for name in names {
                let attributes = try FileManager.default.attributesOfItem(
                    atPath: directory.appendingPathComponent(name).path)
                #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(name)")
            }
        }
    }

    @Test(
        "a blob stored before download confirmations existed survives the upgrade, cannot be confirmed by anyone, and goes at its expiry"
    )
    func blobFromBeforeConfirmations() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("relay.sqlite").path
        let id = BlobID.random()
        let chunk = SecureRandom.bytes(count: 100)
        do {
            let old = try DatabaseQueue(path: path)
            try SQLiteMailboxStore.migrator.migrate(old, upTo: "v2: prekey directory, blobs, roster")
            try await old.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO blobs (id, upload_key_digest, size, chunk_size, downloads_left, expires_at)
                        VALUES (?, ?, 100, 1000, 2, 1800003600)
                        """, arguments: [Data(id), Data(SecureRandom.bytes(count: 32))])
                try db.execute(
                    sql: "INSERT INTO blob_chunks (blob, idx, data) VALUES (?, 0, ?)",
                    arguments: [Data(id), Data(chunk)])
            }
            try old.close()
        }
        let store = try SQLiteMailboxStore(path: path)
        let status = try #require(try await store.blob(id))
        #expect(status.isComplete && status.downloadsLeft == 2 && status.record.confirmations.isEmpty)
        #expect(try await store.chunk(0, of: id) == chunk)
        for _ in 0..<3 {
            await #expect(throws: RelayError.badConfirmation) {
                try await store.confirmDownload(of: id, presenting: SecureRandom.bytes(count: 32))
            }
        }
        #expect(try await store.blob(id)?.downloadsLeft == 2)
        #expect(try await store.purgeBlobs(expiredAt: 1_800_003_600) == 1)
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
                                into: .random(), now: conformance.now, quota: quota))
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
            let known = try await MailboxStoreConformance(store: store).storeKnownData()
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(files.contains("relay.sqlite") && files.contains("relay.sqlite-wal"))
            var stored: [UInt8] = []
            for file in files {
                stored += try [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))
            }
            #expect(stored.count > known.envelopeBytes)
            for (name, needle) in known.forbidden {
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
