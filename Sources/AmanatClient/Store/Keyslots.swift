// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation

/// Why a profile's keyslots could not be used.
public enum KeyslotError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No slot opens with that passphrase.
    case wrongPassphrase
    /// The keyslot file is missing, truncated or not a keyslot file.
    case corrupted
    /// The keyslot file exists already.
    case exists
    /// The file could not be written (permissions, disk full).
    case unwritable

    public var description: String {
        switch self {
        case .wrongPassphrase: "the passphrase is wrong"
        case .corrupted: "the profile's key file is damaged or missing"
        case .exists: "a profile exists here already"
        case .unwritable: "the profile's key file cannot be written"
        }
    }
}

/// The two keyslots that guard a profile's store keys (DESIGN §5, SPEC.md §15).
///
/// A random 32-byte store key per profile encrypts everything the profile stores. Each slot holds
/// one store key, sealed with XChaCha20-Poly1305 under Argon2id(passphrase, slot salt). Slot 0
/// opens the real profile; slot 1, once a duress passphrase is set, opens a decoy profile laid
/// out exactly like the real one. Until then slot 1 is random bytes of the same size, so the file
/// does not say whether a duress passphrase exists. Opening derives a key for every slot and tries
/// them all, whatever the first one gives, so the time taken does not say which slot (if any)
/// opened. Destroying this file (crypto-shredding) makes the stores unreadable at once.
public struct Keyslots: Sendable {
    static let magic = Array("AMKS".utf8)
    static let version: UInt8 = 1
    static let slotCount = 2
    static let headerByteCount = 4 + 1 + 1 + 4 + 4
    static let sealedByteCount = 32 + 1 + XChaCha20Poly1305.tagByteCount
    static let slotByteCount = Argon2id.saltByteCount + XChaCha20Poly1305.nonceByteCount + sealedByteCount
    /// The most Argon2id passes a keyslot file may ask for.
    static let maximumOperations = 10
    /// The most Argon2id memory a keyslot file may ask for, in KiB (4 GiB).
    static let maximumKibibytes = 4 << 20
    /// The file's size, always.
    public static let fileByteCount = headerByteCount + slotCount * slotByteCount

    /// What opening gives: which profile, and its store key.
    public struct Opened: Sendable {
        /// 0 for the real profile, 1 for the decoy.
        public let profile: Int
        /// The profile's store key.
        public let storeKey: SecureBytes
    }

    /// The file.
    public let url: URL
    /// The Argon2id cost (recorded in the file's header).
    public let cost: Argon2id.Cost

    /// The slots of the file at `url`.
    public init(url: URL, cost: Argon2id.Cost = .moderate) {
        self.url = url
        self.cost = cost
    }

    // MARK: - Creating and opening

    /// Creates the file: slot 0 seals `storeKey` (profile 0) under `passphrase`; slot 1 is random.
    ///
    /// - Throws: ``KeyslotError/exists`` or ``KeyslotError/unwritable``.
    public func create(passphrase: SecureBytes, storeKey: SecureBytes) throws(KeyslotError) {
        guard !FileManager.default.fileExists(atPath: url.path) else { throw .exists }
        try write(try sealedFile(passphrase: passphrase, storeKey: storeKey))
    }

    /// What ``create(passphrase:storeKey:)`` writes, computed (the slow Argon2id step included)
    /// but not written: ``commit(_:)`` writes it.
    func sealedFile(passphrase: SecureBytes, storeKey: SecureBytes) throws(KeyslotError) -> [UInt8] {
        let header = Self.header(cost)
        var file = header
        file += try seal(storeKey, profile: 0, slot: 0, passphrase: passphrase, header: header)
        file += SecureRandom.bytes(count: Self.slotByteCount)
        return file
    }

    /// Writes a file ``sealedFile(passphrase:storeKey:)`` made, unless one exists already.
    ///
    /// - Throws: ``KeyslotError/exists`` or ``KeyslotError/unwritable``.
    func commit(_ file: [UInt8]) throws(KeyslotError) {
        guard !FileManager.default.fileExists(atPath: url.path) else { throw .exists }
        try write(file)
    }

