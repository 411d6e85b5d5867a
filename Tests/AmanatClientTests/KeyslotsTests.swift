// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocolVectors
import Foundation
import Testing

@testable import AmanatClient

@Suite("Profile keyslots")
struct KeyslotsTests {
    /// The cheapest Argon2id libsodium allows: the tests exercise the format, not the cost.
    static let cost = try! Argon2id.Cost(operations: 1, memoryByteCount: 8192)

    func withSlots(_ body: (Keyslots) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "amanat-slots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(Keyslots(url: directory.appendingPathComponent("keyslots"), cost: Self.cost))
    }

    static func secret(_ text: String) -> SecureBytes { SecureBytes(copying: Array(text.utf8)) }

    @Test("the passphrase opens the real profile's key; a wrong one is a typed error; creating twice is refused")
    func createAndOpen() throws {
        try withSlots { slots in
            let key = SecureBytes.random(count: 32)
            try slots.create(passphrase: Self.secret("correct horse"), storeKey: key)
            let opened = try slots.open(passphrase: Self.secret("correct horse"))
            #expect(opened.profile == 0 && opened.storeKey == key)
            #expect(throws: KeyslotError.wrongPassphrase) { try slots.open(passphrase: Self.secret("correct horsE")) }
            #expect(throws: KeyslotError.wrongPassphrase) { try slots.open(passphrase: Self.secret("")) }
            #expect(throws: KeyslotError.exists) {
                try slots.create(passphrase: Self.secret("other"), storeKey: SecureBytes.random(count: 32))
            }
            // Neither the key nor the passphrase is in the file.
            let file = Array(try Data(contentsOf: slots.url))
            #expect(file.count == Keyslots.fileByteCount && Keyslots.fileByteCount == 192)  // SPEC §15
            let keyBytes = key.withUnsafeBytes { Array($0) }
            #expect(!contains(file, keyBytes.prefix(8)) && !contains(file, Array("correct horse".utf8)))
            let attributes = try FileManager.default.attributesOfItem(atPath: slots.url.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
    }

    @Test("changing the passphrase keeps the store key; the old passphrase stops working")
    func changePassphrase() throws {
        try withSlots { slots in
            let key = SecureBytes.random(count: 32)
            try slots.create(passphrase: Self.secret("old"), storeKey: key)
            #expect(throws: KeyslotError.wrongPassphrase) {
                try slots.changePassphrase(from: Self.secret("wrong"), to: Self.secret("new"))
            }
            try slots.changePassphrase(from: Self.secret("old"), to: Self.secret("new"))
            #expect(try slots.open(passphrase: Self.secret("new")).storeKey == key)
            #expect(throws: KeyslotError.wrongPassphrase) { try slots.open(passphrase: Self.secret("old")) }
        }
    }

