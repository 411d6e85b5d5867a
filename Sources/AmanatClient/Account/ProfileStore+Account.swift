// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

/// Who the device is in the organisation.
public enum AccountRole: String, Sendable, Codable {
    /// Sends case updates to every expert on the roster; its sender certificate is self-signed.
    case defender
    /// Receives case updates and replies; its sender certificate is signed by the organisation.
    case expert
}

/// The account's settings, sealed in the profile (setting `account`).
struct AccountState: Codable, Sendable {
    var relay: String
    var pin: Data?
    var proxy: String?
    var organisationRoot: Data
    var relayKey: Data
    var role: AccountRole
    /// The mailbox exists and the prekeys are published.
    var enrolled: Bool
    /// The invite's voucher, until the mailbox exists.
    var voucher: Data?
    /// The organisation-signed sender certificate (experts).
    var certificate: Data?
    /// The next one-time prekey id.
    var nextPrekeyId: UInt32
    /// The highest roster version accepted.
    var rosterVersion: UInt64
    /// The relay's largest blob, from `/v1/info` at enrolment.
    var maximumBlobBytes: UInt64
    /// How long the relay keeps an unfetched envelope, from `/v1/info` at enrolment.
    var retentionSeconds: UInt64
    /// The relay's other addresses, after `relay`, in the invite's order (SPEC.md §16.1).
    var alternates: [StoredRoute]? = nil
    /// Only onion addresses are used (the person's choice; requires `proxy`).
    var onionOnly: Bool? = nil
    /// The invite's Tor bridge lines.
    var bridges: [String]? = nil
    /// The client runs its own Tor for this profile (`amanat config --tor auto`), instead of `proxy`.
    var managedTor: Bool? = nil
    /// Bridge lines the person added (`--bridge`), used before the invite's.
    var ownBridges: [String]? = nil

    /// The bridges the profile's own Tor uses: the person's, then the invite's.
    var torBridges: [String] { (ownBridges ?? []) + (bridges ?? []).filter { !(ownBridges ?? []).contains($0) } }

    /// Every address of the relay, `relay` first.
    var routes: [RelayRoute] {
        [RelayRoute(relay: relay, pin: pin.map { Invite.pinText(Array($0)) })]
            + (alternates ?? []).map { RelayRoute(relay: $0.relay, pin: $0.pin.map { Invite.pinText(Array($0)) }) }
    }
}

/// One of the relay's other addresses, with its pin.
struct StoredRoute: Codable, Sendable, Equatable {
    var relay: String
    var pin: Data?
}

/// A sealed envelope waiting for the relay.
struct OutboxItem: Codable, Sendable {
    var mailbox: Data
    var depositKey: Data
    var envelope: Data
    /// The payload id of the message it carries, when it is a case update or reply.
    var message: Data?
    /// The recipient device's identity key, encoded.
    var device: Data
    /// The session message inside `envelope` and its kind, so that it can be sealed again with a
    /// current certificate if it waits here until its certificate is about to expire (SPEC.md
    /// §7.1). Absent in items queued before this was kept.
    var sessionMessage: Data?
    var sessionMessageKind: UInt8?
    /// When the certificate `envelope` carries expires.
    var certificateExpiresAt: UInt64?
}

/// A defender an expert has heard from: the card it sent. Records written before case ids
/// (SPEC.md §16.4) also hold a `label`, a per-device name that could collide; it is ignored, and
/// gone once the record is written again.
struct ContactRecord: Codable, Sendable {
    var identity: Data
    var card: Data
}

// MARK: - Reading and writing, one transaction at a time