    /// The profile `passphrase` opens.
    ///
    /// - Throws: ``KeyslotError/wrongPassphrase`` or ``KeyslotError/corrupted``.
    public func open(passphrase: SecureBytes) throws(KeyslotError) -> Opened {
        let file = try read()
        var opened: Opened?
        // Every slot is tried, even after one opened: no timing shortcut.
        for slot in 0..<Self.slotCount {
            if let result = try? unseal(slot: slot, passphrase: passphrase, file: file), opened == nil {
                opened = result
            }
        }
        guard let opened else { throw .wrongPassphrase }
        return opened
    }

    /// Replaces the passphrase of the slot `current` opens.
    ///
    /// - Throws: ``KeyslotError/wrongPassphrase``, ``KeyslotError/corrupted``,
    ///   ``KeyslotError/unwritable``.
    public func changePassphrase(from current: SecureBytes, to new: SecureBytes) throws(KeyslotError) {
        let opened = try open(passphrase: current)
        try reseal(profile: opened.profile, storeKey: opened.storeKey, passphrase: new)
    }

    /// Sets (or replaces) the duress passphrase: slot 1 will open the decoy profile with
    /// `decoyStoreKey`. `passphrase` must open the real profile.
    ///
    /// - Throws: ``KeyslotError/wrongPassphrase`` unless `passphrase` opens profile 0.
    public func setDuressPassphrase(
        _ duress: SecureBytes, decoyStoreKey: SecureBytes, authorisedBy passphrase: SecureBytes
    ) throws(KeyslotError) {
        guard try open(passphrase: passphrase).profile == 0 else { throw .wrongPassphrase }
        try reseal(profile: 1, storeKey: decoyStoreKey, passphrase: duress)
    }

    /// Replaces the real profile's slot from the decoy: slot 0 will open profile 0 with
    /// `storeKey` under `new`. `passphrase` must open the decoy (profile 1). What slot 0 held is
    /// overwritten, so the real profile's store key is gone for good.
    ///
    /// - Throws: ``KeyslotError/wrongPassphrase`` unless `passphrase` opens profile 1.
    func replaceRealSlot(
        _ new: SecureBytes, storeKey: SecureBytes, authorisedBy passphrase: SecureBytes
    ) throws(KeyslotError) {
        guard try open(passphrase: passphrase).profile == 1 else { throw .wrongPassphrase }
        try reseal(profile: 0, storeKey: storeKey, passphrase: new)
    }

    /// Seals `storeKey` under `passphrase` into the slot of `profile` (slot n opens profile n),
    /// overwriting what the slot held; the other slots and the header are kept.
    private func reseal(profile: Int, storeKey: SecureBytes, passphrase: SecureBytes) throws(KeyslotError) {
        var file = try read()
        let header = Array(file[0..<Self.headerByteCount])
        file.replaceSubrange(
            Self.range(of: profile),
            with: try seal(storeKey, profile: profile, slot: profile, passphrase: passphrase, header: header))
        try write(file)
    }

    /// Overwrites the file with random bytes, flushes, and removes it: after this no passphrase
    /// opens anything, whatever copies of the stores remain.
    public func destroy() {
        if let handle = try? FileHandle(forWritingTo: url) {
            try? handle.write(contentsOf: Data(SecureRandom.bytes(count: Self.fileByteCount)))
            try? handle.synchronize()
            try? handle.close()
        }
        try? FileManager.default.removeItem(at: url)
    }

    // MARK: - Format

    static func header(_ cost: Argon2id.Cost) -> [UInt8] {
        var header = magic + [version, UInt8(slotCount)]
        for value in [UInt32(clamping: cost.operations), UInt32(clamping: cost.memoryByteCount / 1024)] {
            header += withUnsafeBytes(of: value.bigEndian) { Array($0) }
        }
        return header
    }

    static func range(of slot: Int) -> Range<Int> {
        let start = headerByteCount + slot * slotByteCount
        return start..<(start + slotByteCount)
    }

    /// The slot's associated data: the label, the header (so costs cannot be swapped) and the slot.
    static func associatedData(header: [UInt8], slot: Int) -> [UInt8] {
        let label = Array("amanat/v1/keyslot".utf8)
        var data: [UInt8] = []
        for field in [label, header, [UInt8(slot)]] {
            data += withUnsafeBytes(of: UInt32(field.count).bigEndian) { Array($0) } + field
        }
        return data
    }

