// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

/// The zero-setup store: one SQLite file in the relay's data directory, through GRDB.
///
/// WAL journal with `synchronous = FULL`, so a transaction that returned is on disk before the
/// relay answers "stored"; `secure_delete`, so acknowledged and purged envelopes are overwritten
/// rather than left in free pages of a seized disk. Arrival times are kept to the hour only.
public struct SQLiteMailboxStore: MailboxStore {
    private let database: DatabasePool
    let committer: GroupCommitter

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// - Throws: ``RelayError/storageFailure`` if the file cannot be opened or migrated.
    public init(path: String) throws(RelayError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
            if !db.configuration.readonly {
                // The writer's page cache: 16 MiB instead of SQLite's 2 MiB keeps the pages of the
                // (mailbox, digest) index that random digests touch in memory (deposits +2-6 % in A/B runs here).
                try db.execute(sql: "PRAGMA cache_size = -16384")
            }
        }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
            // Only the relay's user reads its database (SQLite gives the WAL files the main
            // file's mode); the data directory is 0700 too, but a copied file keeps its mode.
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                chmod(path + suffix, 0o600)
            }
            committer = GroupCommitter(describe: Self.describe) { [database] deposits in
                try await database.write { db in try Self.writeBatch(deposits, db) }
            }
        } catch {
            throw .storageFailure
        }
    }

    /// The schema, one append-only migration per change: a shipped migration is never edited.
    /// An error as a log may show it: its SQLite result code, never the statement or a value.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(type(of: error))" }
        return "SQLite \(error.resultCode)"
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE mailboxes (
                        id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 32),
                        owner_key BLOB NOT NULL CHECK (length(owner_key) = 32),
                        deposit_key BLOB NOT NULL CHECK (length(deposit_key) = 32),
                        envelope_count INTEGER NOT NULL DEFAULT 0 CHECK (envelope_count >= 0),
                        envelope_bytes INTEGER NOT NULL DEFAULT 0 CHECK (envelope_bytes >= 0),
                        expired_unread INTEGER NOT NULL DEFAULT 0 CHECK (expired_unread >= 0)
                    ) WITHOUT ROWID;
                    CREATE TABLE envelopes (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        mailbox BLOB NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
                        digest BLOB NOT NULL CHECK (length(digest) = 32),
                        body BLOB NOT NULL,
                        arrived_hour INTEGER NOT NULL,
                        UNIQUE (mailbox, digest)
                    );
                    CREATE INDEX envelopes_by_arrival ON envelopes(arrived_hour);
                    CREATE TABLE redeemed_vouchers (
                        id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 32)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2: prekey directory, blobs, roster") { db in
            try db.execute(
                sql: """
                    CREATE TABLE prekey_heads (
                        mailbox BLOB PRIMARY KEY NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
                        entry BLOB NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE one_time_prekeys (
                        mailbox BLOB NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
                        pool INTEGER NOT NULL CHECK (pool IN (1, 2)),
                        id INTEGER NOT NULL CHECK (id BETWEEN 0 AND 4294967295),
                        entry BLOB NOT NULL,
                        PRIMARY KEY (mailbox, pool, id)
                    ) WITHOUT ROWID;
                    CREATE TABLE blobs (
                        id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 32),
                        upload_key_digest BLOB NOT NULL CHECK (length(upload_key_digest) = 32),
                        size INTEGER NOT NULL CHECK (size >= 0),
                        chunk_size INTEGER NOT NULL CHECK (chunk_size > 0),
                        downloads_left INTEGER NOT NULL CHECK (downloads_left >= 0),
                        expires_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX blobs_by_expiry ON blobs(expires_at);
                    CREATE TABLE blob_chunks (
                        blob BLOB NOT NULL REFERENCES blobs(id) ON DELETE CASCADE,
                        idx INTEGER NOT NULL CHECK (idx >= 0),
                        data BLOB NOT NULL,
                        UNIQUE (blob, idx)
                    );
                    CREATE TABLE roster (
                        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                        version INTEGER NOT NULL,
                        body BLOB NOT NULL
                    );
                    """)
        }
        // Download confirmations (SPEC.md §9.4): a blob created before keeps none, so it cannot
        // be confirmed and is deleted when its retention ends.
        migrator.registerMigration("v3: blob download confirmations") { db in
            try db.execute(
                sql: """
                    ALTER TABLE blobs ADD COLUMN confirmations BLOB NOT NULL DEFAULT x'';
                    ALTER TABLE blobs ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        migrator.registerMigration("v4: seizure orders") { db in
            try db.execute(sql: "ALTER TABLE mailboxes ADD COLUMN seizure_order BLOB")
        }
        return migrator
    }

    // MARK: - MailboxStore

    public func createMailbox(
        _ mailbox: MailboxRecord, redeemingVoucher voucherId: VoucherID, now: UInt64
    ) async throws(RelayError) {
        guard mailbox.ownerKey.count == 32, mailbox.depositKey.count == 32
        else { throw .invalidRequest }
        try await write { db in
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM redeemed_vouchers WHERE id = ?", arguments: [Data(voucherId)])
                != nil
            {
                // The same mailbox again is a repeated request whose answer was lost: the same
                // answer (the relay does not record which voucher made which mailbox).
                let same = try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM mailboxes WHERE id = ? AND owner_key = ? AND deposit_key = ?",
                    arguments: [Data(mailbox.id), Data(mailbox.ownerKey), Data(mailbox.depositKey)])
                guard same != nil else { throw RelayError.voucherAlreadyUsed }
                return
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM mailboxes WHERE id = ?", arguments: [Data(mailbox.id)]) != nil
            {
                throw RelayError.mailboxExists
            }
            try db.execute(sql: "INSERT INTO redeemed_vouchers (id) VALUES (?)", arguments: [Data(voucherId)])
            try db.execute(
                sql: "INSERT INTO mailboxes (id, owner_key, deposit_key) VALUES (?, ?, ?)",
                arguments: [Data(mailbox.id), Data(mailbox.ownerKey), Data(mailbox.depositKey)])
        }
    }

    public func mailbox(_ id: MailboxID) async throws(RelayError) -> MailboxRecord? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT owner_key, deposit_key, seizure_order FROM mailboxes WHERE id = ?",
                arguments: [Data(id)]
            )
            .map { row in
                MailboxRecord(
                    id: id, ownerKey: Array(row["owner_key"] as Data), depositKey: Array(row["deposit_key"] as Data),
                    seizureOrder: (row["seizure_order"] as Data?).map(Array.init))
            }
        }
    }

    public func rotateDepositKey(of mailbox: MailboxID, to depositKey: [UInt8]) async throws(RelayError) {
        guard depositKey.count == 32 else { throw .invalidRequest }
        try await write { db in
            try db.execute(
                sql: "UPDATE mailboxes SET deposit_key = ? WHERE id = ?", arguments: [Data(depositKey), Data(mailbox)])
            guard db.changesCount == 1 else { throw RelayError.unknownMailbox }
        }
    }

    public func freeze(_ mailbox: MailboxID, order: [UInt8], depositKey: [UInt8]) async throws(RelayError) -> Bool {
        guard depositKey.count == 32 else { throw .invalidRequest }
        let frozen = try await write { db in
            guard
                let current = try Row.fetchOne(
                    db, sql: "SELECT seizure_order FROM mailboxes WHERE id = ?", arguments: [Data(mailbox)])
            else { throw RelayError.unknownMailbox }
            guard (current["seizure_order"] as Data?) == nil else { return false }
            try db.execute(sql: "DELETE FROM envelopes WHERE mailbox = ?", arguments: [Data(mailbox)])
            try db.execute(sql: "DELETE FROM prekey_heads WHERE mailbox = ?", arguments: [Data(mailbox)])
            try db.execute(sql: "DELETE FROM one_time_prekeys WHERE mailbox = ?", arguments: [Data(mailbox)])
            try db.execute(
                sql: """
                    UPDATE mailboxes SET seizure_order = ?, deposit_key = ?, envelope_count = 0, envelope_bytes = 0
                    WHERE id = ?
                    """, arguments: [Data(order), Data(depositKey), Data(mailbox)])
            return true
        }
        // The deleted envelopes leave the write-ahead log too (secure_delete overwrote them in
        // the database pages), as after a purge.
        if frozen { try await checkpoint() }
        return frozen
    }

    public func deposit(
        _ envelope: [UInt8], digest: EnvelopeDigest, into mailbox: MailboxID, token: DepositTokenValue, now: UInt64,
        quota: MailboxQuota
    ) async throws(RelayError) -> DepositOutcome {
        try await committer.deposit(envelope, digest: digest, into: mailbox, token: token, now: now, quota: quota)
    }

    /// One group-commit batch, inside its transaction: load the batch's mailboxes and which of
    /// its envelopes are there already, decide every deposit (``DepositBatch``), then insert the
    /// new ones and write back the counts.
    static func writeBatch(_ deposits: [PendingDeposit], _ db: Database) throws -> [Result<DepositOutcome, RelayError>]
    {
        // Cached statements: parsed once per connection, not once per deposit.
        var usage: [MailboxID: MailboxUsage] = [:]
        for mailbox in Set(deposits.map(\.mailbox)) {
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT deposit_key, envelope_count, envelope_bytes FROM mailboxes WHERE id = ?"),
                    arguments: [Data(mailbox)])
            else { continue }
            usage[mailbox] = MailboxUsage(
                depositKey: SecureBytes(copying: Array(row["deposit_key"] as Data)), count: row["envelope_count"],
                bytes: row["envelope_bytes"])
        }
        var existing: [StoredEnvelopeKey: Int64] = [:]
        for deposit in deposits where usage[deposit.mailbox] != nil {
            let key = StoredEnvelopeKey(mailbox: deposit.mailbox, digest: deposit.digest)
            guard existing[key] == nil,
                let sequence = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT sequence FROM envelopes WHERE mailbox = ? AND digest = ?"),
                    arguments: [Data(deposit.mailbox), Data(deposit.digest)])
            else { continue }
            existing[key] = sequence
        }
        let batch = DepositBatch(deposits, mailboxes: usage, stored: existing)
        var stored: [StoredEnvelopeKey: Int64] = [:]
        for deposit in batch.inserts {
            stored[StoredEnvelopeKey(mailbox: deposit.mailbox, digest: deposit.digest)] = try Int64.fetchOne(
                db.cachedStatement(
                    sql: """
                        INSERT INTO envelopes (mailbox, digest, body, arrived_hour) VALUES (?, ?, ?, ?)
                        RETURNING sequence
                        """),
                arguments: [
                    Data(deposit.mailbox), Data(deposit.digest), Data(deposit.envelope),
                    Int64(deposit.now - deposit.now % 3600),
                ])
        }
        for (mailbox, usage) in batch.changedUsage {
            try db.cachedStatement(sql: "UPDATE mailboxes SET envelope_count = ?, envelope_bytes = ? WHERE id = ?")
                .execute(arguments: [usage.count, usage.bytes, Data(mailbox)])
        }
        return batch.outcomes(sequences: stored)
    }

    public func fetch(
        from mailbox: MailboxID, after cursor: Int64, limit: Int, maximumBytes: Int
    ) async throws(RelayError) -> FetchResult {
        guard limit > 0, maximumBytes > 0 else { throw .invalidRequest }
        return try await read { db in
            guard
                let expired = try Int.fetchOne(
                    db, sql: "SELECT expired_unread FROM mailboxes WHERE id = ?", arguments: [Data(mailbox)])
            else { throw RelayError.unknownMailbox }
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT sequence, digest, body, arrived_hour FROM envelopes
                    WHERE mailbox = ? AND sequence > ? ORDER BY sequence LIMIT ?
                    """,
                arguments: [Data(mailbox), cursor, limit])
            var envelopes: [StoredEnvelope] = []
            var bytes = 0
            while let row = try rows.next() {
                let body: Data = row["body"]
                bytes += body.count
                if bytes > maximumBytes && !envelopes.isEmpty { break }
                envelopes.append(
                    StoredEnvelope(
                        sequence: row["sequence"], digest: try EnvelopeDigest(stored: Array(row["digest"] as Data)),
                        envelope: Array(body),
                        arrivedHour: UInt64(row["arrived_hour"] as Int64)))
            }
            return FetchResult(envelopes: envelopes, expiredUnread: expired)
        }
    }

    public func acknowledge(
        _ digests: [EnvelopeDigest], in mailbox: MailboxID, expiredUnreadSeen: Int
    ) async throws(RelayError) -> Int {
        guard expiredUnreadSeen >= 0 else { throw .invalidRequest }
        return try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM mailboxes WHERE id = ?", arguments: [Data(mailbox)]) != nil
            else { throw RelayError.unknownMailbox }
            var deleted = 0
            var bytes = 0
            for digest in digests {
                if let size = try Int.fetchOne(
                    db, sql: "DELETE FROM envelopes WHERE mailbox = ? AND digest = ? RETURNING length(body)",
                    arguments: [Data(mailbox), Data(digest)])
                {
                    deleted += 1
                    bytes += size
                }
            }
            try db.execute(
                sql: """
                    UPDATE mailboxes SET envelope_count = envelope_count - ?, envelope_bytes = envelope_bytes - ?,
                        expired_unread = max(0, expired_unread - ?)
                    WHERE id = ?
                    """,
                arguments: [deleted, bytes, expiredUnreadSeen, Data(mailbox)])
            return deleted
        }
    }

    public func purge(arrivedBefore cutoff: UInt64) async throws(RelayError) -> Int {
        // An envelope is purged only once its whole arrival hour is before the cutoff: never early,
        // at most an hour late.
        let lastHour = Int64(cutoff) - 3600
        return try await write { db in
            try db.execute(
                sql: """
                    UPDATE mailboxes SET
                        expired_unread = expired_unread + stats.count,
                        envelope_count = envelope_count - stats.count,
                        envelope_bytes = envelope_bytes - stats.bytes
                    FROM (SELECT mailbox, count(*) AS count, sum(length(body)) AS bytes FROM envelopes
                          WHERE arrived_hour <= ? GROUP BY mailbox) AS stats
                    WHERE mailboxes.id = stats.mailbox
                    """,
                arguments: [lastHour])
            try db.execute(sql: "DELETE FROM envelopes WHERE arrived_hour <= ?", arguments: [lastHour])
            return db.changesCount
        }
    }

    /// Copies the write-ahead log into the database and truncates it, so that page images of
    /// deleted envelopes do not linger in the WAL file. The purge service calls it after purging.
    /// One process owns the file: its own deposits wake its waiters, nothing to follow.
    public func followDeposits(_ deposited: @escaping @Sendable (MailboxID?) -> Void) async {}

    public func checkpoint() async throws(RelayError) {
        do {
            try await database.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            throw .storageFailure
        }
    }

    // MARK: - Transactions

    func write<Value: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> Value
    ) async throws(RelayError) -> Value {
        do {
            return try await database.write(body)
        } catch let error as RelayError {
            throw error
        } catch {
            throw .storageFailure
        }
    }

    func read<Value: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> Value
    ) async throws(RelayError) -> Value {
        do {
            return try await database.read(body)
        } catch let error as RelayError {
            throw error
        } catch {
            throw .storageFailure
        }
    }
}
