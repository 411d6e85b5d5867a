// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation
import Testing

@Suite("SecureBytes")
struct SecureBytesTests {
    @Test("wipe zeroes the same memory in place")
    func wipeZeroesInPlace() {
        var secret = SecureBytes.random(count: 64)
        #expect(secret.bytesForTesting != [UInt8](repeating: 0, count: 64))
        let addressBefore = secret.withUnsafeBytes { Int(bitPattern: $0.baseAddress) }
        secret.wipe()
        let (addressAfter, bytes) = secret.withUnsafeBytes { (Int(bitPattern: $0.baseAddress), Array($0)) }
        #expect(addressAfter == addressBefore)
        #expect(bytes == [UInt8](repeating: 0, count: 64))
    }

    @Test("wiping one copy leaves the other copy's bytes alone")
    func wipeKeepsValueSemantics() {
        let original = SecureBytes.random(count: 32)
        let expected = original.bytesForTesting
        var copy = original
        copy.wipe()
        #expect(copy.bytesForTesting == [UInt8](repeating: 0, count: 32))
        #expect(original.bytesForTesting == expected)
    }

    @Test("mutation copies shared storage first")
    func copyOnWrite() {
        let original = SecureBytes(copying: [1, 2, 3])
        var copy = original
        copy.withUnsafeMutableBytes { $0[0] = 9 }
        #expect(original.bytesForTesting == [1, 2, 3])
        #expect(copy.bytesForTesting == [9, 2, 3])
    }

    @Test("moving from an array zeroes and empties the array")
    func movingZeroesSource() {
        var source: [UInt8] = [7, 7, 7, 7]
        let secret = SecureBytes(moving: &source)
        #expect(source.isEmpty)
        #expect(secret.bytesForTesting == [7, 7, 7, 7])
    }

    @Test("equality compares contents and lengths")
    func equality() {
        let bytes: [UInt8] = Array(0..<32)
        #expect(SecureBytes(copying: bytes) == SecureBytes(copying: bytes))
        var changed = bytes
        changed[31] ^= 1
        #expect(SecureBytes(copying: bytes) != SecureBytes(copying: changed))
        #expect(SecureBytes(copying: bytes) != SecureBytes(copying: bytes.dropLast()))
        #expect(SecureBytes(zeroedCount: 0) == SecureBytes(copying: []))
        #expect(ConstantTime.equals(bytes, bytes))
        #expect(!ConstantTime.equals(bytes, changed))
        #expect(!ConstantTime.equals(bytes, Array(bytes.dropFirst())))
    }

    @Test("extracting and appending keep the right bytes")
    func slicing() {
        let secret = SecureBytes(copying: Array(0..<10))
        #expect(secret.extracting(2..<5).bytesForTesting == [2, 3, 4])
        #expect(secret.extracting(0..<0).count == 0)
        let joined = secret.extracting(0..<3).appending(secret.extracting(7..<10))
        #expect(joined.bytesForTesting == [0, 1, 2, 7, 8, 9])
    }

    @Test("small buffers come zeroed from the locked arena, across chunks and after reuse")
    func arenaSlots() {
        // More than one 64 KiB chunk of 64-byte slots.
        var buffers = (0..<3000).map { _ in SecureBytes.random(count: 48) }
        let allLocked = buffers.allSatisfy { $0.isMemoryLocked }
        #expect(allLocked)
        let addresses = Set(buffers.map { buffer in buffer.withUnsafeBytes { Int(bitPattern: $0.baseAddress) } })
        #expect(addresses.count == 3000)
        buffers.removeAll()
        // Released slots were zeroed by their owners before reuse.
        let fresh = (0..<3000).map { _ in SecureBytes(zeroedCount: 64) }
        let allZero = fresh.allSatisfy { $0.bytesForTesting.allSatisfy { $0 == 0 } }
        #expect(allZero)
        // A larger buffer is allocated (and locked) on its own.
        #expect(SecureBytes.random(count: 4096).isMemoryLocked)
    }

    @Test("random buffers differ and small ones are locked where the system allows")
    func randomness() {
        let first = SecureBytes.random(count: 32)
        let second = SecureBytes.random(count: 32)
        #expect(first != second)
        // RLIMIT_MEMLOCK here is at least 64 KiB, so a 32-byte buffer can be locked.
        #expect(first.isMemoryLocked)
    }
}

@Suite("Secrets are never printed")
struct RedactionTests {
    /// Every way Swift turns a value into text: print, interpolation, debugPrint and dump.
    static func renderings(of value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), "\(value)", String(reflecting: value), dumped]
    }

    static func expectNoLeak(of secret: [UInt8], in value: Any, _ comment: Comment) {
        let hex = secret.hex
        let decimal = secret.prefix(8).map(String.init).joined(separator: ", ")
        let base64 = Data(secret).base64EncodedString()
        for text in renderings(of: value) {
            let lowered = text.lowercased()
            #expect(!lowered.contains(hex.prefix(16)), comment)
            #expect(!text.contains(decimal), comment)
            #expect(!text.contains(base64.prefix(12)), comment)
        }
    }

    @Test("no secret-holding type shows its key bytes")
    func secretTypesAreRedacted() throws {
        let secret = SecureBytes(copying: Array(100..<132))
        Self.expectNoLeak(of: secret.bytesForTesting, in: secret, "SecureBytes")

        let signing = try Ed25519.PrivateKey(seed: secret)
        Self.expectNoLeak(of: secret.bytesForTesting, in: signing, "Ed25519.PrivateKey")

        let agreement = try X25519.PrivateKey(rawRepresentation: secret)
        Self.expectNoLeak(of: secret.bytesForTesting, in: agreement, "X25519.PrivateKey")
        let shared = try agreement.sharedSecret(with: X25519.PrivateKey().publicKey)
        Self.expectNoLeak(of: shared.bytesForTesting, in: shared, "X25519 shared secret")

        let kem = try XWing.PrivateKey(seed: secret)
        Self.expectNoLeak(of: secret.bytesForTesting, in: kem, "XWing.PrivateKey")
        let encapsulation = try kem.publicKey.encapsulate()
        Self.expectNoLeak(
            of: encapsulation.sharedSecret.bytesForTesting, in: encapsulation, "XWing.Encapsulation")

        for text in Self.renderings(of: secret) {
            #expect(text.contains("redacted"))
        }
    }

    @Test("errors describe themselves without data")
    func errorsAreFixedSentences() {
        let error = AmanatCryptoError.authenticationFailure
        #expect(String(describing: error) == "authentication failed: the data was altered or the key is wrong")
    }
}
