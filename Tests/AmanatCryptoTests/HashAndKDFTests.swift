// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Testing

@Suite("BLAKE2b")
struct BLAKE2bTests {
    struct Vector: Decodable {
        let comment: String
        let input: String
        let key: String
        let outputLength: Int
        let hash: String
    }

    @Test("RFC 7693 and reference KAT vectors, one-shot and incremental")
    func vectors() throws {
        let file = try Vectors.load("blake2b", as: Vector.self)
        #expect(file.tests.count >= 10)
        for vector in file.tests {
            let input = try [UInt8](hex: vector.input)
            let expected = try [UInt8](hex: vector.hash)
            if vector.key.isEmpty {
                #expect(try BLAKE2b.hash(input, outputByteCount: vector.outputLength) == expected, "\(vector.comment)")
                var hasher = try BLAKE2b.Hasher(outputByteCount: vector.outputLength)
                for byte in input { hasher.update([byte]) }
                #expect(hasher.finalize() == expected, "\(vector.comment), byte by byte")
                if vector.outputLength == 32 {
                    var output = [UInt8](repeating: 0, count: 32)
                    input.withUnsafeBytes { input in
                        output.withUnsafeMutableBytes { BLAKE2b.hash256(input, into: $0) }
                    }
                    #expect(output == expected, "\(vector.comment), hash256")
                }
            } else {
                let key = try SecureBytes(hex: vector.key)
                #expect(
                    try BLAKE2b.hash(input, key: key, outputByteCount: vector.outputLength) == expected,
                    "\(vector.comment)")
                var hasher = try BLAKE2b.Hasher(key: key, outputByteCount: vector.outputLength)
                hasher.update(input.prefix(input.count / 2))
                hasher.update(input.dropFirst(input.count / 2))
                #expect(hasher.finalize() == expected, "\(vector.comment), in two parts")
            }
        }
    }

    @Test("output and key lengths outside BLAKE2b's range are refused")
    func parameters() {
        #expect(throws: AmanatCryptoError.invalidParameters) { try BLAKE2b.hash([1], outputByteCount: 15) }
        #expect(throws: AmanatCryptoError.invalidParameters) { try BLAKE2b.hash([1], outputByteCount: 65) }
        #expect(throws: AmanatCryptoError.invalidKeySize) { try BLAKE2b.hash([1], key: SecureBytes.random(count: 15)) }
        #expect(throws: AmanatCryptoError.invalidKeySize) { try BLAKE2b.hash([1], key: SecureBytes.random(count: 65)) }
    }
}

@Suite("HKDF and HMAC")
struct KDFTests {
    struct HKDFVector: Decodable {
        let comment: String
        let ikm: String
        let salt: String
        let info: String
        let length: Int
        let okm: String
    }

    struct HMACVector: Decodable {
        let comment: String
        let key: String
        let data: String
        let mac: String
    }

    @Test("RFC 5869 HKDF-SHA256 test cases")
    func hkdf() throws {
        let file = try Vectors.load("hkdf-sha256", as: HKDFVector.self)
        #expect(file.tests.count == 3)
        for vector in file.tests {
            let okm = try HKDFSHA256.deriveKey(
                inputKeyMaterial: SecureBytes(hex: vector.ikm), salt: [UInt8](hex: vector.salt),
                info: [UInt8](hex: vector.info), outputByteCount: vector.length)
            #expect(okm.bytesForTesting == (try [UInt8](hex: vector.okm)), "\(vector.comment)")
        }
        #expect(throws: AmanatCryptoError.invalidParameters) {
            try HKDFSHA256.deriveKey(
                inputKeyMaterial: SecureBytes.random(count: 32), salt: [UInt8](), info: [UInt8](), outputByteCount: 0)
        }
        #expect(throws: AmanatCryptoError.invalidParameters) {
            try HKDFSHA256.deriveKey(
                inputKeyMaterial: SecureBytes.random(count: 32), salt: [UInt8](), info: [UInt8](),
                outputByteCount: HKDFSHA256.maximumOutputByteCount + 1)
        }
        // Split output: the same bytes as one derivation, cut where asked.
        for vector in file.tests where vector.length > 40 {
            let pieces = try HKDFSHA256.deriveKeys(
                inputKeyMaterial: SecureBytes(hex: vector.ikm), salt: [UInt8](hex: vector.salt),
                info: [UInt8](hex: vector.info), outputByteCounts: [32, 8, vector.length - 40])
            #expect(pieces.map(\.count) == [32, 8, vector.length - 40])
            #expect(pieces.flatMap(\.bytesForTesting) == (try [UInt8](hex: vector.okm)), "\(vector.comment)")
        }
        for counts in [[], [0], [32, -1], [Int.max, 1], [HKDFSHA256.maximumOutputByteCount, 1]] {
            #expect(throws: AmanatCryptoError.invalidParameters, "\(counts)") {
                try HKDFSHA256.deriveKeys(
                    inputKeyMaterial: SecureBytes.random(count: 32), salt: [UInt8](), info: [UInt8](),
                    outputByteCounts: counts)
            }
        }
    }

    @Test("RFC 4231 HMAC-SHA256 test cases, with constant-time checking")
    func hmac() throws {
        let file = try Vectors.load("hmac-sha256", as: HMACVector.self)
        #expect(file.tests.count == 3)
        for vector in file.tests {
            let key = try SecureBytes(hex: vector.key)
            let data = try [UInt8](hex: vector.data)
            let mac = try [UInt8](hex: vector.mac)
            #expect(HMACSHA256.authenticationCode(for: data, key: key) == mac, "\(vector.comment)")
            #expect(HMACSHA256.secretCode(for: data, key: key).bytesForTesting == mac)
            #expect(HMACSHA256.isValidAuthenticationCode(mac, for: data, key: key))
            var wrong = mac
            wrong[31] ^= 1
            #expect(!HMACSHA256.isValidAuthenticationCode(wrong, for: data, key: key))
            #expect(!HMACSHA256.isValidAuthenticationCode(mac.dropLast(), for: data, key: key))
        }
    }
}

