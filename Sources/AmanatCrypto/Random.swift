// SPDX-License-Identifier: AGPL-3.0-or-later

import CSodium

/// Random bytes from the system's secure generator (libsodium's `randombytes_buf`).
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { fillRandom($0) }
        return bytes
    }

    /// Fills `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        fillRandom(buffer)
    }
}

/// Reproducible pseudo-random bytes: libsodium's `randombytes_buf_deterministic`, which is the
/// ChaCha20 (IETF) keystream under the 32-byte seed with the 12-byte nonce "LibsodiumDRG" and
/// block counter 0.
///
/// For test vectors, under public seeds; and as a generator keyed by 32 fresh bytes of
/// ``SecureRandom`` when many random values are needed at once and none of them is a secret
/// key (a receipt tree's slots, salts and stand-ins, SPEC.md §8.4.1). Never for keys: anyone
/// with the seed has every output.
public enum DeterministicRandom {
    /// The seed length in bytes.
    public static let seedByteCount = Int(randombytes_SEEDBYTES)

    /// The first `count` bytes of the keystream under `seed`.
    ///
    /// - Throws: ``AmanatCryptoError/invalidKeySize`` unless the seed is 32 bytes.
    public static func bytes(count: Int, seed: some ContiguousBytesView) throws(AmanatCryptoError) -> [UInt8] {
        ensureSodium()
        guard seed.byteCount == seedByteCount else { throw .invalidKeySize }
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { output in
            seed.withBytes { seed in
                randombytes_buf_deterministic(output.mutableBytes, output.count, seed.bytes)
            }
        }
        return bytes
    }
}
