// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// A device's long-term identity, private half: an Ed25519 signing key and an X25519 agreement
/// key (SPEC.md §4.1). Its `description` never shows key bytes.
public struct DeviceIdentity: Sendable, CustomStringConvertible, CustomReflectable {
    /// The Ed25519 key that signs prekeys, certificates and the agreement key.
    public let signingKey: Ed25519.PrivateKey
    /// The X25519 key used in the handshake.
    public let agreementKey: X25519.PrivateKey
    /// The public half, with the agreement key's signature.
    public let publicKey: IdentityKey

    /// Restores an identity from its two private keys.
    public init(signingKey: Ed25519.PrivateKey, agreementKey: X25519.PrivateKey) {
        self.signingKey = signingKey
        self.agreementKey = agreementKey
        let message = IdentityKey.agreementSignatureInput(agreementKey.publicKey)
        publicKey = IdentityKey(
            signingKey: signingKey.publicKey, agreementKey: agreementKey.publicKey,
            agreementSignature: signingKey.signature(for: message))
    }

    /// A new identity from `entropy`: first the signing seed, then the agreement key.
    public static func generate(using entropy: inout some EntropySource) -> DeviceIdentity {
        let signing = entropy.ed25519()
        return DeviceIdentity(signingKey: signing, agreementKey: entropy.x25519())
    }

    /// Signs `message` with the identity's signing key.
    public func signature(for message: [UInt8]) -> [UInt8] {
        signingKey.signature(for: message)
    }

    public var description: String { "DeviceIdentity(redacted)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// A device's public identity: Ed25519 signing key ‖ X25519 agreement key ‖ the signing key's
/// signature over the agreement key (SPEC.md §4.1). 128 bytes.
public struct IdentityKey: Hashable, Sendable {
    /// The encoded size in bytes.
    public static let byteCount = 128

    /// The Ed25519 verification key.
    public let signingKey: Ed25519.PublicKey
    /// The X25519 agreement key.
    public let agreementKey: X25519.PublicKey
    /// Ed25519 signature over `lp(label) ‖ lp(agreementKey)`.
    public let agreementSignature: [UInt8]

    init(signingKey: Ed25519.PublicKey, agreementKey: X25519.PublicKey, agreementSignature: [UInt8]) {
        self.signingKey = signingKey
        self.agreementKey = agreementKey
        self.agreementSignature = agreementSignature
    }

    /// The two public keys, signing ‖ agreement (64 bytes): what sessions and safety numbers bind.
    public var keyBytes: [UInt8] {
        signingKey.rawRepresentation + agreementKey.rawRepresentation
    }

    /// The 128-byte encoding.
    public var encoded: [UInt8] {
        keyBytes + agreementSignature
    }

    /// Decodes and verifies an identity: the agreement key must be signed by the signing key.
    ///
    /// - Throws: ``ProtocolError/malformed`` for the wrong length,
    ///   ``ProtocolError/authenticationFailure`` for a bad signature.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try self.init(reading: &reader)
        try reader.finish()
    }

    package init(reading reader: inout ByteReader) throws(ProtocolError) {
        do {
            signingKey = try Ed25519.PublicKey(rawRepresentation: try reader.fixed(Ed25519.publicKeyByteCount))
            agreementKey = try X25519.PublicKey(rawRepresentation: try reader.fixed(X25519.keyByteCount))
        } catch let error as ProtocolError {
            throw error
        } catch {
            throw .malformed
        }
        agreementSignature = try reader.fixed(Ed25519.signatureByteCount)
        guard signingKey.isValidSignature(agreementSignature, for: Self.agreementSignatureInput(agreementKey)) else {
            throw .authenticationFailure
        }
    }

    static func agreementSignatureInput(_ key: X25519.PublicKey) -> [UInt8] {
        lengthPrefixed(Label.identityAgreementKey, key.rawRepresentation)
    }
}
