// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation
import GRDB
import Testing

@testable import AmanatClient

@Suite("ProfileStore")
struct ProfileStoreTests {
    static let cost = try! Argon2id.Cost(operations: 1, memoryByteCount: 8192)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-store-\(UUID().uuidString)")
    let passphrase = SecureBytes(copying: Array("correct horse".utf8))
    let duress = SecureBytes(copying: Array("duress words".utf8))

    func layout() -> [String: Int] {
        var sizes: [String: Int] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
            let attributes = try? FileManager.default.attributesOfItem(
                atPath: directory.appendingPathComponent(name).path)
            sizes[name] = (attributes?[.size] as? Int) ?? -1
        }
        return sizes
    }

    @Test("create, open, wrong passphrase, exists, change passphrase; files private to the user")
    func lifecycle() throws {
        defer { ProfileStore.wipe(at: directory) }
        let store = try ProfileStore.create(at: directory, passphrase: passphrase, cost: Self.cost)
        #expect(store.profile == 0)
        try store.database.write { db in try store.setSetting("note", Array("secret note".utf8), in: db) }
        #expect(throws: StoreError.exists) {
            try ProfileStore.create(at: directory, passphrase: passphrase, cost: Self.cost)
        }
        // A creation cut short before its keyslots were written does not block a new one.
        let unfinished = directory.appendingPathComponent("unfinished")
        try FileManager.default.createDirectory(at: unfinished, withIntermediateDirectories: true)
        try Data("half".utf8).write(to: ProfileStore.databaseURL(unfinished, profile: 0))
        let fresh = try ProfileStore.create(at: unfinished, passphrase: passphrase, cost: Self.cost)
        #expect(fresh.profile == 0)
        try fresh.database.close()
        ProfileStore.wipe(at: unfinished)
        #expect(throws: StoreError.wrongPassphrase) {
            try ProfileStore.open(at: directory, passphrase: SecureBytes(copying: Array("wrong".utf8)))
        }
        #expect(throws: StoreError.notFound) {
            try ProfileStore.open(at: directory.appendingPathComponent("nothing"), passphrase: passphrase)
        }
        let new = SecureBytes(copying: Array("new passphrase".utf8))
        try store.changePassphrase(from: passphrase, to: new)
        #expect(throws: StoreError.wrongPassphrase) { try ProfileStore.open(at: directory, passphrase: passphrase) }
        let reopened = try ProfileStore.open(at: directory, passphrase: new)
        #expect(try reopened.database.read { db in try reopened.setting("note", in: db) } == Array("secret note".utf8))
        let permissions = { (url: URL) in
            (try? FileManager.default.attributesOfItem(atPath: url.path))?[.posixPermissions] as? Int
        }
        #expect(permissions(directory) == 0o700)
        #expect(permissions(ProfileStore.databaseURL(directory, profile: 0)) == 0o600)
        #expect(permissions(ProfileStore.keyslotsURL(directory)) == 0o600)
        // The clear text is in no file.
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let data = (try? Data(contentsOf: directory.appendingPathComponent(name))) ?? Data()
            #expect(data.range(of: Data("secret note".utf8)) == nil, "\(name)")
        }
    }

    @Test(
        "the duress passphrase opens an empty decoy laid out like the real profile; from the decoy, a duress passphrase replaces the real profile"
    )
    func duressProfile() throws {
        defer { ProfileStore.wipe(at: directory) }
        let store = try ProfileStore.create(at: directory, passphrase: passphrase, cost: Self.cost)
        try store.database.write { db in try store.setSetting("note", Array("real".utf8), in: db) }
        let names = Set(layout().keys)
        #expect(names == ["keyslots", "profile-0.sqlite", "profile-1.sqlite", "files-0", "files-1"])
        let keyslotSize = layout()["keyslots"]
        try store.setDuressPassphrase(duress, authorisedBy: passphrase)
        #expect(Set(layout().keys) == names && layout()["keyslots"] == keyslotSize)
        let decoy = try ProfileStore.open(at: directory, passphrase: duress)
        #expect(decoy.profile == 1)
        #expect(try decoy.database.read { db in try decoy.setting("note", in: db) } == nil)
        #expect(throws: StoreError.wrongPassphrase) {
            try decoy.changePassphrase(from: passphrase, to: SecureBytes(copying: Array("x".utf8)))
        }
        #expect(throws: StoreError.wrongPassphrase) {
            try store.setDuressPassphrase(SecureBytes(copying: Array("y".utf8)), authorisedBy: duress)
        }
        let real = try ProfileStore.open(at: directory, passphrase: passphrase)
        #expect(real.profile == 0)
        #expect(try real.database.read { db in try real.setting("note", in: db) } == Array("real".utf8))
        try real.database.close()

        // From the decoy, a duress passphrase of its own replaces the real profile for good.
        let third = SecureBytes(copying: Array("third words".utf8))
        try decoy.setDuressPassphrase(third, authorisedBy: duress)
        #expect(try ProfileStore.open(at: directory, passphrase: duress).profile == 1)
        let replaced = try ProfileStore.open(at: directory, passphrase: third)
        #expect(replaced.profile == 0)
        #expect(try replaced.database.read { db in try replaced.setting("note", in: db) } == nil)
        #expect(throws: StoreError.wrongPassphrase) { try ProfileStore.open(at: directory, passphrase: passphrase) }
        #expect(Set(layout().keys) == names && layout()["keyslots"] == keyslotSize)
    }

    @Test("a damaged database is reported as corrupted and the keyslots stay as they were")
    func corruption() throws {
        defer { ProfileStore.wipe(at: directory) }
        let store = try ProfileStore.create(at: directory, passphrase: passphrase, cost: Self.cost)
        try store.database.write { db in try store.setSetting("note", Array("value".utf8), in: db) }
        try store.database.close()
        let keyslots = try Data(contentsOf: ProfileStore.keyslotsURL(directory))
        let databaseURL = ProfileStore.databaseURL(directory, profile: 0)
        var bytes = try Data(contentsOf: databaseURL)
        for index in 0..<16 { bytes[index] ^= 0x5A }
        try bytes.write(to: databaseURL)
        #expect(throws: StoreError.corrupted) { try ProfileStore.open(at: directory, passphrase: passphrase) }
        #expect(try Data(contentsOf: ProfileStore.keyslotsURL(directory)) == keyslots)
        try FileManager.default.removeItem(at: databaseURL)
        #expect(throws: StoreError.corrupted) { try ProfileStore.open(at: directory, passphrase: passphrase) }
    }

    @Test("a sealed value opens only in its own place and row, and not at all after tampering")
    func sealedColumns() throws {
        let cipher = try StoreCipher(storeKey: SecureBytes.random(count: 32))
        let sealed = try cipher.seal(Array("value".utf8), place: "messages.record", row: [1])
        #expect(try cipher.open(sealed, place: "messages.record", row: [1]) == Array("value".utf8))
        #expect(throws: StoreError.corrupted) { try cipher.open(sealed, place: "messages.record", row: [2]) }
        #expect(throws: StoreError.corrupted) { try cipher.open(sealed, place: "outbox.record", row: [1]) }
        var flipped = sealed
        flipped[30] ^= 1
        #expect(throws: StoreError.corrupted) { try cipher.open(flipped, place: "messages.record", row: [1]) }
        let other = try StoreCipher(storeKey: SecureBytes.random(count: 32))
        #expect(throws: StoreError.corrupted) { try other.open(sealed, place: "messages.record", row: [1]) }
        #expect(cipher.lookup("a", [1]) != other.lookup("a", [1]) && cipher.lookup("a", [1]) != cipher.lookup("b", [1]))
    }

    @Test("wipe removes every file of both profiles and nothing opens afterwards")
    func wipe() throws {
        let store = try ProfileStore.create(at: directory, passphrase: passphrase, cost: Self.cost)
        try store.setDuressPassphrase(duress, authorisedBy: passphrase)
        try Data("attachment".utf8).write(to: store.filesDirectory.appendingPathComponent("blob"))
        try store.database.close()
        ProfileStore.wipe(at: directory)
        #expect(!FileManager.default.fileExists(atPath: directory.path))
        #expect(throws: StoreError.notFound) { try ProfileStore.open(at: directory, passphrase: passphrase) }
    }
}
