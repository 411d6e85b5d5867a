// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatTestSupport
import Foundation
import Testing

@testable import AmanatRelay

/// What only the PostgreSQL store can show (several instances on one database, pg_dump); the
/// conformance suite runs for it in ``MailboxStoreConformanceTests``.
@Suite("PostgreSQL mailbox store", .enabled(if: PostgresTestDatabase.enabled))
struct PostgresMailboxStoreTests {}

extension PostgresMailboxStoreTests {
    @Test("the database holds only ciphertext: nothing known appears in a full pg_dump")
    func onlyCiphertext() async throws {
        try await PostgresTestDatabase.withDatabase { url in
            let store = try PostgresMailboxStore(url: try PostgresDatabaseURL(url), logger: PostgresTestDatabase.logger)
            let known = try await PostgresTestDatabase.running(store) {
                try await store.migrate()
                return try await MailboxStoreConformance(store: store).storeKnownData()
            }
            let dump = try await runTool("/usr/bin/pg_dump", ["--data-only", "--no-owner", url])
            try #require(dump.status == 0, "\(dump)")
            #expect(dump.output.utf8.count > 2 * known.envelopeBytes)
            // bytea is dumped as hex; numbers as decimal text.
            let text = Array(dump.output.utf8)
            for (name, needle) in known.forbidden {
                let hex = Hex.encode(needle)
                let leaked = containsWindow(text, needle) || containsWindow(text, Array(hex.utf8))
                #expect(!leaked, "\(name) is in the database")
            }
            #expect(!dump.output.contains("1800000123"), "the exact arrival time is in the database")
        }
    }

    @Test("two stores on one database: deposits stay exact under the quota, no deadlock, purges count once")
    func twoInstances() async throws {
        try await PostgresTestDatabase.withDatabase { url in
            let first = try PostgresMailboxStore(url: try PostgresDatabaseURL(url), logger: PostgresTestDatabase.logger)
            let second = try PostgresMailboxStore(
                url: try PostgresDatabaseURL(url), logger: PostgresTestDatabase.logger)
            try await PostgresTestDatabase.running(first, second) {
                try await first.migrate()
                try await second.migrate()
                let conformance = MailboxStoreConformance(store: first)
                // Three mailboxes, deposits through both instances into all of them at once, each
                // mailbox with room for 30 of its 50: the batches lock several mailboxes in
                // different mixes, which deadlocks unless the locks are taken in one order.
                let mailboxes = try await [
                    conformance.newMailbox(), conformance.newMailbox(), conformance.newMailbox(),
                ]
                let quota = MailboxQuota(maximumEnvelopes: 30, maximumBytes: 1 << 24)
                let deposits = (0..<150).map { index in
                    (mailbox: mailboxes[index % 3].id, envelope: MailboxStoreConformance.envelope(600))
                }
                let results = await withTaskGroup(of: Result<DepositOutcome, RelayError>.self) { group in
                    for (index, deposit) in deposits.enumerated() {
                        let store: any MailboxStore = index % 2 == 0 ? first : second
                        group.addTask {
                            do throws(RelayError) {
                                return .success(
                                    try await store.deposit(
                                        deposit.envelope.bytes, digest: deposit.envelope.digest, into: deposit.mailbox,
                                        now: conformance.now, quota: quota))
                            } catch {
                                return .failure(error)
                            }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                #expect(results.filter { (try? $0.get()) != nil }.count == 90)
                #expect(results.filter { $0 == .failure(.mailboxFull) }.count == 60)
                for mailbox in mailboxes {
                    let page = try await second.fetch(from: mailbox.id, after: 0, limit: 100)
                    #expect(page.envelopes.count == 30)
                }
                // Both instances purge at once: every envelope is counted expired exactly once.
                let purged = try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask { try await first.purge(arrivedBefore: conformance.now + 7200) }
                    group.addTask { try await second.purge(arrivedBefore: conformance.now + 7200) }
                    return try await group.reduce(0, +)
                }
                #expect(purged == 90)
                for mailbox in mailboxes {
                    #expect(try await first.fetch(from: mailbox.id, after: 0, limit: 100).expiredUnread == 30)
                }
            }
        }
    }

    @Test("a deposit through one store is announced to another store's listener")
    func depositNotifications() async throws {
        try await PostgresTestDatabase.withDatabase { url in
            let depositor = try PostgresMailboxStore(
                url: try PostgresDatabaseURL(url), logger: PostgresTestDatabase.logger)
            let listener = try PostgresMailboxStore(
                url: try PostgresDatabaseURL(url), logger: PostgresTestDatabase.logger)
            try await PostgresTestDatabase.running(depositor, listener) {
                try await depositor.migrate()
                let conformance = MailboxStoreConformance(store: depositor)
                let mailbox = try await conformance.newMailbox()
                let (announced, continuation) = AsyncStream<MailboxID?>.makeStream()
                let following = Task { await listener.followDeposits { continuation.yield($0) } }
                defer { following.cancel() }
                // Deposit until the listener has subscribed and hears one (LISTEN is asynchronous).
                let heard = try await withThrowingTaskGroup(of: MailboxID?.self) { group in
                    group.addTask {
                        for await id in announced { return id }
                        return nil
                    }
                    group.addTask {
                        for _ in 0..<100 {
                            let envelope = MailboxStoreConformance.envelope(300)
                            _ = try await depositor.deposit(
                                envelope.bytes, digest: envelope.digest, into: mailbox.id, now: conformance.now,
                                quota: MailboxQuota(maximumEnvelopes: 1000, maximumBytes: 1 << 24))
                            try await Task.sleep(for: .milliseconds(100))
                        }
                        return nil
                    }
                    defer { group.cancelAll() }
                    return try await group.next() ?? nil
                }
                #expect(heard == mailbox.id)
            }
        }
    }

    @Test("database URLs: TLS required off loopback, no unverified TLS, password never shown")
    func databaseURLs() throws {
        let local = try PostgresDatabaseURL("postgres://relay:s3cret-pw@127.0.0.1:5433/amanat")
        #expect(local.security == .disable && local.port == 5433 && local.database == "amanat")
        #expect(!local.description.contains("s3cret-pw") && local.description.contains("relay@127.0.0.1:5433"))
        let remote = try PostgresDatabaseURL("postgresql://relay:pw@db.example.org/amanat")
        #expect(remote.security == .verifyFull(rootCertificate: nil))
        let socket = try PostgresDatabaseURL("postgres://relay@/amanat?host=/run/postgresql")
        #expect(socket.socketDirectory == "/run/postgresql" && socket.host == nil && socket.security == .disable)
        #expect(try PostgresDatabaseURL("postgres://relay@/amanat?host=/run/postgresql&port=5433").port == 5433)
        #expect(throws: RelaySetupError.databaseWithoutTLS("db.example.org")) {
            try PostgresDatabaseURL("postgres://relay:pw@db.example.org/amanat?sslmode=disable")
        }
        for bad in [
            "mysql://relay@localhost/amanat", "postgres://localhost/amanat", "postgres://relay@/amanat",
            "postgres://relay@db.example.org/amanat?sslmode=require", "postgres://relay@localhost/a?unknown=1",
            "postgres://relay@localhost/amanat?host=relative",
        ] {
            #expect(throws: RelaySetupError.self, "\(bad)") { try PostgresDatabaseURL(bad) }
            do {
                _ = try PostgresDatabaseURL(bad)
            } catch {
                #expect(!"\(error)".contains("pw"))
            }
        }
    }
}
