// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// Where the protocol core gets randomness: the system's generator in the apps, a seeded
/// generator for test vectors (STYLE §5: randomness is injected).
public protocol EntropySource {
    /// `count` fresh bytes.
    mutating func bytes(count: Int) -> [UInt8]
}

extension EntropySource {
    /// `count` fresh bytes in secret memory.
    mutating func secret(count: Int) -> SecureBytes {
        var bytes = bytes(count: count)
        return SecureBytes(moving: &bytes)
    }

    /// A fresh X25519 key pair.
    mutating func x25519() -> X25519.PrivateKey {
        // Cannot fail: the scalar has the right length.
        try! X25519.PrivateKey(rawRepresentation: secret(count: X25519.keyByteCount))
    }

    /// A fresh X-Wing key pair.
    mutating func xWing() -> XWing.PrivateKey {
        // Cannot fail: every 32-byte seed is a valid key.
        try! XWing.PrivateKey(seed: secret(count: XWing.seedByteCount))
    }

    /// A fresh Ed25519 key pair.
    mutating func ed25519() -> Ed25519.PrivateKey {
        // Cannot fail: the seed has the right length.
        try! Ed25519.PrivateKey(seed: secret(count: Ed25519.seedByteCount))
    }
}

/// The system's secure random number generator.
public struct SystemEntropy: EntropySource, Sendable {
    /// The system generator.
    public init() {}

    public mutating func bytes(count: Int) -> [UInt8] {
        SecureRandom.bytes(count: count)
    }
}

/// A reproducible generator for test vectors (SPEC.md §2.4): request `i` (counting from 0) of
/// `n` bytes is `DRG(BLAKE2b-256(seed ‖ u64(i)), n)`, where DRG is libsodium's
/// `randombytes_buf_deterministic`. Never for real keys.
public struct SeededEntropy: EntropySource, Sendable {
    private let seed: [UInt8]
    private var counter: UInt64 = 0

    /// A generator from a 32-byte seed.
    public init(seed: [UInt8]) {
        precondition(seed.count == 32, "the seed must be 32 bytes")
        self.seed = seed
    }

    public mutating func bytes(count: Int) -> [UInt8] {
        var input = ByteWriter(capacity: 40)
        input.fixed(seed)
        input.u64(counter)
        counter += 1
        // Cannot fail: the output length and the derived seed length are fixed and valid.
        let derived = try! BLAKE2b.hash(input.bytes, outputByteCount: 32)
        return try! DeterministicRandom.bytes(count: count, seed: derived)
    }
}

/// Encapsulates to X-Wing keys. The system implementation is random; test vectors replay
/// recorded encapsulations, because X-Wing's randomness cannot be fixed through swift-crypto.
public protocol XWingEncapsulator {
    /// A shared secret and its encapsulation to `publicKey`.
    mutating func encapsulate(to publicKey: XWing.PublicKey) throws(ProtocolError) -> XWing.Encapsulation
}

/// Real, random X-Wing encapsulation.
public struct SystemEncapsulator: XWingEncapsulator, Sendable {
    /// The system encapsulator.
    public init() {}

    public mutating func encapsulate(to publicKey: XWing.PublicKey) throws(ProtocolError) -> XWing.Encapsulation {
        do {
            return try publicKey.encapsulate()
        } catch {
            throw .authenticationFailure
        }
    }
}
