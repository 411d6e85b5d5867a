// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// The store for several relay instances on one PostgreSQL database (issue #9), through
/// postgres-nio. Same schema and guarantees as ``SQLiteMailboxStore``; the differences:
///
/// - **Concurrency between instances.** Every transaction that changes a mailbox's counts locks
///   its row first (`SELECT … FOR UPDATE`, in id order when there are several), so quota checks
///   and counts stay exact when instances deposit, acknowledge and purge at once. A deadlock or
///   serialisation failure the server reports is retried a few times; nothing is acknowledged
///   before a commit succeeds.
/// - **Group commit** as in SQLite, each batch in a handful of statements whatever its size
///   (arrays through `unnest`), committed with PostgreSQL's default `synchronous_commit = on`.
/// - **Push across instances.** The deposit transaction sends `NOTIFY amanat_deposit` with the
///   mailbox id; each instance `LISTEN`s (``followDeposits(_:)``) and wakes its own waiters, so a
///   deposit on instance A wakes a WebSocket on instance B. PostgreSQL delivers a notification only
///   when its transaction commits.
/// - **Purge** holds a transaction-scoped advisory lock, so when every instance runs it at once,
///   one purges and the others find nothing left.
/// - **Deleted rows.** PostgreSQL has no `secure_delete`: an acknowledged envelope's bytes stay in
///   a dead tuple until VACUUM reclaims the page and later writes reuse it. They are ciphertext;
///   deploy/README.md says what this means for a seized disk.
///
/// The client must be running (``run()``, a `Service`) for any call to proceed.
public final class PostgresMailboxStore: MailboxStore, Service {
    let client: PostgresClient
    let logger: Logger
    let committer: GroupCommitter

    /// The notification channel deposits announce themselves on.
    static let depositChannel = "amanat_deposit"
    /// Advisory lock keys (an arbitrary prefix, "amnt", and one number per purpose).
    static let migrationLock: Int64 = 0x616d_6e74_0000_0001
    static let purgeLock: Int64 = 0x616d_6e74_0000_0002
    static let blobSpaceLock: Int64 = 0x616d_6e74_0000_0003
    static let rosterLock: Int64 = 0x616d_6e74_0000_0004

