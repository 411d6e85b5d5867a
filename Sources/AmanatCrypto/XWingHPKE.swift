// SPDX-License-Identifier: AGPL-3.0-or-later

import Crypto
import Foundation

/// HPKE (RFC 9180) base mode with the X-Wing KEM, HKDF-SHA256 and ChaCha20-Poly1305, from
/// swift-crypto: how Amanat seals an envelope to a recipient device (DESIGN §3 "Sealing").
///
/// Suite identifiers: KEM 0x647a (X-Wing), KDF 0x0001 (HKDF-SHA256), AEAD 0x0003
/// (ChaCha20-Poly1305). One message per HPKE context: the sequence number is always 0.
public enum XWingHPKE {
    /// The ciphersuite.
    static let ciphersuite = HPKE.Ciphersuite(kem: .XWingMLKEM768X25519, kdf: .HKDF_SHA256, aead: .chaChaPoly)
    /// The bytes the AEAD adds to the plaintext.
    public static let tagByteCount = 16

    /// An encapsulated key and the ciphertext sealed under it.
    public struct SealedMessage: Hashable, Sendable {
        /// The 1,120-byte X-Wing encapsulation (HPKE's `enc`).
        public let encapsulatedKey: [UInt8]
        /// The ciphertext and its 16-byte tag.
        public let ciphertext: [UInt8]

        /// Wraps an encapsulated key and a ciphertext received from elsewhere.
        public init(encapsulatedKey: [UInt8], ciphertext: [UInt8]) {
            self.encapsulatedKey = encapsulatedKey
            self.ciphertext = ciphertext
        }
    }

    /// Seals `plaintext` to `recipient`, binding `info` into the key schedule and
    /// `associatedData` into the AEAD.
    public static func seal(
        _ plaintext: some ContiguousBytesView,
        to recipient: XWing.PublicKey,
        info: some ContiguousBytesView,
        associatedData: some ContiguousBytesView = [UInt8]()
    ) throws(AmanatCryptoError) -> SealedMessage {
        do {
            var sender = try info.withBytes {
                try HPKE.Sender(recipientKey: recipient.cryptoKitKey, ciphersuite: ciphersuite, info: Data($0))
            }
            let ciphertext = try plaintext.withBytes { plaintext in
                try associatedData.withBytes { associatedData in
                    try sender.seal(plaintext, authenticating: associatedData)
                }
            }
            return SealedMessage(encapsulatedKey: Array(sender.encapsulatedKey), ciphertext: Array(ciphertext))
        } catch {
            throw .kemFailure
        }
    }

    /// Opens a message sealed to `recipient`'s public key with the same `info` and
    /// `associatedData`.
    ///
    /// - Throws: ``AmanatCryptoError/invalidInputSize`` for an encapsulated key that is not 1,120
    ///   bytes or a ciphertext shorter than a tag; ``AmanatCryptoError/authenticationFailure`` for
    ///   anything else that does not verify.
    public static func open(
        _ message: SealedMessage,
        with recipient: XWing.PrivateKey,
        info: some ContiguousBytesView,
        associatedData: some ContiguousBytesView = [UInt8]()
    ) throws(AmanatCryptoError) -> [UInt8] {
        guard message.encapsulatedKey.count == XWing.encapsulationByteCount,
            message.ciphertext.count >= tagByteCount
        else { throw .invalidInputSize }
        do {
            var receiver = try info.withBytes {
                try HPKE.Recipient(
                    privateKey: recipient.cryptoKitKey, ciphersuite: ciphersuite, info: Data($0),
                    encapsulatedKey: Data(message.encapsulatedKey))
            }
            let plaintext = try associatedData.withBytes { associatedData in
                try receiver.open(message.ciphertext, authenticating: associatedData)
            }
            return Array(plaintext)
        } catch {
            throw .authenticationFailure
        }
    }
}
