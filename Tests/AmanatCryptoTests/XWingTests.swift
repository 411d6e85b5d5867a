// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation
import Testing

@Suite("X-Wing")
struct XWingTests {
    struct Vector: Decodable {
        let comment: String
        let seed: String
        let publicKey: String
        let encapsulation: String
        let sharedSecret: String
    }

    @Test("draft-connolly-cfrg-xwing-kem vectors: key generation from seed and decapsulation")
    func vectors() throws {
        let file = try Vectors.load("xwing", as: Vector.self)
        #expect(file.tests.count == 3)
        for vector in file.tests {
            let key = try XWing.PrivateKey(seed: SecureBytes(hex: vector.seed))
            #expect(key.publicKey.rawRepresentation == (try [UInt8](hex: vector.publicKey)), "\(vector.comment)")
            let shared = try key.decapsulate([UInt8](hex: vector.encapsulation))
            #expect(shared.bytesForTesting == (try [UInt8](hex: vector.sharedSecret)), "\(vector.comment)")
        }
    }

    @Test("encapsulate and decapsulate agree; an altered encapsulation gives another secret")
    func roundTrip() throws {
        let key = XWing.PrivateKey()
        let result = try key.publicKey.encapsulate()
        #expect(result.encapsulation.count == XWing.encapsulationByteCount)
        #expect(try key.decapsulate(result.encapsulation) == result.sharedSecret)
        var altered = result.encapsulation
        altered[500] ^= 1
        #expect(try key.decapsulate(altered) != result.sharedSecret)
        #expect(try XWing.PrivateKey().decapsulate(result.encapsulation) != result.sharedSecret)
        let parsed = try XWing.PublicKey(rawRepresentation: key.publicKey.rawRepresentation)
        #expect(parsed == key.publicKey)
        #expect(try XWing.PrivateKey(seed: key.seed).publicKey == key.publicKey)
    }

    @Test("wrong sizes are refused")
    func sizes() throws {
        let key = XWing.PrivateKey()
        #expect(throws: AmanatCryptoError.invalidInputSize) { try key.decapsulate([UInt8](repeating: 0, count: 1119)) }
        #expect(throws: AmanatCryptoError.invalidKeySize) {
            try XWing.PublicKey(rawRepresentation: [UInt8](repeating: 0, count: 1215))
        }
        #expect(throws: AmanatCryptoError.invalidKeySize) { try XWing.PrivateKey(seed: SecureBytes.random(count: 64)) }
    }
}

@Suite("HPKE with X-Wing")
struct XWingHPKETests {
    /// RFC 9180 appendix A's vector format, restricted to what a base-mode, one-message use
    /// can check through swift-crypto's API (it cannot fix the sender's randomness).
    struct Vector: Codable {
        struct Encryption: Codable {
            let aad: String
            let pt: String
            let ct: String
        }

        let mode: Int
        let kemID: Int
        let kdfID: Int
        let aeadID: Int
        let info: String
        let skRm: String
        let pkRm: String
        let enc: String
        let encryptions: [Encryption]

        enum CodingKeys: String, CodingKey {
            case mode, info, skRm, pkRm, enc, encryptions
            case kemID = "kem_id"
            case kdfID = "kdf_id"
            case aeadID = "aead_id"
        }
    }

    static let vectorFile = "hpke-xwing"

    @Test("recorded vectors in RFC 9180 format open to their plaintext")
    func vectors() throws {
        let file = try Vectors.load(Self.vectorFile, as: Vector.self)
        #expect(file.tests.count >= 3)
        for vector in file.tests {
            #expect(vector.mode == 0 && vector.kemID == 0x647a && vector.kdfID == 1 && vector.aeadID == 3)
            let recipient = try XWing.PrivateKey(seed: SecureBytes(hex: vector.skRm))
            #expect(recipient.publicKey.rawRepresentation == (try [UInt8](hex: vector.pkRm)))
            for encryption in vector.encryptions {
                let message = XWingHPKE.SealedMessage(
                    encapsulatedKey: try [UInt8](hex: vector.enc), ciphertext: try [UInt8](hex: encryption.ct))
                let opened = try XWingHPKE.open(
                    message, with: recipient, info: [UInt8](hex: vector.info),
                    associatedData: [UInt8](hex: encryption.aad))
                #expect(opened == (try [UInt8](hex: encryption.pt)))
            }
        }
    }