    /// A store connecting to `url`. Nothing connects until ``run()`` runs and a call needs it.
    ///
    /// - Throws: ``RelaySetupError/invalidDatabaseURL(_:)`` if the TLS root file cannot be read.
    public init(url: PostgresDatabaseURL, maximumConnections: Int = 20, logger: Logger) throws(RelaySetupError) {
        var configuration = try url.clientConfiguration()
        configuration.options.maximumConnections = maximumConnections
        // postgres-nio logs queries at debug and trace: keep it to real problems whatever the
        // relay's level, so no statement or value can reach a log. (Its one warning, a call
        // waiting for a pool still starting, is harmless.)
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: quiet)
        let batchLogger = quiet
        self.client = client
        self.logger = quiet
        committer = GroupCommitter(logger: quiet, describe: Self.describe) { deposits in
            try await Self.transaction(client, batchLogger) { connection in
                try await Self.writeBatch(deposits, connection, batchLogger)
            }
        }
    }

    /// Runs the connection pool until cancelled or shut down gracefully.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.client.run() }
    }

    // MARK: - Schema

    /// The schema, one append-only migration per change (a list of statements), applied in order
    /// under an advisory lock so instances starting together do not race.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE mailboxes (
                id bytea PRIMARY KEY CHECK (length(id) = 32),
                owner_key bytea NOT NULL CHECK (length(owner_key) = 32),
                deposit_key bytea NOT NULL CHECK (length(deposit_key) = 32),
                envelope_count bigint NOT NULL DEFAULT 0 CHECK (envelope_count >= 0),
                envelope_bytes bigint NOT NULL DEFAULT 0 CHECK (envelope_bytes >= 0),
                expired_unread bigint NOT NULL DEFAULT 0 CHECK (expired_unread >= 0)
            )
            """,
            """
            CREATE TABLE envelopes (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                mailbox bytea NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
                digest bytea NOT NULL CHECK (length(digest) = 32),
                body bytea NOT NULL,
                arrived_hour bigint NOT NULL,
                UNIQUE (mailbox, digest)
            )
            """,
            """
            ALTER TABLE envelopes ALTER COLUMN body SET STORAGE EXTERNAL
            """,
            """
            CREATE INDEX envelopes_by_mailbox ON envelopes (mailbox, sequence)
            """,
            """
            CREATE INDEX envelopes_by_arrival ON envelopes (arrived_hour)
            """,
            """
            CREATE TABLE redeemed_vouchers (
                id bytea PRIMARY KEY CHECK (length(id) = 32)
            )
            """,
            """
            CREATE TABLE prekey_heads (
                mailbox bytea PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
                entry bytea NOT NULL
            )
            """,
            """
            CREATE TABLE one_time_prekeys (
                mailbox bytea NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
                pool smallint NOT NULL CHECK (pool IN (1, 2)),
                id bigint NOT NULL CHECK (id BETWEEN 0 AND 4294967295),
                entry bytea NOT NULL,
                PRIMARY KEY (mailbox, pool, id)
            )
            """,
            """
            CREATE TABLE blobs (
                id bytea PRIMARY KEY CHECK (length(id) = 32),
                upload_key_digest bytea NOT NULL CHECK (length(upload_key_digest) = 32),
                size bigint NOT NULL CHECK (size >= 0),
                chunk_size bigint NOT NULL CHECK (chunk_size > 0),
                downloads_left bigint NOT NULL CHECK (downloads_left >= 0),
                expires_at bigint NOT NULL
            )
            """,
            """
            CREATE INDEX blobs_by_expiry ON blobs (expires_at)
            """,
            """
            CREATE TABLE blob_chunks (
                blob bytea NOT NULL REFERENCES blobs(id) ON DELETE CASCADE,
                idx integer NOT NULL CHECK (idx >= 0),
                data bytea NOT NULL,
                PRIMARY KEY (blob, idx)
            )
            """,
            """
            ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL
            """,
            """
            CREATE TABLE roster (
                singleton smallint PRIMARY KEY CHECK (singleton = 1),
                version bigint NOT NULL,
                body bytea NOT NULL
            )
            """,
        ],
        // Download confirmations (SPEC.md §9.4): a blob created before keeps none, so it cannot
        // be confirmed and is deleted when its retention ends.
        [
            """
            ALTER TABLE blobs ADD COLUMN confirmations bytea NOT NULL DEFAULT ''::bytea
            """,
            """
            ALTER TABLE blobs ADD COLUMN confirmed bigint NOT NULL DEFAULT 0
            """,
        ],
        // Seizure orders (SPEC.md §8.8).
        [
            """
            ALTER TABLE mailboxes ADD COLUMN seizure_order bytea
            """
        ],
    ]

    /// Brings the schema of the database at `url` up to date, through a client of its own,
    /// giving up after `timeout`: what `amanat-relay serve` does before it listens.
    ///
    /// - Throws: ``RelaySetupError/databaseUnavailable``.
    public static func prepare(
        _ url: PostgresDatabaseURL, timeout: Duration = .seconds(30), logger: Logger
    ) async throws(RelaySetupError) {
        let store = try PostgresMailboxStore(url: url, maximumConnections: 1, logger: logger)
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await store.run()
                    return false
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw RelaySetupError.databaseUnavailable
                }
                group.addTask {
                    try await store.migrate()
                    return true
                }
                defer { group.cancelAll() }
                while let migrated = try await group.next() {
                    if migrated { return }
                }
            }
        } catch {
            store.logger.error("database unavailable at start", metadata: ["error": "\(describe(error))"])
            throw .databaseUnavailable
        }
    }

    /// Brings the schema up to date (the client must be running).
    ///
    /// - Throws: ``RelaySetupError/databaseUnavailable``.
    public func migrate() async throws(RelaySetupError) {
        do {
            try await Self.transaction(client, logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: self.logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS amanat_migrations (version integer PRIMARY KEY)", logger: self.logger)
                var applied = 0
                for try await version in try await connection.query(
                    "SELECT coalesce(max(version), 0)::integer FROM amanat_migrations", logger: self.logger
                ).decode(Int.self) {
                    applied = version
                }
                for (index, statements) in Self.migrations.enumerated() where index + 1 > applied {
                    // One statement per query: the extended protocol takes no more.
                    for sql in statements {
                        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: self.logger)
                    }
                    try await connection.query(
                        "INSERT INTO amanat_migrations (version) VALUES (\(index + 1))", logger: self.logger)
                }
            }
        } catch {
            logger.error("database migration failed", metadata: ["error": "\(Self.describe(error))"])
            throw .databaseUnavailable
        }
    }

    // MARK: - Mailboxes

    public func createMailbox(
        _ mailbox: MailboxRecord, redeemingVoucher voucherId: VoucherID, now: UInt64
    ) async throws(RelayError) {
        guard mailbox.ownerKey.count == 32, mailbox.depositKey.count == 32
        else { throw .invalidRequest }
        try await transaction { connection, logger in
            let redeemed = try await connection.query(
                "INSERT INTO redeemed_vouchers (id) VALUES (\(Self.bytea(voucherId))) ON CONFLICT DO NOTHING RETURNING 1",
                logger: logger
            ).count()
            guard redeemed == 1 else {
                // The same mailbox again is a repeated request whose answer was lost: the same
                // answer (the relay does not record which voucher made which mailbox).
                let same = try await connection.query(
                    """
                    SELECT 1 FROM mailboxes WHERE id = \(Self.bytea(mailbox.id))
                    AND owner_key = \(Self.bytea(mailbox.ownerKey)) AND deposit_key = \(Self.bytea(mailbox.depositKey))
                    """, logger: logger
                ).count()
                guard same == 1 else { throw RelayError.voucherAlreadyUsed }
                return
            }
            let created = try await connection.query(
                """
                INSERT INTO mailboxes (id, owner_key, deposit_key)
                VALUES (\(Self.bytea(mailbox.id)), \(Self.bytea(mailbox.ownerKey)), \(Self.bytea(mailbox.depositKey)))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger
            ).count()
            // Thrown inside the transaction: the voucher is not spent either.
            guard created == 1 else { throw RelayError.mailboxExists }
        }
    }

    public func mailbox(_ id: MailboxID) async throws(RelayError) -> MailboxRecord? {
        try await transaction { connection, logger in
            for try await (owner, deposit, order) in try await connection.query(
                "SELECT owner_key, deposit_key, seizure_order FROM mailboxes WHERE id = \(Self.bytea(id))",
                logger: logger
            ).decode((ByteBuffer, ByteBuffer, ByteBuffer?).self) {
                return MailboxRecord(
                    id: id, ownerKey: Self.bytes(owner), depositKey: Self.bytes(deposit),
                    seizureOrder: order.map(Self.bytes))
            }
            return nil
        }
    }

    public func rotateDepositKey(of mailbox: MailboxID, to depositKey: [UInt8]) async throws(RelayError) {
        guard depositKey.count == 32 else { throw .invalidRequest }
        try await transaction { connection, logger in
            let updated = try await connection.query(
                """
                UPDATE mailboxes SET deposit_key = \(Self.bytea(depositKey)) WHERE id = \(Self.bytea(mailbox))
                RETURNING 1
                """, logger: logger
            ).count()
            guard updated == 1 else { throw RelayError.unknownMailbox }
        }
    }

    public func freeze(_ mailbox: MailboxID, order: [UInt8], depositKey: [UInt8]) async throws(RelayError) -> Bool {
        guard depositKey.count == 32 else { throw .invalidRequest }
        return try await transaction { connection, logger in
            var found = false
            var frozen = false
            for try await existing in try await connection.query(
                "SELECT seizure_order FROM mailboxes WHERE id = \(Self.bytea(mailbox)) FOR UPDATE", logger: logger
            ).decode(ByteBuffer?.self) {
                found = true
                frozen = existing != nil
            }
            guard found else { throw RelayError.unknownMailbox }
            guard !frozen else { return false }
            try await connection.query(
                "DELETE FROM envelopes WHERE mailbox = \(Self.bytea(mailbox))", logger: logger)
            try await connection.query(
                "DELETE FROM prekey_heads WHERE mailbox = \(Self.bytea(mailbox))", logger: logger)
            try await connection.query(
                "DELETE FROM one_time_prekeys WHERE mailbox = \(Self.bytea(mailbox))", logger: logger)
            try await connection.query(
                """
                UPDATE mailboxes SET seizure_order = \(Self.bytea(order)), deposit_key = \(Self.bytea(depositKey)),
                    envelope_count = 0, envelope_bytes = 0
                WHERE id = \(Self.bytea(mailbox))
                """, logger: logger)
            return true
        }
    }

    // MARK: - Deposits

    public func deposit(
        _ envelope: [UInt8], digest: EnvelopeDigest, into mailbox: MailboxID, token: DepositTokenValue, now: UInt64,
        quota: MailboxQuota
    ) async throws(RelayError) -> DepositOutcome {
        try await committer.deposit(envelope, digest: digest, into: mailbox, token: token, now: now, quota: quota)
    }

    /// One group-commit batch, inside its transaction: lock the batch's mailboxes in id order,
    /// find which envelopes are there already, decide every deposit (``DepositBatch``), then
    /// insert the new ones, write back the counts and announce the mailboxes, each in one statement.
    static func writeBatch(
        _ deposits: [PendingDeposit], _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [Result<DepositOutcome, RelayError>] {
        let mailboxes = Array(Set(deposits.map(\.mailbox)))
        var usage: [MailboxID: MailboxUsage] = [:]
        for try await (id, key, count, size) in try await connection.query(
            """
            SELECT id, deposit_key, envelope_count, envelope_bytes FROM mailboxes
            WHERE id = ANY(\(mailboxes.map(bytea))) ORDER BY id FOR UPDATE
            """, logger: logger
        ).decode((ByteBuffer, ByteBuffer, Int64, Int64).self) {
            usage[try MailboxID(stored: bytes(id))] = MailboxUsage(
                depositKey: SecureBytes(copying: bytes(key)), count: Int(count), bytes: Int(size))
        }
        var existing: [StoredEnvelopeKey: Int64] = [:]
        let known = deposits.filter { usage[$0.mailbox] != nil }
        if !known.isEmpty {
            for try await (mailbox, digest, sequence) in try await connection.query(
                """
                SELECT e.mailbox, e.digest, e.sequence FROM envelopes e
                JOIN unnest(\(known.map { bytea($0.mailbox) }), \(known.map { bytea($0.digest) })) AS d(mailbox, digest)
                    ON e.mailbox = d.mailbox AND e.digest = d.digest
                """, logger: logger
            ).decode((ByteBuffer, ByteBuffer, Int64).self) {
                existing[try StoredEnvelopeKey(stored: bytes(mailbox), bytes(digest))] = sequence
            }
        }
        let batch = DepositBatch(deposits, mailboxes: usage, stored: existing)
        var stored: [StoredEnvelopeKey: Int64] = [:]
        if !batch.inserts.isEmpty {
            let rows = batch.inserts
            for try await (mailbox, digest, sequence) in try await connection.query(
                """
                INSERT INTO envelopes (mailbox, digest, body, arrived_hour)
                SELECT * FROM unnest(\(rows.map { bytea($0.mailbox) }), \(rows.map { bytea($0.digest) }),
                    \(rows.map { bytea($0.envelope) }), \(rows.map { Int64($0.now - $0.now % 3600) }))
                RETURNING mailbox, digest, sequence
                """, logger: logger
            ).decode((ByteBuffer, ByteBuffer, Int64).self) {
                stored[try StoredEnvelopeKey(stored: bytes(mailbox), bytes(digest))] = sequence
            }
            let changed = batch.changedUsage
            try await connection.query(
                """
                UPDATE mailboxes SET envelope_count = u.count, envelope_bytes = u.bytes
                FROM unnest(\(changed.keys.map(bytea)), \(changed.values.map { Int64($0.count) }),
                    \(changed.values.map { Int64($0.bytes) })) AS u(id, count, bytes)
                WHERE mailboxes.id = u.id
                """, logger: logger)
            // Delivered to listeners only when this transaction commits.
            try await connection.query(
                """
                SELECT pg_notify(\(depositChannel), encode(m, 'hex'))
                FROM unnest(\(changed.keys.map(bytea))) AS m
                """, logger: logger)
        }
        return batch.outcomes(sequences: stored)
    }

    // MARK: - Fetch, acknowledge, purge

    public func fetch(
        from mailbox: MailboxID, after cursor: Int64, limit: Int, maximumBytes: Int
    ) async throws(RelayError) -> FetchResult {
        guard limit > 0, maximumBytes > 0 else { throw .invalidRequest }
        return try await transaction { connection, logger in
            var expired: Int?
            for try await count in try await connection.query(
                "SELECT expired_unread FROM mailboxes WHERE id = \(Self.bytea(mailbox))", logger: logger
            ).decode(Int64.self) {
                expired = Int(count)
            }
            guard let expired else { throw RelayError.unknownMailbox }
            var envelopes: [StoredEnvelope] = []
            var total = 0
            for try await (sequence, digest, body, hour) in try await connection.query(
                """
                SELECT sequence, digest, body, arrived_hour FROM envelopes
                WHERE mailbox = \(Self.bytea(mailbox)) AND sequence > \(cursor) ORDER BY sequence LIMIT \(limit)
                """, logger: logger
            ).decode((Int64, ByteBuffer, ByteBuffer, Int64).self) {
                total += body.readableBytes
                if total > maximumBytes && !envelopes.isEmpty { break }
                envelopes.append(
                    StoredEnvelope(
                        sequence: sequence, digest: try EnvelopeDigest(stored: Self.bytes(digest)),
                        envelope: Self.bytes(body),
                        arrivedHour: UInt64(max(0, hour))))
            }
            return FetchResult(envelopes: envelopes, expiredUnread: expired)
        }
    }

    public func acknowledge(
        _ digests: [EnvelopeDigest], in mailbox: MailboxID, expiredUnreadSeen: Int
    ) async throws(RelayError) -> Int {
        guard expiredUnreadSeen >= 0 else { throw .invalidRequest }
        return try await transaction { connection, logger in
            try await Self.lockMailbox(mailbox, connection, logger)
            var deleted = 0
            var bytes: Int64 = 0
            for try await size in try await connection.query(
                """
                DELETE FROM envelopes WHERE mailbox = \(Self.bytea(mailbox)) AND digest = ANY(\(digests.map { Self.bytea($0) }))
                RETURNING length(body)::bigint
                """, logger: logger
            ).decode(Int64.self) {
                deleted += 1
                bytes += size
            }
            try await connection.query(
                """
                UPDATE mailboxes SET envelope_count = envelope_count - \(Int64(deleted)),
                    envelope_bytes = envelope_bytes - \(bytes),
                    expired_unread = greatest(0, expired_unread - \(Int64(expiredUnreadSeen)))
                WHERE id = \(Self.bytea(mailbox))
                """, logger: logger)
            return deleted
        }
    }

    public func purge(arrivedBefore cutoff: UInt64) async throws(RelayError) -> Int {
        // As in SQLite: an envelope goes only once its whole arrival hour is before the cutoff.
        let lastHour = Int64(clamping: cutoff) - 3600
        return try await transaction { connection, logger in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.purgeLock))", logger: logger)
            var purged = 0
            for try await count in try await connection.query(
                """
                WITH gone AS (
                    DELETE FROM envelopes WHERE arrived_hour <= \(lastHour) RETURNING mailbox, length(body) AS bytes
                ), stats AS (
                    SELECT mailbox, count(*) AS count, sum(bytes) AS bytes FROM gone GROUP BY mailbox
                ), counted AS (
                    UPDATE mailboxes SET expired_unread = expired_unread + stats.count,
                        envelope_count = envelope_count - stats.count, envelope_bytes = envelope_bytes - stats.bytes
                    FROM stats WHERE mailboxes.id = stats.mailbox RETURNING 1
                )
                SELECT coalesce(sum(count), 0)::bigint FROM stats
                """, logger: logger
            ).decode(Int64.self) {
                purged = Int(count)
            }
            return purged
        }
    }

    // MARK: - Push across instances

    /// Listens for deposits committed by any instance and calls `deposited` with each mailbox;
    /// after a lost connection it reconnects and calls `deposited(nil)` (anything may have been
    /// missed meanwhile). Returns when cancelled or shut down gracefully.
    /// Dead rows are autovacuum's: nothing to do after a purge.
    public func checkpoint() async throws(RelayError) {}

    public func followDeposits(_ deposited: @escaping @Sendable (MailboxID?) -> Void) async {
        var delay = Duration.milliseconds(250)
        var reconnecting = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let started = ContinuousClock.now
            let missedNews = reconnecting
            do {
                try await cancelWhenGracefulShutdown {
                    try await self.client.withConnection { connection in
                        try await connection.listen(on: Self.depositChannel) { notifications in
                            if missedNews { deposited(nil) }
                            for try await notification in notifications {
                                if let id = Self.mailbox(notified: notification.payload) { deposited(id) }
                            }
                        }
                    }
                }
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                logger.error(
                    "deposit notifications interrupted; reconnecting", metadata: ["error": "\(Self.describe(error))"])
            }
            reconnecting = true
            // A connection that held for a while starts the back-off afresh.
            delay = ContinuousClock.now - started > .seconds(30) ? .milliseconds(250) : min(delay * 2, .seconds(10))
            let pause = delay
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }

    /// A notification's mailbox id: 64 hex digits.
    static func mailbox(notified text: String) -> MailboxID? {
        Hex.decode(text).flatMap(MailboxID.init)
    }

    // MARK: - Helpers

    static func bytea(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
    static func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

    /// Locks the mailbox's row for this transaction.
    ///
    /// - Throws: ``RelayError/unknownMailbox`` if there is none.
    static func lockMailbox(_ mailbox: MailboxID, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let found = try await connection.query(
            "SELECT 1 FROM mailboxes WHERE id = \(bytea(mailbox)) FOR UPDATE", logger: logger
        ).count()
        guard found == 1 else { throw RelayError.unknownMailbox }
    }

    /// Runs `body` in a transaction on one pooled connection.
    func transaction<Value: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Value
    ) async throws(RelayError) -> Value {
        let logger = logger
        return try await Self.transaction(client, logger) { connection in try await body(connection, logger) }
    }

    /// Runs `body` between BEGIN and COMMIT, again (up to five times in all) when PostgreSQL
    /// reports a deadlock or serialisation failure. A ``RelayError`` from `body` rolls back and is
    /// thrown as it is; any other failure, including a COMMIT whose outcome is unknown, is
    /// ``RelayError/storageFailure``, and the client's retry is idempotent.
    static func transaction<Value: Sendable>(
        _ client: PostgresClient, _ logger: Logger,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws(RelayError) -> Value {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        let value = try await body(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error as RelayError {
                throw error
            } catch let error as PSQLError where attempt < 5 && isTransient(error) {
                try? await Task.sleep(for: .milliseconds(Int.random(in: 1...20) * attempt))
                continue
            } catch {
                logger.error("database transaction failed", metadata: ["error": "\(describe(error))"])
                throw .storageFailure
            }
        }
    }

    /// Deadlock detected, serialisation failure: worth trying again.
    static func isTransient(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// What may be logged of a database error: its kind and SQLSTATE, never a statement or value.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(type(of: error))" }
        return "\(error.code) \(error.serverInfo?[.sqlState] ?? "")"
    }
}

extension PostgresRowSequence {
    /// How many rows the statement returned (reading them all).
    func count() async throws -> Int {
        var count = 0
        for try await _ in self { count += 1 }
        return count
    }
}
