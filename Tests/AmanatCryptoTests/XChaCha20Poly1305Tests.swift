// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Testing

@Suite("XChaCha20-Poly1305")
struct XChaCha20Poly1305Tests {
    struct Vector: Decodable {
        let comment: String
        let key: String
        let nonce: String
        let aad: String
        let plaintext: String
        let ciphertext: String
        let tag: String
    }

    @Test("draft-irtf-cfrg-xchacha known answer")
    func knownAnswer() throws {
        let file = try Vectors.load("xchacha20poly1305", as: Vector.self)
        #expect(!file.tests.isEmpty)
        for vector in file.tests {
            let key = try SecureBytes(hex: vector.key)
            let nonce = try [UInt8](hex: vector.nonce)
            let aad = try [UInt8](hex: vector.aad)
            let plaintext = try [UInt8](hex: vector.plaintext)
            let expected = try [UInt8](hex: vector.ciphertext) + [UInt8](hex: vector.tag)
            let sealed = try XChaCha20Poly1305.seal(plaintext, key: key, nonce: nonce, associatedData: aad)
            #expect(sealed == expected, "\(vector.comment)")
            #expect(try XChaCha20Poly1305.open(expected, key: key, nonce: nonce, associatedData: aad) == plaintext)
        }
    }

    let key = XChaCha20Poly1305.generateKey()
    let nonce = [UInt8](repeating: 0x24, count: XChaCha20Poly1305.nonceByteCount)
    let aad: [UInt8] = Array("case-42".utf8)
    let plaintext: [UInt8] = Array("court hearing moved to Monday".utf8)

    @Test("round trip, including empty plaintext and empty associated data")
    func roundTrip() throws {
        for message in [plaintext, []] {
            for associated in [aad, []] {
                let sealed = try XChaCha20Poly1305.seal(message, key: key, nonce: nonce, associatedData: associated)
                #expect(sealed.count == message.count + XChaCha20Poly1305.tagByteCount)
                #expect(
                    try XChaCha20Poly1305.open(sealed, key: key, nonce: nonce, associatedData: associated) == message)
                let secret = try XChaCha20Poly1305.openSecret(
                    sealed, key: key, nonce: nonce, associatedData: associated)
                #expect(secret.bytesForTesting == message)
            }
        }
    }

    @Test("every single-bit flip at every byte position is rejected")
    func tamperEveryByte() throws {
        let sealed = try XChaCha20Poly1305.seal(plaintext, key: key, nonce: nonce, associatedData: aad)
        for position in sealed.indices {
            for bit in 0..<8 {
                var altered = sealed
                altered[position] ^= 1 << bit
                #expect(throws: AmanatCryptoError.authenticationFailure) {
                    try XChaCha20Poly1305.open(altered, key: key, nonce: nonce, associatedData: aad)
                }
            }
        }
    }

    @Test("truncation at every length is rejected with its error")
    func truncation() throws {
        let sealed = try XChaCha20Poly1305.seal(plaintext, key: key, nonce: nonce, associatedData: aad)
        for length in 0..<sealed.count {
            let expected: AmanatCryptoError =
                length < XChaCha20Poly1305.tagByteCount ? .invalidInputSize : .authenticationFailure
            #expect(throws: expected) {
                try XChaCha20Poly1305.open(Array(sealed.prefix(length)), key: key, nonce: nonce, associatedData: aad)
            }
        }
    }

    @Test("wrong key, wrong nonce and wrong associated data are rejected")
    func wrongInputs() throws {
        let sealed = try XChaCha20Poly1305.seal(plaintext, key: key, nonce: nonce, associatedData: aad)
        #expect(throws: AmanatCryptoError.authenticationFailure) {
            try XChaCha20Poly1305.open(sealed, key: XChaCha20Poly1305.generateKey(), nonce: nonce, associatedData: aad)
        }
        var otherNonce = nonce
        otherNonce[0] ^= 1
        #expect(throws: AmanatCryptoError.authenticationFailure) {
            try XChaCha20Poly1305.open(sealed, key: key, nonce: otherNonce, associatedData: aad)
        }
        #expect(throws: AmanatCryptoError.authenticationFailure) {
            try XChaCha20Poly1305.open(sealed, key: key, nonce: nonce, associatedData: Array("case-43".utf8))
        }
        #expect(throws: AmanatCryptoError.authenticationFailure) {
            try XChaCha20Poly1305.open(sealed, key: key, nonce: nonce)
        }
        #expect(throws: AmanatCryptoError.authenticationFailure) {
            try XChaCha20Poly1305.openSecret(sealed, key: key, nonce: nonce)
        }
    }

    @Test("keys and nonces of the wrong size are refused")
    func sizes() {
        #expect(throws: AmanatCryptoError.invalidKeySize) {
            try XChaCha20Poly1305.seal(plaintext, key: SecureBytes.random(count: 31), nonce: nonce)
        }
        #expect(throws: AmanatCryptoError.invalidNonceSize) {
            try XChaCha20Poly1305.seal(plaintext, key: key, nonce: [UInt8](repeating: 0, count: 12))
        }
        #expect(throws: AmanatCryptoError.invalidKeySize) {
            try XChaCha20Poly1305.open([UInt8](repeating: 0, count: 40), key: SecureBytes(zeroedCount: 0), nonce: nonce)
        }
    }

    @Test("combined form carries a fresh random nonce")
    func combined() throws {
        let first = try XChaCha20Poly1305.sealCombined(plaintext, key: key, associatedData: aad)
        let second = try XChaCha20Poly1305.sealCombined(plaintext, key: key, associatedData: aad)
        #expect(first.count == XChaCha20Poly1305.nonceByteCount + plaintext.count + XChaCha20Poly1305.tagByteCount)
        #expect(first.prefix(XChaCha20Poly1305.nonceByteCount) != second.prefix(XChaCha20Poly1305.nonceByteCount))
        #expect(try XChaCha20Poly1305.openCombined(first, key: key, associatedData: aad) == plaintext)
        #expect(throws: AmanatCryptoError.invalidInputSize) {
            try XChaCha20Poly1305.openCombined(Array(first.prefix(39)), key: key, associatedData: aad)
        }
        var altered = first
        altered[0] ^= 0x80
        #expect(throws: AmanatCryptoError.authenticationFailure) {
            try XChaCha20Poly1305.openCombined(altered, key: key, associatedData: aad)
        }
    }
}
