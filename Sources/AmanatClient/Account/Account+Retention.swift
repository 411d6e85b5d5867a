// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation
import GRDB

/// How much a profile keeps (issue #20): a seized device should hold as little as its owner can
/// do without. Applied when the profile opens and after every sync; nothing of it reaches the
/// relay or the experts.
public struct RetentionPolicy: Sendable, Equatable {
    /// Messages (both ways) older than this many days are shredded; nil keeps everything.
    public var keepDays: Int?
    /// Case updates this device sent are shredded once every expert device confirmed them.
    public var deleteSentOnceDelivered: Bool

    public init(keepDays: Int? = nil, deleteSentOnceDelivered: Bool = false) {
        self.keepDays = keepDays
        self.deleteSentOnceDelivered = deleteSentOnceDelivered
    }

    /// The longest `keepDays` accepted (about 27 years): beyond it, keep everything.
    public static let maximumKeepDays = 10_000
}

extension Account {
    static let keepDaysName = "keep-days"
    static let deleteDeliveredName = "delete-delivered"

    /// This profile's retention policy.
    public var retention: RetentionPolicy {
        get throws(AccountError) {
            try perform { db in try Self.retention(store, in: db) }
        }
    }

    /// Sets the retention policy, and applies it at once.
    ///
    /// - Throws: ``AccountError/notPermitted`` for `keepDays` below 1 or above
    ///   ``RetentionPolicy/maximumKeepDays``.
    public func setRetention(_ policy: RetentionPolicy) throws(AccountError) {
        if let days = policy.keepDays, !(1...RetentionPolicy.maximumKeepDays).contains(days) {
            throw .notPermitted
        }
        try store.transaction { db in
            if let days = policy.keepDays {
                try store.setSetting(Self.keepDaysName, Array(String(days).utf8), in: db)
            } else {
                try db.execute(sql: "DELETE FROM settings WHERE name = ?", arguments: [Self.keepDaysName])
            }
            try store.setSetting(
                Self.deleteDeliveredName, policy.deleteSentOnceDelivered ? Array("on".utf8) : Self.off, in: db)
        }
        _ = try Self.applyRetention(store, now: clock())
    }

    /// Shreds what the policy no longer keeps. Returns how many messages went.
    @discardableResult
    public func applyRetention() throws(AccountError) -> Int {
        try Self.applyRetention(store, now: clock())
    }

    static func retention(_ store: ProfileStore, in db: Database) throws -> RetentionPolicy {
        let days = try store.setting(keepDaysName, in: db).flatMap { Int(String(decoding: $0, as: UTF8.self)) }
        let delivered = try store.setting(deleteDeliveredName, in: db) == Array("on".utf8)
        return RetentionPolicy(keepDays: days, deleteSentOnceDelivered: delivered)
    }

    /// Deletes, in one transaction, every message the policy no longer keeps (never one still
    /// waiting to be sent), then overwrites and removes their attachment files. The rows' pages
    /// are zeroed by SQLite (`secure_delete`), so neither the texts nor the file names stay in
    /// the profile's files.
    static func applyRetention(_ store: ProfileStore, now: UInt64) throws(AccountError) -> Int {
        let shredded = try store.transaction { db -> (count: Int, files: [String])? in
            let policy = try retention(store, in: db)
            guard policy.keepDays != nil || policy.deleteSentOnceDelivered else { return nil }
            let cutoff = policy.keepDays.map { now - min(now, UInt64($0) * 86_400) }
            var files: [String] = []
            var count = 0
            for row in try Row.fetchAll(db, sql: "SELECT row, record FROM messages ORDER BY seq") {
                let message = try store.openMessage(row)
                // What is still on its way stays until it has gone: no message is lost to this.
                guard !message.deliveries.contains(where: { $0.state == .queued }) else { continue }
                let expired = cutoff.map { message.storedAt < $0 } ?? false
                let delivered =
                    policy.deleteSentOnceDelivered && message.direction == .outgoing && message.kind == .caseUpdate
                    && !message.deliveries.isEmpty && message.deliveries.allSatisfy { $0.state >= .delivered }
                guard expired || delivered else { continue }
                try db.execute(sql: "DELETE FROM messages WHERE row = ?", arguments: [row["row"] as Data])
                files += message.attachments.compactMap(\.localFile)
                count += 1
            }
            return (count, files)
        }
        guard let shredded else { return 0 }
        for name in shredded.files {
            let file = store.filesDirectory.appendingPathComponent(name)
            ProfileStore.overwrite(file)
            try? FileManager.default.removeItem(at: file)
        }
        return shredded.count
    }
}
