// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// Who sent a sealed envelope, inside the seal (SPEC.md §7.1):
///
///     u8  version = 1
///     IdentityKey sender          128 bytes
///     u64 expiresAt
///     u8  signer                  1: the sender itself (defenders); 2: the organisation root (experts)
///     [64] signature              over lp(label) ‖ lp(sender) ‖ lp(u64 expiresAt) ‖ lp(u8 signer)
///
/// The receiver checks the certificate, then that the session which decrypts the message
/// belongs to the same identity.
public struct SenderCertificate: Hashable, Sendable {
    static let version: UInt8 = 1
    /// The encoded size in bytes.
    public static let byteCount = 1 + IdentityKey.byteCount + 8 + 1 + 64

    /// Who vouches for the sender.
    public enum Signer: UInt8, Sendable {
        /// Signed with the sender's own identity key: a defender.
        case sender = 1
        /// Signed with the organisation root key: an expert on the roster.
        case organisation = 2
    }

    /// The sender's identity.
    public let sender: IdentityKey
    /// Unix seconds after which the certificate is refused.
    public let expiresAt: UInt64
    /// Who signed.
    public let signer: Signer
    /// The signature.
    public let signature: [UInt8]

    /// A certificate signed by the sender's own identity.
    public init(selfSignedBy identity: DeviceIdentity, expiresAt: UInt64) {
        sender = identity.publicKey
        self.expiresAt = expiresAt
        signer = .sender
        signature = identity.signature(for: Self.signatureInput(identity.publicKey, expiresAt, .sender))
    }

    /// A certificate for `sender` signed by the organisation root key.
    public init(for sender: IdentityKey, expiresAt: UInt64, signedByOrganisation root: Ed25519.PrivateKey) {
        self.sender = sender
        self.expiresAt = expiresAt
        signer = .organisation
        signature = root.signature(for: Self.signatureInput(sender, expiresAt, .organisation))
    }

    /// The encoding.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: Self.byteCount)
        writer.u8(Self.version)
        writer.fixed(sender.encoded)
        writer.u64(expiresAt)
        writer.u8(signer.rawValue)
        writer.fixed(signature)
        return writer.bytes
    }

    package init(reading reader: inout ByteReader) throws(ProtocolError) {
        try reader.version(Self.version)
        sender = try IdentityKey(reading: &reader)
        expiresAt = try reader.u64()
        guard let signer = Signer(rawValue: try reader.u8()) else { throw .malformed }
        self.signer = signer
        signature = try reader.fixed(Ed25519.signatureByteCount)
    }

    /// Decodes a certificate; ``verify(now:organisationRoot:)`` checks it.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try self.init(reading: &reader)
        try reader.finish()
    }

    /// Checks the signature and the expiry. An organisation-signed certificate needs the
    /// organisation's root key, from the invite.
    ///
    /// - Throws: ``ProtocolError/authenticationFailure`` or ``ProtocolError/expired``.
    public func verify(now: UInt64, organisationRoot: Ed25519.PublicKey?) throws(ProtocolError) {
        let input = Self.signatureInput(sender, expiresAt, signer)
        let key: Ed25519.PublicKey
        switch signer {
        case .sender: key = sender.signingKey
        case .organisation:
            guard let organisationRoot else { throw .authenticationFailure }
            key = organisationRoot
        }
        guard key.isValidSignature(signature, for: input) else { throw .authenticationFailure }
        guard now < expiresAt else { throw .expired }
    }

    static func signatureInput(_ sender: IdentityKey, _ expiresAt: UInt64, _ signer: Signer) -> [UInt8] {
        var expiry = ByteWriter()
        expiry.u64(expiresAt)
        return lengthPrefixed(Label.senderCertificate, sender.encoded, expiry.bytes, [signer.rawValue])
    }
}
