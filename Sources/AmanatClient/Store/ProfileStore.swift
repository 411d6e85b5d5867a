// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation
import GRDB

/// A profile on disk (DESIGN §5): the keyslots and, for each of the two profiles (real and
/// decoy), an SQLite database whose sensitive columns are sealed by ``StoreCipher`` and a folder
/// of encrypted attachment files. Both profiles always exist, laid out alike, so the files do not
/// say whether a duress passphrase is set.
///
///     <directory>/keyslots          SPEC.md §15
///     <directory>/profile-0.sqlite  the real profile
///     <directory>/profile-1.sqlite  the decoy profile
///     <directory>/files-0/, files-1/ encrypted attachments
///
/// The databases use a rollback journal with `synchronous = FULL` (a commit is on disk when it
/// returns) and `secure_delete` (freed pages are zeroed).
public final class ProfileStore: Sendable {
    /// The profile's directory.
    public let directory: URL
    /// 0 for the real profile, 1 for the decoy.
    public let profile: Int
    let database: DatabaseQueue
    let cipher: StoreCipher

    private init(directory: URL, profile: Int, database: DatabaseQueue, cipher: StoreCipher) {
        self.directory = directory
        self.profile = profile
        self.database = database
        self.cipher = cipher
    }

    static func keyslotsURL(_ directory: URL) -> URL { directory.appendingPathComponent("keyslots") }
    static func databaseURL(_ directory: URL, profile: Int) -> URL {
        directory.appendingPathComponent("profile-\(profile).sqlite")
    }
    static func filesURL(_ directory: URL, profile: Int) -> URL {
        directory.appendingPathComponent("files-\(profile)", isDirectory: true)
    }

    /// The folder for this profile's encrypted attachment files.
    public var filesDirectory: URL { Self.filesURL(directory, profile: profile) }

    // MARK: - Creating and opening

    /// Creates a profile in `directory` (created with mode 0700 if missing; it must not hold a
    /// profile already) and opens its real profile.
    ///
    /// - Throws: ``StoreError/exists`` or ``StoreError/unwritable``.
    public static func create(
        at directory: URL, passphrase: SecureBytes, cost: Argon2id.Cost = .moderate
    ) throws(StoreError) -> ProfileStore {
        let (store, keyslots) = try prepare(at: directory, passphrase: passphrase, cost: cost)
        try store.commit(keyslots: keyslots)
        return store
    }

    /// Creates a profile's databases in `directory` and opens its real profile, but only seals
    /// its keyslots (the slow Argon2id step done) without writing them: until
    /// ``commit(keyslots:)`` nothing opens it, ``exists(at:)`` is false, and a crash leaves
    /// nothing that counts as a profile (the next creation removes the databases). Enrolment
    /// uses this so that a profile appears only once its mailbox exists.
    ///
    /// - Throws: ``StoreError/exists`` or ``StoreError/unwritable``.
    static func prepare(
        at directory: URL, passphrase: SecureBytes, cost: Argon2id.Cost
    ) throws(StoreError) -> (store: ProfileStore, keyslots: [UInt8]) {
        let manager = FileManager.default
        if manager.fileExists(atPath: keyslotsURL(directory).path) { throw .exists }
        // Databases without keyslots are what a creation cut short leaves: nothing can open them.
        for profile in 0..<2 { removeProfileFiles(directory, profile: profile) }
        do {
            try manager.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        } catch {
            throw .unwritable
        }
        let storeKey = SecureBytes.random(count: 32)
        // Both databases first, then the keyslots: a profile without keyslots is not a profile,
        // so a crash here leaves nothing that opens.
        _ = try initialise(directory, profile: 0, storeKey: storeKey)
        _ = try initialise(directory, profile: 1, storeKey: SecureBytes.random(count: 32))
        let keyslots: [UInt8]
        do {
            keyslots = try Keyslots(url: keyslotsURL(directory), cost: cost).sealedFile(
                passphrase: passphrase, storeKey: storeKey)
        } catch {
            throw StoreError(error)
        }
        return (try openDatabase(directory, profile: 0, storeKey: storeKey), keyslots)
    }

