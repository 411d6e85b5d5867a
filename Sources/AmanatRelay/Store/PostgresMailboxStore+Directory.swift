// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Logging
import NIOCore
import PostgresNIO

// MARK: - Prekey directory

extension PostgresMailboxStore {
    public func publishPrekeys(
        head: [UInt8]?, oneTime: [PrekeyEntry], for mailbox: MailboxID, maximumPerPool: Int
    ) async throws(RelayError) -> PrekeyCounts {
        // The last entry for a pool and id wins, as with SQLite's INSERT OR REPLACE.
        var latest: [PrekeyPool: [UInt32: [UInt8]]] = [:]
        for entry in oneTime { latest[entry.pool, default: [:]][entry.id] = entry.entry }
        let entries = latest.flatMap { pool, entries in
            entries.map { PrekeyEntry(pool: pool, id: $0.key, entry: $0.value) }
        }
        return try await transaction { connection, logger in
            try await Self.lockMailbox(mailbox, connection, logger)
            if let head {
                try await connection.query(
                    """
                    INSERT INTO prekey_heads (mailbox, entry) VALUES (\(Self.bytea(mailbox)), \(Self.bytea(head)))
                    ON CONFLICT (mailbox) DO UPDATE SET entry = EXCLUDED.entry
                    """, logger: logger)
            }
            if !entries.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO one_time_prekeys (mailbox, pool, id, entry)
                    SELECT \(Self.bytea(mailbox)), * FROM unnest(\(entries.map { Int16($0.pool.rawValue) }),
                        \(entries.map { Int64($0.id) }), \(entries.map { Self.bytea($0.entry) }))
                    ON CONFLICT (mailbox, pool, id) DO UPDATE SET entry = EXCLUDED.entry
                    """, logger: logger)
            }
            let counts = try await Self.counts(mailbox, connection, logger)
            // Thrown inside the transaction, so it is rolled back: all or nothing.
            guard counts.oneTime <= maximumPerPool, counts.oneTimePostQuantum <= maximumPerPool else {
                throw RelayError.prekeysFull
            }
            return counts
        }
    }

    public func claimPrekeys(from mailbox: MailboxID) async throws(RelayError) -> PrekeyClaim? {
        try await transaction { connection, logger in
            guard try await Self.mailboxExists(mailbox, connection, logger) else { throw RelayError.unknownMailbox }
            var head: [UInt8]?
            for try await entry in try await connection.query(
                "SELECT entry FROM prekey_heads WHERE mailbox = \(Self.bytea(mailbox))", logger: logger
            ).decode(ByteBuffer.self) {
                head = Self.bytes(entry)
            }
            guard let head else { return nil }
            // SKIP LOCKED: a concurrent claim takes the next entry instead of waiting for this one.
            func pop(_ pool: PrekeyPool) async throws -> [UInt8]? {
                var popped: [UInt8]?
                for try await entry in try await connection.query(
                    """
                    DELETE FROM one_time_prekeys WHERE (mailbox, pool, id) = (
                        SELECT mailbox, pool, id FROM one_time_prekeys
                        WHERE mailbox = \(Self.bytea(mailbox)) AND pool = \(Int16(pool.rawValue))
                        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                    RETURNING entry
                    """, logger: logger
                ).decode(ByteBuffer.self) {
                    popped = Self.bytes(entry)
                }
                return popped
            }
            return PrekeyClaim(
                head: head, oneTime: try await pop(.oneTime), oneTimePostQuantum: try await pop(.oneTimePostQuantum))
        }
    }

    public func prekeyCounts(of mailbox: MailboxID) async throws(RelayError) -> PrekeyCounts {
        try await transaction { connection, logger in
            guard try await Self.mailboxExists(mailbox, connection, logger) else { throw RelayError.unknownMailbox }
            return try await Self.counts(mailbox, connection, logger)
        }
    }

    static func mailboxExists(_ mailbox: MailboxID, _ connection: PostgresConnection, _ logger: Logger) async throws
        -> Bool
    {
        try await connection.query("SELECT 1 FROM mailboxes WHERE id = \(bytea(mailbox))", logger: logger).count() == 1
    }

    static func counts(_ mailbox: MailboxID, _ connection: PostgresConnection, _ logger: Logger) async throws
        -> PrekeyCounts
    {
        var counts: [Int: Int] = [:]
        for try await (pool, count) in try await connection.query(
            "SELECT pool, count(*) FROM one_time_prekeys WHERE mailbox = \(bytea(mailbox)) GROUP BY pool",
            logger: logger
        ).decode((Int16, Int64).self) {
            counts[Int(pool)] = Int(count)
        }
        return PrekeyCounts(byPool: counts)
    }
}

// MARK: - Blobs

extension PostgresMailboxStore {
    public func createBlob(_ blob: BlobRecord, totalBytes: Int) async throws(RelayError) {
        guard blob.isValid else { throw .invalidRequest }
        try await transaction { connection, logger in
            // One creation at a time across instances, so the space check holds.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.blobSpaceLock))", logger: logger)
            var used: Int64 = 0
            for try await sum in try await connection.query(
                "SELECT coalesce(sum(size), 0)::bigint FROM blobs", logger: logger
            ).decode(Int64.self) {
                used = sum
            }
            guard used + Int64(blob.size) <= Int64(totalBytes) else { throw RelayError.blobStorageFull }
            try await connection.query(
                """
                INSERT INTO blobs (id, upload_key_digest, size, chunk_size, downloads_left, expires_at, confirmations)
                VALUES (\(Self.bytea(blob.id)), \(Self.bytea(blob.uploadKeyDigest)), \(Int64(blob.size)),
                    \(Int64(blob.chunkSize)), \(Int64(blob.downloads)), \(Int64(clamping: blob.expiresAt)),
                    \(Self.bytea(blob.joinedConfirmations)))
                """, logger: logger)
        }
    }

    public func blob(_ id: BlobID) async throws(RelayError) -> BlobStatus? {
        try await transaction { connection, logger in try await Self.status(id, lock: false, connection, logger) }
    }

    public func putChunk(_ data: [UInt8], index: Int, of blob: BlobID, retainingWholeUntil expiry: UInt64)
        async throws(RelayError) -> BlobStatus
    {
        try await transaction { connection, logger in
            guard let status = try await Self.status(blob, lock: true, connection, logger) else {
                throw RelayError.unknownBlob
            }
            guard status.record.sizeOfChunk(index) == data.count else { throw RelayError.invalidRequest }
            if status.isComplete {
                var stored: [UInt8]?
                for try await chunk in try await connection.query(
                    "SELECT data FROM blob_chunks WHERE blob = \(Self.bytea(blob)) AND idx = \(Int32(index))",
                    logger: logger
                ).decode(ByteBuffer.self) {
                    stored = Self.bytes(chunk)
                }
                guard let stored, ConstantTime.equals(stored, data) else { throw RelayError.blobComplete }
                return status
            }
            try await connection.query(
                """
                INSERT INTO blob_chunks (blob, idx, data) VALUES (\(Self.bytea(blob)), \(Int32(index)), \(Self.bytea(data)))
                ON CONFLICT (blob, idx) DO UPDATE SET data = EXCLUDED.data
                """, logger: logger)
            guard var updated = try await Self.status(blob, lock: false, connection, logger) else {
                throw RelayError.unknownBlob
            }
            if updated.isComplete {
                try await connection.query(
                    "UPDATE blobs SET expires_at = \(Int64(clamping: expiry)) WHERE id = \(Self.bytea(blob))",
                    logger: logger)
                guard let whole = try await Self.status(blob, lock: false, connection, logger) else {
                    throw RelayError.unknownBlob
                }
                updated = whole
            }
            return updated
        }
    }

    public func chunk(_ index: Int, of blob: BlobID) async throws(RelayError) -> [UInt8] {
        guard (0...Int(Int32.max)).contains(index) else { throw .invalidRequest }
        return try await transaction { connection, logger in
            guard let status = try await Self.status(blob, lock: false, connection, logger) else {
                throw RelayError.unknownBlob
            }
            guard status.isComplete else { throw RelayError.blobIncomplete }
            for try await chunk in try await connection.query(
                "SELECT data FROM blob_chunks WHERE blob = \(Self.bytea(blob)) AND idx = \(Int32(index))",
                logger: logger
            ).decode(ByteBuffer.self) {
                return Self.bytes(chunk)
            }
            throw RelayError.invalidRequest
        }
    }

    public func confirmDownload(of blob: BlobID, presenting digest: [UInt8]) async throws(RelayError) -> Int {
        try await transaction { connection, logger in
            guard let status = try await Self.status(blob, lock: true, connection, logger) else {
                throw RelayError.unknownBlob
            }
            switch try status.confirming(digest) {
            case .repeated(let left):
                return left
            case .counted(_, 0):
                try await connection.query("DELETE FROM blobs WHERE id = \(Self.bytea(blob))", logger: logger)
                return 0
            case .counted(let confirmed, let left):
                try await connection.query(
                    """
                    UPDATE blobs SET downloads_left = \(Int64(left)), confirmed = \(Int64(bitPattern: confirmed))
                    WHERE id = \(Self.bytea(blob))
                    """, logger: logger)
                return left
            }
        }
    }

    public func purgeBlobs(expiredAt now: UInt64) async throws(RelayError) -> Int {
        try await transaction { connection, logger in
            try await connection.query(
                "DELETE FROM blobs WHERE expires_at <= \(Int64(clamping: now)) RETURNING 1", logger: logger
            ).count()
        }
    }

    /// The blob and its chunks; with `lock`, its row is locked for the transaction.
    static func status(
        _ id: BlobID, lock: Bool, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> BlobStatus? {
        let query: PostgresQuery =
            lock
            ? """
            SELECT upload_key_digest, size, chunk_size, downloads_left, expires_at, confirmations, confirmed
            FROM blobs WHERE id = \(bytea(id)) FOR UPDATE
            """
            : """
            SELECT upload_key_digest, size, chunk_size, downloads_left, expires_at, confirmations, confirmed
            FROM blobs WHERE id = \(bytea(id))
            """
        var found: (record: BlobRecord, downloadsLeft: Int, confirmed: UInt64)?
        for try await (digest, size, chunkSize, downloadsLeft, expiresAt, confirmations, confirmed)
            in try await connection.query(query, logger: logger).decode(
                (ByteBuffer, Int64, Int64, Int64, Int64, ByteBuffer, Int64).self)
        {
            let record = BlobRecord(
                id: id, uploadKeyDigest: bytes(digest), size: Int(size), chunkSize: Int(chunkSize),
                confirmations: BlobRecord.confirmations(joined: bytes(confirmations)),
                expiresAt: UInt64(max(0, expiresAt)))
            found = (record, Int(downloadsLeft), UInt64(bitPattern: confirmed))
        }
        guard let found else { return nil }
        var present: [Int] = []
        for try await index in try await connection.query(
            "SELECT idx FROM blob_chunks WHERE blob = \(bytea(id)) ORDER BY idx", logger: logger
        ).decode(Int32.self) {
            present.append(Int(index))
        }
        return BlobStatus(
            record: found.record, presentChunks: present, downloadsLeft: found.downloadsLeft, confirmed: found.confirmed
        )
    }
}

// MARK: - Roster

extension PostgresMailboxStore {
    public func publishRoster(_ roster: StoredRoster) async throws(RelayError) {
        try await transaction { connection, logger in
            // Serialises publishers, including the first, when there is no row to lock yet.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.rosterLock))", logger: logger)
            for try await current in try await connection.query(
                "SELECT version FROM roster WHERE singleton = 1", logger: logger
            ).decode(Int64.self) where UInt64(bitPattern: current) >= roster.version {
                throw RelayError.staleRoster
            }
            try await connection.query(
                """
                INSERT INTO roster (singleton, version, body)
                VALUES (1, \(Int64(bitPattern: roster.version)), \(Self.bytea(roster.encoded)))
                ON CONFLICT (singleton) DO UPDATE SET version = EXCLUDED.version, body = EXCLUDED.body
                """, logger: logger)
        }
    }

    public func roster() async throws(RelayError) -> StoredRoster? {
        try await transaction { connection, logger in
            for try await (version, body) in try await connection.query(
                "SELECT version, body FROM roster WHERE singleton = 1", logger: logger
            ).decode((Int64, ByteBuffer).self) {
                return StoredRoster(version: UInt64(bitPattern: version), encoded: Self.bytes(body))
            }
            return nil
        }
    }
}
