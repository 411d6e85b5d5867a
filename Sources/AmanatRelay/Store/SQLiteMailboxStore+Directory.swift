// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

// MARK: - Prekey directory

extension SQLiteMailboxStore {
    public func publishPrekeys(
        head: [UInt8]?, oneTime: [PrekeyEntry], for mailbox: MailboxID, maximumPerPool: Int
    ) async throws(RelayError) -> PrekeyCounts {
        try await write { db in
            try Self.requireMailbox(mailbox, db)
            if let head {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO prekey_heads (mailbox, entry) VALUES (?, ?)",
                    arguments: [Data(mailbox), Data(head)])
            }
            for entry in oneTime {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO one_time_prekeys (mailbox, pool, id, entry) VALUES (?, ?, ?, ?)",
                    arguments: [Data(mailbox), entry.pool.rawValue, Int64(entry.id), Data(entry.entry)])
            }
            let counts = try Self.counts(mailbox, db)
            // Thrown inside the transaction, so it is rolled back: all or nothing.
            guard counts.oneTime <= maximumPerPool, counts.oneTimePostQuantum <= maximumPerPool else {
                throw RelayError.prekeysFull
            }
            return counts
        }
    }

    public func claimPrekeys(from mailbox: MailboxID) async throws(RelayError) -> PrekeyClaim? {
        try await write { db in
            try Self.requireMailbox(mailbox, db)
            guard
                let head = try Data.fetchOne(
                    db, sql: "SELECT entry FROM prekey_heads WHERE mailbox = ?", arguments: [Data(mailbox)])
            else { return nil }
            func pop(_ pool: PrekeyPool) throws -> [UInt8]? {
                try Data.fetchOne(
                    db,
                    sql: """
                        DELETE FROM one_time_prekeys WHERE mailbox = ?1 AND pool = ?2 AND id =
                            (SELECT id FROM one_time_prekeys WHERE mailbox = ?1 AND pool = ?2 ORDER BY id LIMIT 1)
                        RETURNING entry
                        """,
                    arguments: [Data(mailbox), pool.rawValue]
                ).map { Array($0) }
            }
            return PrekeyClaim(
                head: Array(head), oneTime: try pop(.oneTime), oneTimePostQuantum: try pop(.oneTimePostQuantum))
        }
    }

    public func prekeyCounts(of mailbox: MailboxID) async throws(RelayError) -> PrekeyCounts {
        try await read { db in
            try Self.requireMailbox(mailbox, db)
            return try Self.counts(mailbox, db)
        }
    }

    static func requireMailbox(_ mailbox: MailboxID, _ db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM mailboxes WHERE id = ?", arguments: [Data(mailbox)]) != nil
        else { throw RelayError.unknownMailbox }
    }

    static func counts(_ mailbox: MailboxID, _ db: Database) throws -> PrekeyCounts {
        let rows = try Row.fetchAll(
            db, sql: "SELECT pool, count(*) AS count FROM one_time_prekeys WHERE mailbox = ? GROUP BY pool",
            arguments: [Data(mailbox)])
        var counts: [Int: Int] = [:]
        for row in rows {
            counts[row["pool"]] = row["count"]
        }
        return PrekeyCounts(byPool: counts)
    }
}

// MARK: - Blobs

