// SPDX-License-Identifier: AGPL-3.0-or-later

import CSodium

/// Argon2id (version 1.3) key derivation from a passphrase, through libsodium's `crypto_pwhash`.
///
/// Used to wrap a random store key under a passphrase: the derived key never encrypts data
/// directly, so a passphrase change only rewraps the store key.
public enum Argon2id {
    /// The salt length in bytes.
    public static let saltByteCount = Int(crypto_pwhash_argon2id_SALTBYTES)

    /// How much work and memory one derivation costs. Parallelism is always 1 (libsodium's).
    public struct Cost: Hashable, Sendable, CustomStringConvertible {
        /// The number of passes over memory (Argon2's `t`).
        public let operations: Int
        /// The memory used, in bytes (Argon2's `m` × 1024).
        public let memoryByteCount: Int

        /// libsodium's "interactive" level: 2 passes over 64 MiB. For unlocking on a phone.
        public static let interactive = Cost(
            checked: Int(crypto_pwhash_argon2id_opslimit_interactive()),
            Int(crypto_pwhash_argon2id_memlimit_interactive()))
        /// libsodium's "moderate" level: 3 passes over 256 MiB. Amanat's default for a laptop.
        public static let moderate = Cost(
            checked: Int(crypto_pwhash_argon2id_opslimit_moderate()),
            Int(crypto_pwhash_argon2id_memlimit_moderate()))
        /// libsodium's "sensitive" level: 4 passes over 1 GiB. For an organisation root key.
        public static let sensitive = Cost(
            checked: Int(crypto_pwhash_argon2id_opslimit_sensitive()),
            Int(crypto_pwhash_argon2id_memlimit_sensitive()))

        /// A custom cost, checked against libsodium's limits (at least 1 pass and 8 KiB).
        ///
        /// - Throws: ``AmanatCryptoError/invalidParameters`` outside the limits.
        public init(operations: Int, memoryByteCount: Int) throws(AmanatCryptoError) {
            guard operations >= Int(crypto_pwhash_argon2id_opslimit_min()),
                operations <= Int(UInt32.max),
                memoryByteCount >= Int(crypto_pwhash_argon2id_memlimit_min()),
                memoryByteCount <= Int(crypto_pwhash_argon2id_memlimit_max())
            else { throw .invalidParameters }
            self.init(checked: operations, memoryByteCount)
        }

        private init(checked operations: Int, _ memoryByteCount: Int) {
            self.operations = operations
            self.memoryByteCount = memoryByteCount
        }

        public var description: String {
            "Argon2id(t=\(operations), m=\(memoryByteCount / 1024) KiB, p=1)"
        }
    }

    /// A fresh random salt.
    public static func generateSalt() -> [UInt8] {
        var salt = [UInt8](repeating: 0, count: saltByteCount)
        salt.withUnsafeMutableBytes { fillRandom($0) }
        return salt
    }

    /// Derives `byteCount` bytes of key from `passphrase` and `salt` at `cost`.
    ///
    /// - Throws: ``AmanatCryptoError/invalidInputSize`` for a salt that is not 16 bytes,
    ///   ``AmanatCryptoError/invalidParameters`` for an output length outside 16...64 bytes, and
    ///   ``AmanatCryptoError/resourceExhausted`` when the memory cannot be had.
    public static func deriveKey(
        from passphrase: SecureBytes,
        salt: some ContiguousBytesView,
        cost: Cost,
        byteCount: Int = 32
    ) throws(AmanatCryptoError) -> SecureBytes {
        ensureSodium()
        guard salt.byteCount == saltByteCount else { throw .invalidInputSize }
        guard (16...64).contains(byteCount) else { throw .invalidParameters }
        var key = SecureBytes(zeroedCount: byteCount)
        let status = salt.withBytes { salt in
            passphrase.withUnsafeBytes { passphrase in
                key.withUnsafeMutableBytes { key in
                    crypto_pwhash(
                        key.mutableBytes, UInt64(key.count),
                        UnsafeRawPointer(passphrase.bytes).assumingMemoryBound(to: CChar.self), passphrase.length,
                        salt.bytes, UInt64(cost.operations), cost.memoryByteCount,
                        crypto_pwhash_ALG_ARGON2ID13)
                }
            }
        }
        guard status == 0 else { throw .resourceExhausted }
        return key
    }
}
