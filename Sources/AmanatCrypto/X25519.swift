// SPDX-License-Identifier: AGPL-3.0-or-later

import CSodium
import Crypto
import Foundation

/// X25519 Diffie-Hellman (RFC 7748): agreement through libsodium's `crypto_scalarmult`, public
/// keys through swift-crypto's `Curve25519.KeyAgreement` (BoringSSL).
///
/// Both compute the same function (a test compares them on random scalars). On Linux, Debian's
/// libsodium 1.0.18 derives a public key with the full Montgomery ladder (about 29 µs on the
/// reference machine), swift-crypto's BoringSSL with a precomputed table of the base point
/// (about 13 µs), and the ratchet makes a key pair at every DH step (Benchmarks/ProtocolBenchmarks
/// "X25519 key pair"). Agreement stays with libsodium, which reports an all-zero result; the two
/// take the same time there. swift-crypto holds its copy of the scalar in heap memory it zeroes
/// on release but does not lock, for the moment the public key takes.
public enum X25519 {
    /// The key length in bytes, public or private.
    public static let keyByteCount = Int(crypto_scalarmult_BYTES)

    /// An X25519 private key. Its `description` never shows key bytes.
    public struct PrivateKey: Sendable, CustomStringConvertible, CustomReflectable {
        private let scalar: SecureBytes
        /// The matching public key.
        public let publicKey: PublicKey

        /// A fresh random key.
        public init() {
            // Cannot fail: the scalar has the right length.
            try! self.init(rawRepresentation: SecureBytes.random(count: X25519.keyByteCount))
        }

        /// The key with the 32-byte scalar `rawRepresentation` (clamped by the function, as
        /// RFC 7748 specifies).
        public init(rawRepresentation: SecureBytes) throws(AmanatCryptoError) {
            ensureSodium()
            guard rawRepresentation.count == X25519.keyByteCount else { throw .invalidKeySize }
            // swift-crypto keeps its copy of the scalar in storage it zeroes on release.
            let derived = try? rawRepresentation.withUnsafeBytes { scalar in
                try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: scalar).publicKey.rawRepresentation
            }
            // Cannot fail: every 32-byte string is a scalar, and the length was checked above.
            guard let derived, derived.count == X25519.keyByteCount else { throw .invalidKeySize }
            scalar = rawRepresentation
            publicKey = PublicKey(checked: [UInt8](derived))
        }

        /// The 32-byte scalar, for storing the key in the encrypted store.
        public var rawRepresentation: SecureBytes { scalar }

        /// The shared secret with `peer`.
        ///
        /// - Throws: ``AmanatCryptoError/weakPublicKey`` when the result is all zeros, which
        ///   happens exactly when `peer` is of small order (RFC 7748 §6.1 says to check).
        public func sharedSecret(with peer: PublicKey) throws(AmanatCryptoError) -> SecureBytes {
            var shared = SecureBytes(zeroedCount: X25519.keyByteCount)
            let status = shared.withUnsafeMutableBytes { shared in
                scalar.withUnsafeBytes { scalar in
                    peer.rawRepresentation.withUnsafeBytes { peer in
                        crypto_scalarmult(shared.mutableBytes, scalar.bytes, peer.bytes)
                    }
                }
            }
            let isZero = shared.withUnsafeBytes { sodium_is_zero($0.bytes, $0.count) == 1 }
            guard status == 0, !isZero else { throw .weakPublicKey }
            return shared
        }

        public var description: String { "X25519.PrivateKey(redacted)" }
        public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
    }

    /// An X25519 public key.
    public struct PublicKey: Hashable, Sendable {
        /// The 32-byte u-coordinate.
        public let rawRepresentation: [UInt8]

        /// Reads a 32-byte public key.
        ///
        /// - Throws: ``AmanatCryptoError/invalidKeySize`` for any other length.
        public init(rawRepresentation: some ContiguousBytesView) throws(AmanatCryptoError) {
            guard rawRepresentation.byteCount == X25519.keyByteCount else { throw .invalidKeySize }
            self.rawRepresentation = rawRepresentation.byteArray
        }

        fileprivate init(checked bytes: [UInt8]) {
            rawRepresentation = bytes
        }
    }
}
