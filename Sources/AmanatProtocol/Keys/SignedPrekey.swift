// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// A public prekey signed by its device's identity (SPEC.md §4.2):
/// `u8 kind ‖ u32 id ‖ u64 expiresAt ‖ key ‖ signature[64]`.
///
/// The signature covers `lp(label) ‖ lp(u8 kind) ‖ lp(u32 id) ‖ lp(u64 expiresAt) ‖ lp(key)`, so a
/// key cannot be replayed as another kind, under another id, or with a later expiry.
public struct SignedPrekey: Hashable, Sendable {
    /// What a prekey is for; the kind fixes the key's type and size.
    public enum Kind: UInt8, Sendable, CaseIterable {
        /// The X25519 signed prekey (SPK), rotated weekly.
        case signedX25519 = 1
        /// The X-Wing last-resort prekey, used when no one-time X-Wing prekey is left.
        case lastResortXWing = 2
        /// A one-time X25519 prekey (OPK).
        case oneTimeX25519 = 3
        /// A one-time X-Wing prekey.
        case oneTimeXWing = 4
        /// The X-Wing key that sealed envelopes are encrypted to.
        case sealingXWing = 5

        /// The public key size for this kind.
        public var keyByteCount: Int {
            switch self {
            case .signedX25519, .oneTimeX25519: X25519.keyByteCount
            case .lastResortXWing, .oneTimeXWing, .sealingXWing: XWing.publicKeyByteCount
            }
        }

        /// Whether the key is X-Wing (else X25519).
        public var isXWing: Bool { keyByteCount == XWing.publicKeyByteCount }
    }

    /// What the key is for.
    public let kind: Kind
    /// The owner's id for this key, so an initial message can name it.
    public let id: UInt32
    /// Unix time in seconds after which the key must not be used.
    public let expiresAt: UInt64
    /// The raw public key (32 or 1,216 bytes, by kind).
    public let publicKey: [UInt8]
    /// The identity's Ed25519 signature.
    public let signature: [UInt8]

    /// Signs a new prekey with `identity`.
    public init(kind: Kind, id: UInt32, expiresAt: UInt64, publicKey: [UInt8], signedBy identity: DeviceIdentity) {
        precondition(publicKey.count == kind.keyByteCount, "the key size does not match the kind")
        self.kind = kind
        self.id = id
        self.expiresAt = expiresAt
        self.publicKey = publicKey
        signature = identity.signature(
            for: Self.signatureInput(kind: kind, id: id, expiresAt: expiresAt, publicKey: publicKey))
    }

    /// The encoding.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 13 + publicKey.count + 64)
        write(to: &writer)
        return writer.bytes
    }

    package func write(to writer: inout ByteWriter) {
        writer.u8(kind.rawValue)
        writer.u32(id)
        writer.u64(expiresAt)
        writer.fixed(publicKey)
        writer.fixed(signature)
    }

    /// Decodes a prekey; call ``verify(by:now:)`` before trusting it.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try self.init(reading: &reader)
        try reader.finish()
    }

    package init(reading reader: inout ByteReader) throws(ProtocolError) {
        guard let kind = Kind(rawValue: try reader.u8()) else { throw .malformed }
        self.kind = kind
        id = try reader.u32()
        expiresAt = try reader.u64()
        publicKey = try reader.fixed(kind.keyByteCount)
        signature = try reader.fixed(Ed25519.signatureByteCount)
    }

    /// Checks the signature by `identity` and the expiry against `now` (Unix seconds).
    ///
    /// - Throws: ``ProtocolError/authenticationFailure`` or ``ProtocolError/expired``.
    public func verify(by identity: IdentityKey, now: UInt64) throws(ProtocolError) {
        let input = Self.signatureInput(kind: kind, id: id, expiresAt: expiresAt, publicKey: publicKey)
        guard identity.signingKey.isValidSignature(signature, for: input) else { throw .authenticationFailure }
        guard now < expiresAt else { throw .expired }
    }

    /// The key as X25519; nil for X-Wing kinds.
    public var x25519Key: X25519.PublicKey? {
        kind.isXWing ? nil : try? X25519.PublicKey(rawRepresentation: publicKey)
    }

    /// The key as X-Wing; nil for X25519 kinds or a key swift-crypto refuses.
    public var xWingKey: XWing.PublicKey? {
        kind.isXWing ? try? XWing.PublicKey(rawRepresentation: publicKey) : nil
    }

    static func signatureInput(kind: Kind, id: UInt32, expiresAt: UInt64, publicKey: [UInt8]) -> [UInt8] {
        var id32 = ByteWriter()
        id32.u32(id)
        var expiry = ByteWriter()
        expiry.u64(expiresAt)
        return lengthPrefixed(Label.prekey, [kind.rawValue], id32.bytes, expiry.bytes, publicKey)
    }
}