    /// Writes the keyslots ``prepare(at:passphrase:cost:)`` sealed: from now on the profile exists.
    ///
    /// - Throws: ``StoreError/exists`` or ``StoreError/unwritable``.
    func commit(keyslots: [UInt8]) throws(StoreError) {
        do {
            try Keyslots(url: Self.keyslotsURL(directory)).commit(keyslots)
        } catch {
            throw StoreError(error)
        }
    }

    /// Opens the profile `passphrase` unlocks: the real one, or the decoy for the duress passphrase.
    ///
    /// - Throws: ``StoreError/notFound``, ``StoreError/wrongPassphrase``, ``StoreError/corrupted``.
    public static func open(at directory: URL, passphrase: SecureBytes) throws(StoreError) -> ProfileStore {
        guard FileManager.default.fileExists(atPath: keyslotsURL(directory).path) else { throw .notFound }
        let opened: Keyslots.Opened
        do {
            opened = try Keyslots(url: keyslotsURL(directory)).open(passphrase: passphrase)
        } catch {
            throw StoreError(error)
        }
        return try openDatabase(directory, profile: opened.profile, storeKey: opened.storeKey)
    }

    /// Whether a profile exists in `directory`.
    public static func exists(at directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: keyslotsURL(directory).path)
    }

    /// Replaces the passphrase of the profile that is open.
    ///
    /// - Throws: ``StoreError/wrongPassphrase`` when `current` does not open this profile.
    public func changePassphrase(from current: SecureBytes, to new: SecureBytes) throws(StoreError) {
        let keyslots = try keyslots(openingThisProfileWith: current)
        do {
            try keyslots.changePassphrase(from: current, to: new)
        } catch {
            throw StoreError(error)
        }
    }

    /// The profile's keyslots file, once `passphrase` has been shown to open this profile.
    ///
    /// - Throws: ``StoreError/wrongPassphrase`` when it opens the other profile or none, the
    ///   keyslots file's own errors as ``StoreError``.
    private func keyslots(openingThisProfileWith passphrase: SecureBytes) throws(StoreError) -> Keyslots {
        let keyslots = Keyslots(url: Self.keyslotsURL(directory))
        let opened: Keyslots.Opened
        do {
            opened = try keyslots.open(passphrase: passphrase)
        } catch {
            throw StoreError(error)
        }
        guard opened.profile == profile else { throw .wrongPassphrase }
        return keyslots
    }

    /// Sets or replaces the duress passphrase, which will open a fresh decoy profile that `fill`
    /// prepares (before the passphrase opens it; the account layer makes it look enrolled).
    ///
    /// From the decoy itself (someone given the duress passphrase sets one of their own), the two
    /// profiles must still behave as a real one and its decoy would: the passphrase that opened
    /// this profile keeps opening it, and `duress` opens a fresh profile that takes the real
    /// one's place. The real profile is destroyed for good then: its store key is overwritten
    /// and its files erased, so that nothing it held can be reached by anyone.
    ///
    /// - Throws: ``StoreError/wrongPassphrase`` when `passphrase` does not open this profile,
    ///   ``StoreError/unwritable``.
    public func setDuressPassphrase(
        _ duress: SecureBytes, authorisedBy passphrase: SecureBytes,
        filling fill: (ProfileStore) throws -> Void = { _ in }
    ) throws(StoreError) {
        let keyslots = try keyslots(openingThisProfileWith: passphrase)
        // The new profile's database first: until the slot is written no passphrase opens it.
        let other = 1 - profile
        let otherKey = SecureBytes.random(count: 32)
        Self.removeProfileFiles(directory, profile: other)
        _ = try Self.initialise(directory, profile: other, storeKey: otherKey)
        let fresh = try Self.openDatabase(directory, profile: other, storeKey: otherKey)
        do {
            try fill(fresh)
            try fresh.database.close()
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unwritable
        }
        do {
            if other == 1 {
                try keyslots.setDuressPassphrase(duress, decoyStoreKey: otherKey, authorisedBy: passphrase)
            } else {
                try keyslots.replaceRealSlot(duress, storeKey: otherKey, authorisedBy: passphrase)
            }
        } catch {
            throw StoreError(error)
        }
    }

    // MARK: - Wiping

    /// Destroys the profile in `directory`: the keyslots first (after that nothing opens, whatever
    /// copies remain), then every file of both profiles, overwritten before it is removed, then
    /// the directory itself if nothing else is in it.
    public static func wipe(at directory: URL) {
        Keyslots(url: keyslotsURL(directory)).destroy()
        for profile in 0..<2 {
            removeProfileFiles(directory, profile: profile)
        }
        // The data of the Tor the client ran for the profile (which bridges it used, its guards).
        ManagedTor.shred(directory.appendingPathComponent(ManagedTor.folderName))
        if let rest = try? FileManager.default.contentsOfDirectory(atPath: directory.path), rest.isEmpty {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static func removeProfileFiles(_ directory: URL, profile: Int) {
        let database = databaseURL(directory, profile: profile)
        var files = ["", "-journal", "-wal", "-shm"].map { URL(fileURLWithPath: database.path + $0) }
        let folder = filesURL(directory, profile: profile)
        if let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files += names.map { folder.appendingPathComponent($0) }
        }
        for file in files {
            overwrite(file)
            try? FileManager.default.removeItem(at: file)
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Overwrites a file with random bytes and flushes it, in 1 MiB steps.
    static func overwrite(_ file: URL) {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int,
            let handle = try? FileHandle(forWritingTo: file)
        else { return }
        var written = 0
        while written < size {
            let count = min(1 << 20, size - written)
            guard (try? handle.write(contentsOf: Data(SecureRandom.bytes(count: count)))) != nil else { break }
            written += count
        }
        try? handle.synchronize()
        try? handle.close()
    }

    // MARK: - Databases

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        return configuration
    }

    /// Creates a profile's database and files folder, with its schema and a sealed check value.
    private static func initialise(_ directory: URL, profile: Int, storeKey: SecureBytes) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(
                at: filesURL(directory, profile: profile), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            let cipher = try StoreCipher(storeKey: storeKey)
            let queue = try DatabaseQueue(
                path: databaseURL(directory, profile: profile).path, configuration: configuration())
            try migrator.migrate(queue)
            let check = try cipher.seal(Array("amanat profile".utf8), place: "settings.value", row: Self.checkRow)
            try queue.write { db in
                try db.execute(
                    sql: "INSERT INTO settings (name, value) VALUES (?, ?)",
                    arguments: [String(decoding: checkRow, as: UTF8.self), Data(check)])
            }
            try queue.close()
            try FileManager.default.setAttributes(
                [.posixPermissions: 0o600], ofItemAtPath: databaseURL(directory, profile: profile).path)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unwritable
        }
    }

    private static let checkRow = Array("check".utf8)

    private static func openDatabase(
        _ directory: URL, profile: Int, storeKey: SecureBytes
    ) throws(StoreError) -> ProfileStore {
        let path = databaseURL(directory, profile: profile).path
        guard FileManager.default.fileExists(atPath: path) else { throw .corrupted }
        let cipher = try StoreCipher(storeKey: storeKey)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration())
            try migrator.migrate(queue)
            let check = try queue.read { db in
                try Data.fetchOne(db, sql: "SELECT value FROM settings WHERE name = 'check'")
            }
            guard let check, (try? cipher.open(Array(check), place: "settings.value", row: checkRow)) != nil else {
                throw StoreError.corrupted
            }
        } catch {
            throw .corrupted
        }
        return ProfileStore(directory: directory, profile: profile, database: queue, cipher: cipher)
    }

    /// The schema. Every column that could say who, what or when is sealed or a keyed hash; the
    /// clear columns are local sequence numbers, pool numbers and prekey ids.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // Named values: the account, the roster, counters. `value` is sealed.
            try db.execute(sql: "CREATE TABLE settings (name TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL)")
            // Private one-time prekeys by pool (3 X25519, 4 X-Wing) and id; `secret` is sealed.
            try db.execute(
                sql: """
                    CREATE TABLE prekeys (pool INTEGER NOT NULL, id INTEGER NOT NULL, secret BLOB NOT NULL,
                                          PRIMARY KEY (pool, id))
                    """)
            // Ratchet sessions by a keyed hash of the remote identity; `state` is sealed.
            try db.execute(sql: "CREATE TABLE sessions (peer BLOB PRIMARY KEY NOT NULL, state BLOB NOT NULL)")
            // Contacts (defenders, for experts) by a keyed hash of their identity; sealed card.
            try db.execute(sql: "CREATE TABLE contacts (peer BLOB PRIMARY KEY NOT NULL, record BLOB NOT NULL)")
            // Messages in and out, in local order; `lookup` is a keyed hash of the payload id.
            try db.execute(
                sql: """
                    CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, row BLOB NOT NULL UNIQUE,
                                           lookup BLOB NOT NULL, record BLOB NOT NULL)
                    """)
            try db.execute(sql: "CREATE INDEX messages_lookup ON messages (lookup)")
            // Sealed envelopes waiting for the relay's 201, in order.
            try db.execute(
                sql: """
                    CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, row BLOB NOT NULL UNIQUE,
                                         record BLOB NOT NULL)
                    """)
            // Messages with attachments still being uploaded, in order; `record` is sealed.
            try db.execute(
                sql: """
                    CREATE TABLE drafts (seq INTEGER PRIMARY KEY AUTOINCREMENT, row BLOB NOT NULL UNIQUE,
                                         record BLOB NOT NULL)
                    """)
            // Envelopes already committed, by a keyed hash of their digest, so a crash between the
            // commit and the acknowledgement does not process one twice.
            try db.execute(
                sql: "CREATE TABLE processed (digest BLOB PRIMARY KEY NOT NULL, day INTEGER NOT NULL)")
        }
        migrator.registerMigration("v2: triage events") { db in
            // Signed triage events (SPEC.md §16.3), made here or received from other experts:
            // `lookup` a keyed hash of the event id, `case_lookup` of the case, `event` sealed;
            // `pending` is 1 until a local event has been put in the outbox for every other expert.
            try db.execute(
                sql: """
                    CREATE TABLE triage (seq INTEGER PRIMARY KEY AUTOINCREMENT, row BLOB NOT NULL UNIQUE,
                                         lookup BLOB NOT NULL UNIQUE, case_lookup BLOB NOT NULL,
                                         pending INTEGER NOT NULL, event BLOB NOT NULL)
                    """)
            try db.execute(sql: "CREATE INDEX triage_case ON triage (case_lookup)")
        }
        migrator.registerMigration("v3: answered handshakes") { db in
            // Every handshake this device answered, by a keyed hash of keys(IK_A) ‖ EK_A (SPEC.md
            // §5.4), so that an old initial message arriving again never starts its session anew.
            try db.execute(sql: "CREATE TABLE handshakes (lookup BLOB PRIMARY KEY NOT NULL) WITHOUT ROWID")
        }
        return migrator
    }()

    // MARK: - Sealed settings

    /// The sealed value named `name`, opened.
    func setting(_ name: String, in db: Database) throws -> [UInt8]? {
        guard let sealed = try Data.fetchOne(db, sql: "SELECT value FROM settings WHERE name = ?", arguments: [name])
        else { return nil }
        return try cipher.open(Array(sealed), place: "settings.value", row: Array(name.utf8))
    }

    /// The sealed secret named `name`, opened into secret memory.
    func secretSetting(_ name: String, in db: Database) throws -> SecureBytes? {
        guard let sealed = try Data.fetchOne(db, sql: "SELECT value FROM settings WHERE name = ?", arguments: [name])
        else { return nil }
        return try cipher.openSecret(Array(sealed), place: "settings.value", row: Array(name.utf8))
    }

    /// Seals and stores `value` under `name`.
    func setSetting(_ name: String, _ value: some ContiguousBytesView, in db: Database) throws {
        let sealed = try cipher.seal(value, place: "settings.value", row: Array(name.utf8))
        try db.execute(
            sql:
                "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            arguments: [name, Data(sealed)])
    }
}