    /// The cost a file's header records, checked.
    static func cost(inHeader header: ArraySlice<UInt8>) throws(KeyslotError) -> Argon2id.Cost {
        let bytes = Array(header)
        guard bytes.count == headerByteCount, Array(bytes[0..<4]) == magic, bytes[4] == version,
            bytes[5] == UInt8(slotCount)
        else { throw .corrupted }
        let operations = bytes[6..<10].reduce(0) { $0 << 8 | Int($1) }
        let kibibytes = bytes[10..<14].reduce(0) { $0 << 8 | Int($1) }
        // A file may not ask for more than this (libsodium's "sensitive" is 4 passes over 1 GiB):
        // a damaged or planted header must not make every command run for hours.
        guard (1...maximumOperations).contains(operations), kibibytes <= maximumKibibytes else { throw .corrupted }
        guard let cost = try? Argon2id.Cost(operations: operations, memoryByteCount: kibibytes * 1024) else {
            throw .corrupted
        }
        return cost
    }

    func seal(
        _ storeKey: SecureBytes, profile: Int, slot: Int, passphrase: SecureBytes, header: [UInt8]
    ) throws(KeyslotError) -> [UInt8] {
        guard storeKey.count == 32 else { throw .corrupted }
        let salt = Argon2id.generateSalt()
        let nonce = SecureRandom.bytes(count: XChaCha20Poly1305.nonceByteCount)
        guard
            let key = try? Argon2id.deriveKey(from: passphrase, salt: salt, cost: try Self.cost(inHeader: header[...]))
        else { throw .unwritable }
        // The store key and the profile index, assembled in secret memory.
        var plaintext = SecureBytes(zeroedCount: 33)
        plaintext.withUnsafeMutableBytes { output in
            storeKey.withUnsafeBytes { key in output.copyMemory(from: key) }
            output[32] = UInt8(profile)
        }
        guard
            let sealed = try? XChaCha20Poly1305.seal(
                plaintext, key: key, nonce: nonce, associatedData: Self.associatedData(header: header, slot: slot))
        else { throw .unwritable }
        return salt + nonce + sealed
    }

    func unseal(slot: Int, passphrase: SecureBytes, file: [UInt8]) throws(KeyslotError) -> Opened {
        let header = Array(file[0..<Self.headerByteCount])
        let cost = try Self.cost(inHeader: header[...])
        let bytes = file[Self.range(of: slot)]
        let salt = bytes.prefix(Argon2id.saltByteCount)
        let nonce = bytes.dropFirst(Argon2id.saltByteCount).prefix(XChaCha20Poly1305.nonceByteCount)
        let sealed = bytes.dropFirst(Argon2id.saltByteCount + XChaCha20Poly1305.nonceByteCount)
        guard let key = try? Argon2id.deriveKey(from: passphrase, salt: Array(salt), cost: cost) else {
            throw .corrupted
        }
        guard
            let plaintext = try? XChaCha20Poly1305.openSecret(
                Array(sealed), key: key, nonce: Array(nonce),
                associatedData: Self.associatedData(header: header, slot: slot)),
            plaintext.count == 33
        else { throw .wrongPassphrase }
        let profile = plaintext.withUnsafeBytes { Int($0[32]) }
        guard profile == slot else { throw .corrupted }
        return Opened(profile: profile, storeKey: plaintext.extracting(0..<32))
    }

    // MARK: - File

    func read() throws(KeyslotError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url.path), data.count == Self.fileByteCount else {
            throw .corrupted
        }
        let bytes = Array(data)
        _ = try Self.cost(inHeader: bytes[0..<Self.headerByteCount])
        return bytes
    }

    /// Writes to a temporary file, flushes it, and renames it over the old one: a crash leaves
    /// either the old slots or the new, never half of each.
    func write(_ bytes: [UInt8]) throws(KeyslotError) {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).new")
        do {
            try? FileManager.default.removeItem(at: temporary)
            guard
                FileManager.default.createFile(
                    atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600])
            else { throw KeyslotError.unwritable }
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, url.path) == 0 else { throw KeyslotError.unwritable }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .unwritable
        }
    }
}
