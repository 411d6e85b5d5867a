// SPDX-License-Identifier: AGPL-3.0-or-later

import Crypto
import Foundation

/// The X-Wing hybrid KEM (ML-KEM-768 + X25519, draft-connolly-cfrg-xwing-kem-06), from
/// swift-crypto. It stays secure if either ML-KEM-768 or X25519 does.
public enum XWing {
    /// The seed (private key) length in bytes.
    public static let seedByteCount = 32
    /// The public (encapsulation) key length in bytes.
    public static let publicKeyByteCount = 1216
    /// The encapsulation (ciphertext) length in bytes.
    public static let encapsulationByteCount = 1120
    /// The shared secret length in bytes.
    public static let sharedSecretByteCount = 32

    /// The result of encapsulating to a public key.
    public struct Encapsulation: Sendable, CustomStringConvertible, CustomReflectable {
        /// The 32-byte shared secret.
        public let sharedSecret: SecureBytes
        /// The 1,120-byte encapsulation to send to the key's owner.
        public let encapsulation: [UInt8]

        /// Wraps a shared secret and its encapsulation: for replaying a recorded encapsulation in
        /// test vectors, since X-Wing's own encapsulation randomness cannot be fixed.
        public init(sharedSecret: SecureBytes, encapsulation: [UInt8]) {
            self.sharedSecret = sharedSecret
            self.encapsulation = encapsulation
        }

        public var description: String { "XWing.Encapsulation(redacted)" }
        public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
    }

    /// An X-Wing private (decapsulation) key, held as its 32-byte seed.
    ///
    /// The expanded ML-KEM key lives inside swift-crypto while this value exists; the seed lives
    /// in ``SecureBytes``. Its `description` never shows key bytes.
    public struct PrivateKey: Sendable, CustomStringConvertible, CustomReflectable {
        /// The 32-byte seed, from which the whole key pair is derived.
        public let seed: SecureBytes
        private let key: XWingMLKEM768X25519.PrivateKey
        /// The matching public key.
        public let publicKey: PublicKey

        /// A fresh random key.
        public init() {
            // Cannot fail: every 32-byte seed is a valid key.
            try! self.init(seed: SecureBytes.random(count: XWing.seedByteCount))
        }

        /// The key derived from `seed` as the draft's `GenerateKeyPairDerand` does.
        public init(seed: SecureBytes) throws(AmanatCryptoError) {
            guard seed.count == XWing.seedByteCount else { throw .invalidKeySize }
            do {
                key = try seed.withUnsafeBytes {
                    try XWingMLKEM768X25519.PrivateKey(seedRepresentation: Data($0), publicKey: nil)
                }
            } catch {
                throw .kemFailure
            }
            self.seed = seed
            publicKey = PublicKey(checked: key.publicKey)
        }

        /// Recovers the shared secret from an encapsulation made to ``publicKey``.
        ///
        /// X-Wing rejects implicitly: a well-formed but altered encapsulation yields an unrelated
        /// secret, which the AEAD that uses it then refuses.
        ///
        /// - Throws: ``AmanatCryptoError/invalidInputSize`` unless it is 1,120 bytes.
        public func decapsulate(_ encapsulation: some ContiguousBytesView) throws(AmanatCryptoError) -> SecureBytes {
            guard encapsulation.byteCount == XWing.encapsulationByteCount else { throw .invalidInputSize }
            do {
                return SecureBytes(try encapsulation.withBytes { try key.decapsulate(Data($0)) })
            } catch {
                throw .kemFailure
            }
        }

        var cryptoKitKey: XWingMLKEM768X25519.PrivateKey { key }

        public var description: String { "XWing.PrivateKey(redacted)" }
        public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
    }

    /// An X-Wing public (encapsulation) key.
    public struct PublicKey: Hashable, Sendable {
        /// The 1,216-byte encoding: ML-KEM-768 key ‖ X25519 key.
        public let rawRepresentation: [UInt8]
        private let key: XWingMLKEM768X25519.PublicKey

        /// Reads a 1,216-byte public key.
        ///
        /// - Throws: ``AmanatCryptoError/invalidKeySize`` for any other length,
        ///   ``AmanatCryptoError/kemFailure`` if swift-crypto refuses it.
        public init(rawRepresentation: some ContiguousBytesView) throws(AmanatCryptoError) {
            guard rawRepresentation.byteCount == XWing.publicKeyByteCount else { throw .invalidKeySize }
            do {
                key = try rawRepresentation.withBytes { try XWingMLKEM768X25519.PublicKey(rawRepresentation: $0) }
            } catch {
                throw .kemFailure
            }
            self.rawRepresentation = rawRepresentation.byteArray
        }

        fileprivate init(checked key: XWingMLKEM768X25519.PublicKey) {
            self.key = key
            rawRepresentation = Array(key.rawRepresentation)
        }

        /// A fresh shared secret and its encapsulation to this key.
        public func encapsulate() throws(AmanatCryptoError) -> Encapsulation {
            do {
                let result = try key.encapsulate()
                return Encapsulation(
                    sharedSecret: SecureBytes(result.sharedSecret), encapsulation: Array(result.encapsulated))
            } catch {
                throw .kemFailure
            }
        }

        var cryptoKitKey: XWingMLKEM768X25519.PublicKey { key }

        public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
            lhs.rawRepresentation == rhs.rawRepresentation
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(rawRepresentation)
        }
    }
}