    @Test("a duress passphrase opens the decoy profile; the file looks the same with or without it")
    func duress() throws {
        try withSlots { slots in
            let real = SecureBytes.random(count: 32)
            let decoy = SecureBytes.random(count: 32)
            try slots.create(passphrase: Self.secret("real"), storeKey: real)
            let before = Array(try Data(contentsOf: slots.url))
            try slots.setDuressPassphrase(
                Self.secret("duress"), decoyStoreKey: decoy, authorisedBy: Self.secret("real"))
            let after = Array(try Data(contentsOf: slots.url))
            #expect(
                before.count == after.count
                    && before.prefix(Keyslots.headerByteCount) == after.prefix(Keyslots.headerByteCount))
            let opened = try slots.open(passphrase: Self.secret("duress"))
            #expect(opened.profile == 1 && opened.storeKey == decoy)
            #expect(try slots.open(passphrase: Self.secret("real")).storeKey == real)
            // The duress passphrase cannot replace itself or reach the real profile's settings.
            #expect(throws: KeyslotError.wrongPassphrase) {
                try slots.setDuressPassphrase(
                    Self.secret("other"), decoyStoreKey: SecureBytes.random(count: 32),
                    authorisedBy: Self.secret("duress"))
            }
            // Changing the duress passphrase changes slot 1 only.
            try slots.changePassphrase(from: Self.secret("duress"), to: Self.secret("duress 2"))
            #expect(try slots.open(passphrase: Self.secret("duress 2")).storeKey == decoy)
            #expect(try slots.open(passphrase: Self.secret("real")).profile == 0)
        }
    }

    @Test("a damaged, truncated or missing file is a typed error; destroy leaves nothing that opens")
    func damageAndDestroy() throws {
        try withSlots { slots in
            #expect(throws: KeyslotError.corrupted) { try slots.open(passphrase: Self.secret("x")) }
            try slots.create(passphrase: Self.secret("pass"), storeKey: SecureBytes.random(count: 32))
            let good = try Data(contentsOf: slots.url)
            var flipped = Array(good)
            flipped[Keyslots.headerByteCount + 60] ^= 1
            try Data(flipped).write(to: slots.url)
            #expect(throws: KeyslotError.wrongPassphrase) { try slots.open(passphrase: Self.secret("pass")) }
            var badHeader = Array(good)
            badHeader[0] ^= 1
            try Data(badHeader).write(to: slots.url)
            #expect(throws: KeyslotError.corrupted) { try slots.open(passphrase: Self.secret("pass")) }
            // A header with other costs no longer matches what the slot was sealed with.
            var otherCost = Array(good)
            otherCost[9] ^= 1
            try Data(otherCost).write(to: slots.url)
            #expect(throws: KeyslotError.self) { try slots.open(passphrase: Self.secret("pass")) }
            try Data(good.dropLast()).write(to: slots.url)
            #expect(throws: KeyslotError.corrupted) { try slots.open(passphrase: Self.secret("pass")) }
            try good.write(to: slots.url)
            _ = try slots.open(passphrase: Self.secret("pass"))
            slots.destroy()
            #expect(!FileManager.default.fileExists(atPath: slots.url.path))
            #expect(throws: KeyslotError.corrupted) { try slots.open(passphrase: Self.secret("pass")) }
        }
    }
}

func contains(_ haystack: [UInt8], _ needle: some Collection<UInt8>) -> Bool {
    let needle = Array(needle)
    guard !needle.isEmpty, needle.count <= haystack.count else { return false }
    return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
}

@Suite("Protocol/vectors/local-state.json: keyslots and store built from the spec alone")
struct LocalStateVectorTests {
    @Test("the client opens a keyslots file built from SPEC §15 alone, and reads its sealed column and lookup")
    func keyslotsAndStore() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Protocol/vectors/local-state.json")
        let vectors = try JSONDecoder().decode(LocalStateVectors.self, from: Data(contentsOf: url))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-ks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("keyslots")
        var fileBytes = try #require(bytes(hex: vectors.keyslots.file))
        try Data(fileBytes).write(to: file)
        let slots = Keyslots(url: file)
        let real = try slots.open(passphrase: SecureBytes(copying: Array(vectors.keyslots.passphrase.utf8)))
        #expect(
            real.profile == 0
                && real.storeKey.withUnsafeBytes { Array($0) }
                    == bytes(hex: vectors.keyslots.storeKey)
        )
        let decoy = try slots.open(passphrase: SecureBytes(copying: Array(vectors.keyslots.duressPassphrase.utf8)))
        #expect(
            decoy.profile == 1
                && decoy.storeKey.withUnsafeBytes { Array($0) }
                    == bytes(hex: vectors.keyslots.decoyStoreKey)
        )
        #expect(throws: KeyslotError.wrongPassphrase) {
            try slots.open(passphrase: SecureBytes(copying: Array("wrong".utf8)))
        }
        // The header is bound to every slot: a changed (still valid) cost opens nothing.
        fileBytes[13] ^= 1
        try Data(fileBytes).write(to: file)
        #expect(throws: KeyslotError.wrongPassphrase) {
            try slots.open(passphrase: SecureBytes(copying: Array(vectors.keyslots.passphrase.utf8)))
        }

        let cipher = try StoreCipher(storeKey: real.storeKey)
        let row = try #require(bytes(hex: vectors.store.row))
        let sealed = try #require(bytes(hex: vectors.store.sealed))
        #expect(
            try cipher.open(sealed, place: vectors.store.place, row: row)
                == bytes(hex: vectors.store.value))
        #expect(throws: StoreError.corrupted) { try cipher.open(sealed, place: "outbox.record", row: row) }
        #expect(
            cipher.lookup(
                vectors.store.lookupKind, try #require(bytes(hex: vectors.store.lookupValue)))
                == bytes(hex: vectors.store.lookup))
    }
}