extension ProfileStore {
    static let stateName = "account"
    static let keysName = "keys"
    static let rosterKeyName = "roster-key"
    static let rosterName = "roster"

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try database.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .corrupted
        }
    }

    // MARK: Settings

    func state(in db: Database) throws -> AccountState? {
        guard let bytes = try setting(Self.stateName, in: db) else { return nil }
        return try JSONDecoder().decode(AccountState.self, from: Data(bytes))
    }

    func saveState(_ state: AccountState, in db: Database) throws {
        try setSetting(Self.stateName, Array(try JSONEncoder().encode(state)), in: db)
    }

    func keys(in db: Database) throws -> DeviceKeys? {
        guard let secret = try secretSetting(Self.keysName, in: db) else { return nil }
        return try DeviceKeys(decoding: secret)
    }

    func saveKeys(_ keys: DeviceKeys, in db: Database) throws {
        try setSetting(Self.keysName, keys.encoded, in: db)
    }

    // MARK: One-time prekeys

    /// Stores private one-time prekeys: pool 3 X25519 scalars, pool 4 X-Wing seeds.
    func savePrekey(pool: Int, id: UInt32, secret: SecureBytes, in db: Database) throws {
        let sealed = try cipher.seal(secret, place: "prekeys.secret", row: Self.prekeyRow(pool, id))
        try db.execute(
            sql: "INSERT OR REPLACE INTO prekeys (pool, id, secret) VALUES (?, ?, ?)",
            arguments: [pool, Int64(id), Data(sealed)])
    }

    func prekey(pool: Int, id: UInt32, in db: Database) throws -> SecureBytes? {
        guard
            let sealed = try Data.fetchOne(
                db, sql: "SELECT secret FROM prekeys WHERE pool = ? AND id = ?", arguments: [pool, Int64(id)])
        else { return nil }
        return try cipher.openSecret(Array(sealed), place: "prekeys.secret", row: Self.prekeyRow(pool, id))
    }

    func deletePrekey(pool: Int, id: UInt32, in db: Database) throws {
        try db.execute(sql: "DELETE FROM prekeys WHERE pool = ? AND id = ?", arguments: [pool, Int64(id)])
    }

    private static func prekeyRow(_ pool: Int, _ id: UInt32) -> [UInt8] {
        [UInt8(pool)] + withUnsafeBytes(of: id.bigEndian) { Array($0) }
    }

    // MARK: Sessions

    func session(with identity: IdentityKey, in db: Database) throws -> RatchetSession? {
        try session(lookup: cipher.lookup("session", identity.encoded), in: db)
    }

    func saveSession(_ session: RatchetSession, in db: Database) throws {
        try save(session, lookup: cipher.lookup("session", session.remoteIdentity.encoded), in: db)
    }

    /// The session with `identity` that the current one replaced, kept to open what the peer
    /// sent on it before it learnt of the new one (SPEC.md §5.4).
    func previousSession(with identity: IdentityKey, in db: Database) throws -> RatchetSession? {
        try session(lookup: cipher.lookup("previous-session", identity.encoded), in: db)
    }

    func savePreviousSession(_ session: RatchetSession, in db: Database) throws {
        try save(session, lookup: cipher.lookup("previous-session", session.remoteIdentity.encoded), in: db)
    }

    private func session(lookup peer: [UInt8], in db: Database) throws -> RatchetSession? {
        guard
            let sealed = try Data.fetchOne(
                db, sql: "SELECT state FROM sessions WHERE peer = ?", arguments: [Data(peer)])
        else { return nil }
        let state = try cipher.openSecret(Array(sealed), place: "sessions.state", row: peer)
        return try RatchetSession(serialized: state)
    }

    private func save(_ session: RatchetSession, lookup peer: [UInt8], in db: Database) throws {
        let sealed = try cipher.seal(session.serialized(), place: "sessions.state", row: peer)
        try db.execute(
            sql: "INSERT OR REPLACE INTO sessions (peer, state) VALUES (?, ?)", arguments: [Data(peer), Data(sealed)])
    }

    // MARK: Contacts

    func contact(_ identity: IdentityKey, in db: Database) throws -> ContactRecord? {
        let peer = cipher.lookup("contact", identity.encoded)
        guard
            let sealed = try Data.fetchOne(
                db, sql: "SELECT record FROM contacts WHERE peer = ?", arguments: [Data(peer)])
        else { return nil }
        return try JSONDecoder().decode(
            ContactRecord.self, from: Data(try cipher.open(Array(sealed), place: "contacts.record", row: peer)))
    }

    func saveContact(_ record: ContactRecord, in db: Database) throws {
        let peer = cipher.lookup("contact", Array(record.identity))
        let sealed = try cipher.seal(Array(try JSONEncoder().encode(record)), place: "contacts.record", row: peer)
        try db.execute(
            sql: "INSERT OR REPLACE INTO contacts (peer, record) VALUES (?, ?)", arguments: [Data(peer), Data(sealed)])
    }

    func contacts(in db: Database) throws -> [ContactRecord] {
        try Row.fetchAll(db, sql: "SELECT peer, record FROM contacts").map { row in
            let peer: Data = row["peer"]
            let sealed: Data = row["record"]
            return try JSONDecoder().decode(
                ContactRecord.self,
                from: Data(try cipher.open(Array(sealed), place: "contacts.record", row: Array(peer))))
        }
    }

    // MARK: Messages

    /// Stores a new message; false if one with its id is there already.
    @discardableResult
    func insertMessage(_ message: Message, in db: Database) throws -> Bool {
        let lookup = cipher.lookup("message", Array(message.id))
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM messages WHERE lookup = ?", arguments: [Data(lookup)]) == true {
            return false
        }
        let row = SecureRandom.bytes(count: 16)
        let sealed = try cipher.seal(Array(try JSONEncoder().encode(message)), place: "messages.record", row: row)
        try db.execute(
            sql: "INSERT INTO messages (row, lookup, record) VALUES (?, ?, ?)",
            arguments: [Data(row), Data(lookup), Data(sealed)])
        return true
    }

    /// Changes the message with `id` (if there is one) with `change`.
    func updateMessage(id: Data, in db: Database, _ change: (inout Message) -> Void) throws {
        for (rowId, stored) in try messageRows(id: id, in: db) {
            var message = stored
            change(&message)
            let resealed = try cipher.seal(
                Array(try JSONEncoder().encode(message)), place: "messages.record", row: Array(rowId))
            try db.execute(sql: "UPDATE messages SET record = ? WHERE row = ?", arguments: [Data(resealed), rowId])
        }
    }

    /// The message with `id`, if there is one.
    func message(id: Data, in db: Database) throws -> Message? {
        try messageRows(id: id, in: db).first?.message
    }

    func messages(in db: Database) throws -> [Message] {
        try Row.fetchAll(db, sql: "SELECT row, record FROM messages ORDER BY seq").map(openMessage)
    }

    /// The rows holding the message with `id` (its keyed lookup may, in principle, collide).
    private func messageRows(id: Data, in db: Database) throws -> [(row: Data, message: Message)] {
        try Row.fetchAll(
            db, sql: "SELECT row, record FROM messages WHERE lookup = ?",
            arguments: [Data(cipher.lookup("message", Array(id)))]
        ).map { row in (row["row"], try openMessage(row)) }.filter { $0.message.id == id }
    }

    /// The message a row's `row` and `record` columns hold.
    func openMessage(_ row: Row) throws -> Message {
        let rowId: Data = row["row"]
        let sealed: Data = row["record"]
        return try JSONDecoder().decode(
            Message.self, from: Data(try cipher.open(Array(sealed), place: "messages.record", row: Array(rowId))))
    }

    // MARK: Outbox

    func enqueue(_ item: OutboxItem, in db: Database) throws {
        let row = SecureRandom.bytes(count: 16)
        let sealed = try cipher.seal(Array(try JSONEncoder().encode(item)), place: "outbox.record", row: row)
        try db.execute(sql: "INSERT INTO outbox (row, record) VALUES (?, ?)", arguments: [Data(row), Data(sealed)])
    }

    func outbox(in db: Database) throws -> [(row: Data, item: OutboxItem)] {
        try Row.fetchAll(db, sql: "SELECT row, record FROM outbox ORDER BY seq").map { row in
            let rowId: Data = row["row"]
            let sealed: Data = row["record"]
            return (
                rowId,
                try JSONDecoder().decode(
                    OutboxItem.self,
                    from: Data(try cipher.open(Array(sealed), place: "outbox.record", row: Array(rowId))))
            )
        }
    }

    func replaceOutboxItem(row: Data, with item: OutboxItem, in db: Database) throws {
        let sealed = try cipher.seal(Array(try JSONEncoder().encode(item)), place: "outbox.record", row: Array(row))
        try db.execute(sql: "UPDATE outbox SET record = ? WHERE row = ?", arguments: [Data(sealed), row])
    }

    func dequeue(row: Data, in db: Database) throws {
        try db.execute(sql: "DELETE FROM outbox WHERE row = ?", arguments: [row])
    }

    // MARK: Answered handshakes

    func hasAnswered(_ initial: InitialMessage, in db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM handshakes WHERE lookup = ?", arguments: [Data(handshakeLookup(initial))]) == true
    }

    func noteAnswered(_ initial: InitialMessage, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO handshakes (lookup) VALUES (?)", arguments: [Data(handshakeLookup(initial))])
    }

    private func handshakeLookup(_ initial: InitialMessage) -> [UInt8] {
        cipher.lookup("handshake", initial.initiatorIdentity.keyBytes + initial.ephemeralKey.rawRepresentation)
    }

    // MARK: Processed envelopes

    func isProcessed(digest: [UInt8], in db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM processed WHERE digest = ?", arguments: [Data(cipher.lookup("envelope", digest))])
            == true
    }

    func markProcessed(digest: [UInt8], now: UInt64, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO processed (digest, day) VALUES (?, ?)",
            arguments: [Data(cipher.lookup("envelope", digest)), Int64(now / 86_400)])
        // The relay keeps envelopes at most its retention time (30 days by default): markers
        // older than twice that can no longer matter.
        try db.execute(sql: "DELETE FROM processed WHERE day < ?", arguments: [Int64(now / 86_400) - 62])
    }
}
