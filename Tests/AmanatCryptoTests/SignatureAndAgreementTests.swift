// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Testing

@Suite("Ed25519")
struct Ed25519Tests {
    struct Vector: Decodable {
        let comment: String
        let seed: String
        let publicKey: String
        let message: String
        let signature: String
        let valid: Bool
    }

    @Test("RFC 8032 vectors and their invalid variants")
    func vectors() throws {
        let file = try Vectors.load("ed25519", as: Vector.self)
        #expect(file.tests.filter(\.valid).count == 3)
        #expect(file.tests.filter { !$0.valid }.count >= 5)
        for vector in file.tests {
            let key = try Ed25519.PrivateKey(seed: SecureBytes(hex: vector.seed))
            let publicKey = try Ed25519.PublicKey(rawRepresentation: [UInt8](hex: vector.publicKey))
            let message = try [UInt8](hex: vector.message)
            let signature = try [UInt8](hex: vector.signature)
            #expect(key.publicKey == publicKey, "\(vector.comment)")
            #expect(publicKey.isValidSignature(signature, for: message) == vector.valid, "\(vector.comment)")
            if vector.valid {
                #expect(key.signature(for: message) == signature, "\(vector.comment)")
                try publicKey.verify(signature, for: message)
            } else {
                #expect(throws: AmanatCryptoError.authenticationFailure, "\(vector.comment)") {
                    try publicKey.verify(signature, for: message)
                }
            }
        }
    }

    @Test("sign, verify, and recover from the seed")
    func roundTrip() throws {
        let key = Ed25519.PrivateKey()
        let message: [UInt8] = Array("roster version 7".utf8)
        let signature = key.signature(for: message)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(signature, for: message + [0]))
        #expect(!key.publicKey.isValidSignature(signature.dropLast(), for: message))
        #expect(!Ed25519.PrivateKey().publicKey.isValidSignature(signature, for: message))
        let restored = try Ed25519.PrivateKey(seed: key.seed)
        #expect(restored.publicKey == key.publicKey)
        #expect(throws: AmanatCryptoError.invalidKeySize) {
            try Ed25519.PrivateKey(seed: SecureBytes.random(count: 31))
        }
        #expect(throws: AmanatCryptoError.invalidKeySize) {
            try Ed25519.PublicKey(rawRepresentation: [UInt8](repeating: 1, count: 33))
        }
    }

    @Test("a small-order public key verifies nothing")
    func smallOrderKey() throws {
        // The identity point: with it, R = identity and S = 0 would "verify" any message under
        // a lax verifier.
        let identity = try Ed25519.PublicKey(rawRepresentation: [1] + [UInt8](repeating: 0, count: 31))
        let forged = [1] + [UInt8](repeating: 0, count: 63)
        #expect(!identity.isValidSignature(forged, for: Array("anything".utf8)))
    }
}

@Suite("X25519")
struct X25519Tests {
    struct Vector: Decodable {
        let comment: String
        let privateKey: String
        let publicKey: String
        let shared: String
        let result: String
    }

    @Test("RFC 7748 vectors, and every small-order point is refused")
    func vectors() throws {
        let file = try Vectors.load("x25519", as: Vector.self)
        #expect(file.tests.filter { $0.result == "valid" }.count == 4)
        #expect(file.tests.filter { $0.result == "weakPublicKey" }.count >= 5)
        for vector in file.tests {
            let key = try X25519.PrivateKey(rawRepresentation: SecureBytes(hex: vector.privateKey))
            let peer = try X25519.PublicKey(rawRepresentation: [UInt8](hex: vector.publicKey))
            switch vector.result {
            case "valid":
                #expect(
                    try key.sharedSecret(with: peer).bytesForTesting == [UInt8](hex: vector.shared), "\(vector.comment)"
                )
            default:
                #expect(throws: AmanatCryptoError.weakPublicKey, "\(vector.comment)") {
                    try key.sharedSecret(with: peer)
                }
            }
        }
    }

    @Test("RFC 7748 section 6.1 public keys")
    func publicKeys() throws {
        let alice = try X25519.PrivateKey(
            rawRepresentation: SecureBytes(hex: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
        #expect(
            alice.publicKey.rawRepresentation.hex == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    }

    @Test("a public key (swift-crypto's base-point table) is libsodium's agreement with the base point")
    func publicKeyMatchesLadder() throws {
        // RFC 7748's base point u = 9: agreement with it runs libsodium's ladder on the scalar.
        let basePoint = try X25519.PublicKey(rawRepresentation: [9] + [UInt8](repeating: 0, count: 31))
        for _ in 0..<200 {
            let key = X25519.PrivateKey()
            let ladder = try key.sharedSecret(with: basePoint)
            #expect(ladder.withUnsafeBytes { Array($0) } == key.publicKey.rawRepresentation)
        }
    }

    @Test("both sides agree, and keys survive a round trip through their bytes")
    func agreement() throws {
        let alice = X25519.PrivateKey()
        let bob = X25519.PrivateKey()
        #expect(try alice.sharedSecret(with: bob.publicKey) == bob.sharedSecret(with: alice.publicKey))
        let restored = try X25519.PrivateKey(rawRepresentation: alice.rawRepresentation)
        #expect(restored.publicKey == alice.publicKey)
        #expect(throws: AmanatCryptoError.invalidKeySize) {
            try X25519.PublicKey(rawRepresentation: [UInt8](repeating: 9, count: 31))
        }
    }
}