@Suite("Argon2id")
struct Argon2idTests {
    struct Vector: Decodable {
        let comment: String
        let passphrase: String
        let salt: String
        let operations: Int
        let memoryKiB: Int
        let outputLength: Int
        let key: String
    }

    @Test("matches the Argon2 reference implementation")
    func vectors() throws {
        let file = try Vectors.load("argon2id", as: Vector.self)
        #expect(file.tests.count == 4)
        for vector in file.tests {
            let cost = try Argon2id.Cost(operations: vector.operations, memoryByteCount: vector.memoryKiB * 1024)
            let key = try Argon2id.deriveKey(
                from: SecureBytes(hex: vector.passphrase), salt: [UInt8](hex: vector.salt), cost: cost,
                byteCount: vector.outputLength)
            #expect(key.bytesForTesting == (try [UInt8](hex: vector.key)), "\(vector.comment)")
        }
    }

    @Test("named levels are libsodium's, and bad parameters are refused")
    func parameters() throws {
        #expect(Argon2id.Cost.interactive.operations == 2)
        #expect(Argon2id.Cost.interactive.memoryByteCount == 64 << 20)
        #expect(Argon2id.Cost.moderate.memoryByteCount == 256 << 20)
        #expect(Argon2id.Cost.sensitive.memoryByteCount == 1 << 30)
        #expect(throws: AmanatCryptoError.invalidParameters) {
            try Argon2id.Cost(operations: 0, memoryByteCount: 1 << 20)
        }
        #expect(throws: AmanatCryptoError.invalidParameters) { try Argon2id.Cost(operations: 1, memoryByteCount: 1024) }
        let cost = try Argon2id.Cost(operations: 1, memoryByteCount: 8192)
        let passphrase = SecureBytes(copying: Array("correct horse".utf8))
        #expect(throws: AmanatCryptoError.invalidInputSize) {
            try Argon2id.deriveKey(from: passphrase, salt: [UInt8](repeating: 0, count: 15), cost: cost)
        }
        #expect(throws: AmanatCryptoError.invalidParameters) {
            try Argon2id.deriveKey(from: passphrase, salt: Argon2id.generateSalt(), cost: cost, byteCount: 8)
        }
        let salt = Argon2id.generateSalt()
        let first = try Argon2id.deriveKey(from: passphrase, salt: salt, cost: cost)
        #expect(try Argon2id.deriveKey(from: passphrase, salt: salt, cost: cost) == first)
        #expect(
            try Argon2id.deriveKey(from: SecureBytes(copying: Array("correct horsE".utf8)), salt: salt, cost: cost)
                != first)
        #expect(try Argon2id.deriveKey(from: passphrase, salt: Argon2id.generateSalt(), cost: cost) != first)
    }
}

@Suite("SHA-256")
struct SHA256Tests {
    @Test("FIPS 180-2 appendix B examples: \"abc\", the empty string, and the 448-bit message")
    func knownAnswers() {
        let cases: [(String, String)] = [
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ]
        for (message, digest) in cases {
            #expect(SHA256Hash.hash(Array(message.utf8)).map { String(format: "%02x", $0) }.joined() == digest)
        }
    }
}
