// SPDX-License-Identifier: AGPL-3.0-or-later

import CSodium

/// Ed25519 signatures (RFC 8032) through libsodium's `crypto_sign`.
///
/// libsodium's verification rejects non-canonical signatures and small-order public keys and
/// R values, which closes the malleability and key-substitution tricks RFC 8032 leaves open.
public enum Ed25519 {
    /// The public key length in bytes.
    public static let publicKeyByteCount = Int(crypto_sign_PUBLICKEYBYTES)
    /// The seed (private key) length in bytes.
    public static let seedByteCount = Int(crypto_sign_SEEDBYTES)
    /// The signature length in bytes.
    public static let signatureByteCount = Int(crypto_sign_BYTES)

    /// An Ed25519 signing key. Its `description` never shows key bytes.
    public struct PrivateKey: Sendable, CustomStringConvertible, CustomReflectable {
        /// libsodium's 64-byte secret key: seed ‖ public key.
        private let secretKey: SecureBytes
        /// The matching public key.
        public let publicKey: PublicKey

        /// A fresh random key.
        public init() {
            // Cannot fail: the seed has the right length.
            try! self.init(seed: SecureBytes.random(count: Ed25519.seedByteCount))
        }

        /// The key whose 32-byte seed (RFC 8032's private key) is `seed`.
        public init(seed: SecureBytes) throws(AmanatCryptoError) {
            ensureSodium()
            guard seed.count == Ed25519.seedByteCount else { throw .invalidKeySize }
            var secretKey = SecureBytes(zeroedCount: Int(crypto_sign_SECRETKEYBYTES))
            var publicBytes = [UInt8](repeating: 0, count: Ed25519.publicKeyByteCount)
            secretKey.withUnsafeMutableBytes { secretKey in
                seed.withUnsafeBytes { seed in
                    publicBytes.withUnsafeMutableBytes { publicBytes in
                        _ = crypto_sign_seed_keypair(publicBytes.mutableBytes, secretKey.mutableBytes, seed.bytes)
                    }
                }
            }
            self.secretKey = secretKey
            publicKey = PublicKey(checked: publicBytes)
        }

        /// The 32-byte seed, for storing the key in the encrypted store.
        public var seed: SecureBytes { secretKey.extracting(0..<Ed25519.seedByteCount) }

        /// The signature of `message`.
        public func signature(for message: some ContiguousBytesView) -> [UInt8] {
            var signature = [UInt8](repeating: 0, count: Ed25519.signatureByteCount)
            signature.withUnsafeMutableBytes { signature in
                message.withBytes { message in
                    secretKey.withUnsafeBytes { secretKey in
                        _ = crypto_sign_detached(
                            signature.mutableBytes, nil, message.bytes, message.length, secretKey.bytes)
                    }
                }
            }
            return signature
        }

        public var description: String { "Ed25519.PrivateKey(redacted)" }
        public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
    }

    /// An Ed25519 verification key.
    public struct PublicKey: Hashable, Sendable {
        /// The 32-byte encoding.
        public let rawRepresentation: [UInt8]

        /// Reads a 32-byte public key.
        ///
        /// - Throws: ``AmanatCryptoError/invalidKeySize`` for any other length.
        public init(rawRepresentation: some ContiguousBytesView) throws(AmanatCryptoError) {
            guard rawRepresentation.byteCount == Ed25519.publicKeyByteCount else { throw .invalidKeySize }
            self.rawRepresentation = rawRepresentation.byteArray
        }

        fileprivate init(checked bytes: [UInt8]) {
            rawRepresentation = bytes
        }

        /// Whether `signature` is a valid signature of `message` by this key.
        public func isValidSignature(
            _ signature: some ContiguousBytesView, for message: some ContiguousBytesView
        ) -> Bool {
            guard signature.byteCount == Ed25519.signatureByteCount else { return false }
            return signature.withBytes { signature in
                message.withBytes { message in
                    rawRepresentation.withUnsafeBytes { publicKey in
                        crypto_sign_verify_detached(signature.bytes, message.bytes, message.length, publicKey.bytes)
                            == 0
                    }
                }
            }
        }

        /// Checks that `signature` is a valid signature of `message` by this key.
        ///
        /// - Throws: ``AmanatCryptoError/authenticationFailure`` if it is not.
        public func verify(
            _ signature: some ContiguousBytesView, for message: some ContiguousBytesView
        ) throws(AmanatCryptoError) {
            guard isValidSignature(signature, for: message) else { throw .authenticationFailure }
        }
    }
}