    /// Rewrites the vector file: `AMANAT_WRITE_VECTORS=1 swift test --filter XWingHPKETests`.
    @Test(
        "regenerate the recorded vectors",
        .enabled(if: ProcessInfo.processInfo.environment["AMANAT_WRITE_VECTORS"] == "1"))
    func regenerate() throws {
        var tests: [Vector] = []
        let cases: [(info: String, aad: String, plaintext: String)] = [
            ("amanat/v1/seal", "", "hello"),
            ("amanat/v1/seal", "mailbox-0001", "Суд перенесён на понедельник."),
            ("", "", ""),
        ]
        for (index, item) in cases.enumerated() {
            let seed = SecureBytes(copying: (0..<32).map { UInt8(index * 32 + $0) })
            let recipient = try XWing.PrivateKey(seed: seed)
            let sealed = try XWingHPKE.seal(
                Array(item.plaintext.utf8), to: recipient.publicKey, info: Array(item.info.utf8),
                associatedData: Array(item.aad.utf8))
            tests.append(
                Vector(
                    mode: 0, kemID: 0x647a, kdfID: 1, aeadID: 3, info: Array(item.info.utf8).hex,
                    skRm: seed.bytesForTesting.hex, pkRm: recipient.publicKey.rawRepresentation.hex,
                    enc: sealed.encapsulatedKey.hex,
                    encryptions: [
                        .init(
                            aad: Array(item.aad.utf8).hex, pt: Array(item.plaintext.utf8).hex, ct: sealed.ciphertext.hex
                        )
                    ]))
        }
        struct File: Encodable {
            let source: String
            let tests: [Vector]
        }
        let source =
            "Recorded from swift-crypto 4.5.2's HPKE (RFC 9180 base mode) with KEM X-Wing 0x647a "
            + "(draft-connolly-cfrg-xwing-kem-06), KDF HKDF-SHA256, AEAD ChaCha20-Poly1305; skRm is the X-Wing seed"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(File(source: source, tests: tests)).write(to: Vectors.sourceURL(Self.vectorFile))
    }

    let recipient = XWing.PrivateKey()
    let info: [UInt8] = Array("amanat/v1/seal".utf8)
    let aad: [UInt8] = Array("mailbox".utf8)
    let plaintext: [UInt8] = Array("case update: detained at 14:00".utf8)

    @Test("round trip, and any altered byte of the ciphertext is rejected")
    func tamper() throws {
        let sealed = try XWingHPKE.seal(plaintext, to: recipient.publicKey, info: info, associatedData: aad)
        #expect(sealed.encapsulatedKey.count == XWing.encapsulationByteCount)
        #expect(sealed.ciphertext.count == plaintext.count + XWingHPKE.tagByteCount)
        #expect(try XWingHPKE.open(sealed, with: recipient, info: info, associatedData: aad) == plaintext)
        for position in sealed.ciphertext.indices {
            var ciphertext = sealed.ciphertext
            ciphertext[position] ^= 0x01
            let altered = XWingHPKE.SealedMessage(encapsulatedKey: sealed.encapsulatedKey, ciphertext: ciphertext)
            #expect(throws: AmanatCryptoError.authenticationFailure) {
                try XWingHPKE.open(altered, with: recipient, info: info, associatedData: aad)
            }
        }
        for position in stride(from: 0, to: sealed.encapsulatedKey.count, by: 97) {
            var encapsulatedKey = sealed.encapsulatedKey
            encapsulatedKey[position] ^= 0x01
            let altered = XWingHPKE.SealedMessage(encapsulatedKey: encapsulatedKey, ciphertext: sealed.ciphertext)
            #expect(throws: AmanatCryptoError.authenticationFailure) {
                try XWingHPKE.open(altered, with: recipient, info: info, associatedData: aad)
            }
        }
    }

    @Test("wrong recipient, info or associated data, and short inputs are rejected")
    func wrongInputs() throws {
        let sealed = try XWingHPKE.seal(plaintext, to: recipient.publicKey, info: info, associatedData: aad)
        #expect(throws: AmanatCryptoError.authenticationFailure) {
            try XWingHPKE.open(sealed, with: XWing.PrivateKey(), info: info, associatedData: aad)
        }
        #expect(throws: AmanatCryptoError.authenticationFailure) {
            try XWingHPKE.open(sealed, with: recipient, info: Array("amanat/v1/other".utf8), associatedData: aad)
        }
        #expect(throws: AmanatCryptoError.authenticationFailure) {
            try XWingHPKE.open(sealed, with: recipient, info: info, associatedData: [UInt8]())
        }
        let shortKey = XWingHPKE.SealedMessage(
            encapsulatedKey: Array(sealed.encapsulatedKey.dropLast()), ciphertext: sealed.ciphertext)
        #expect(throws: AmanatCryptoError.invalidInputSize) {
            try XWingHPKE.open(shortKey, with: recipient, info: info, associatedData: aad)
        }
        let shortText = XWingHPKE.SealedMessage(
            encapsulatedKey: sealed.encapsulatedKey, ciphertext: Array(sealed.ciphertext.prefix(15)))
        #expect(throws: AmanatCryptoError.invalidInputSize) {
            try XWingHPKE.open(shortText, with: recipient, info: info, associatedData: aad)
        }
    }
}