extension SQLiteMailboxStore {
    public func createBlob(_ blob: BlobRecord, totalBytes: Int) async throws(RelayError) {
        guard blob.isValid else { throw .invalidRequest }
        try await write { db in
            let used = try Int.fetchOne(db, sql: "SELECT coalesce(sum(size), 0) FROM blobs") ?? 0
            guard used + blob.size <= totalBytes else { throw RelayError.blobStorageFull }
            try db.execute(
                sql: """
                    INSERT INTO blobs (id, upload_key_digest, size, chunk_size, downloads_left, expires_at, confirmations)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    Data(blob.id), Data(blob.uploadKeyDigest), blob.size, blob.chunkSize, blob.downloads,
                    Int64(clamping: blob.expiresAt), Data(blob.joinedConfirmations),
                ])
        }
    }

    public func blob(_ id: BlobID) async throws(RelayError) -> BlobStatus? {
        try await read { db in try Self.status(id, db) }
    }

    public func putChunk(_ data: [UInt8], index: Int, of blob: BlobID, retainingWholeUntil expiry: UInt64)
        async throws(RelayError) -> BlobStatus
    {
        try await write { db in
            guard let status = try Self.status(blob, db) else { throw RelayError.unknownBlob }
            guard status.record.sizeOfChunk(index) == data.count else { throw RelayError.invalidRequest }
            if status.isComplete {
                let stored = try Data.fetchOne(
                    db, sql: "SELECT data FROM blob_chunks WHERE blob = ? AND idx = ?", arguments: [Data(blob), index])
                guard let stored, ConstantTime.equals(Array(stored), data) else { throw RelayError.blobComplete }
                return status
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO blob_chunks (blob, idx, data) VALUES (?, ?, ?)",
                arguments: [Data(blob), index, Data(data)])
            guard var updated = try Self.status(blob, db) else { throw RelayError.unknownBlob }
            if updated.isComplete {
                try db.execute(
                    sql: "UPDATE blobs SET expires_at = ? WHERE id = ?",
                    arguments: [Int64(clamping: expiry), Data(blob)])
                guard let whole = try Self.status(blob, db) else { throw RelayError.unknownBlob }
                updated = whole
            }
            return updated
        }
    }

    public func chunk(_ index: Int, of blob: BlobID) async throws(RelayError) -> [UInt8] {
        try await read { db in
            guard let status = try Self.status(blob, db) else { throw RelayError.unknownBlob }
            guard status.isComplete else { throw RelayError.blobIncomplete }
            guard
                let data = try Data.fetchOne(
                    db, sql: "SELECT data FROM blob_chunks WHERE blob = ? AND idx = ?", arguments: [Data(blob), index])
            else { throw RelayError.invalidRequest }
            return Array(data)
        }
    }

    public func confirmDownload(of blob: BlobID, presenting digest: [UInt8]) async throws(RelayError) -> Int {
        try await write { db in
            guard let status = try Self.status(blob, db) else { throw RelayError.unknownBlob }
            switch try status.confirming(digest) {
            case .repeated(let left):
                return left
            case .counted(_, 0):
                try db.execute(sql: "DELETE FROM blobs WHERE id = ?", arguments: [Data(blob)])
                return 0
            case .counted(let confirmed, let left):
                try db.execute(
                    sql: "UPDATE blobs SET downloads_left = ?, confirmed = ? WHERE id = ?",
                    arguments: [left, Int64(bitPattern: confirmed), Data(blob)])
                return left
            }
        }
    }

    public func purgeBlobs(expiredAt now: UInt64) async throws(RelayError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM blobs WHERE expires_at <= ?", arguments: [Int64(clamping: now)])
            return db.changesCount
        }
    }

    static func status(_ id: BlobID, _ db: Database) throws -> BlobStatus? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT upload_key_digest, size, chunk_size, downloads_left, expires_at, confirmations, confirmed
                    FROM blobs WHERE id = ?
                    """,
                arguments: [Data(id)])
        else { return nil }
        let record = BlobRecord(
            id: id, uploadKeyDigest: Array(row["upload_key_digest"] as Data), size: row["size"],
            chunkSize: row["chunk_size"],
            confirmations: BlobRecord.confirmations(joined: Array(row["confirmations"] as Data)),
            expiresAt: UInt64(max(0, row["expires_at"] as Int64)))
        let present = try Int.fetchAll(
            db, sql: "SELECT idx FROM blob_chunks WHERE blob = ? ORDER BY idx", arguments: [Data(id)])
        return BlobStatus(
            record: record, presentChunks: present, downloadsLeft: row["downloads_left"],
            confirmed: UInt64(bitPattern: row["confirmed"] as Int64))
    }
}

// MARK: - Roster

extension SQLiteMailboxStore {
    public func publishRoster(_ roster: StoredRoster) async throws(RelayError) {
        try await write { db in
            if let current = try Int64.fetchOne(db, sql: "SELECT version FROM roster WHERE singleton = 1"),
                UInt64(bitPattern: current) >= roster.version
            {
                throw RelayError.staleRoster
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO roster (singleton, version, body) VALUES (1, ?, ?)",
                arguments: [Int64(bitPattern: roster.version), Data(roster.encoded)])
        }
    }

    public func roster() async throws(RelayError) -> StoredRoster? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT version, body FROM roster WHERE singleton = 1").map { row in
                StoredRoster(version: UInt64(bitPattern: row["version"] as Int64), encoded: Array(row["body"] as Data))
            }
        }
    }
}
