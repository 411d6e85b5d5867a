// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// The organisation roster as published to the relay (SPEC.md §8.7): a version and content,
/// signed by the organisation root key.
///
///     u8 format = 1 ‖ u64 version ‖ vector32(content) ‖ signature[64]
///     signature = Ed25519(root, lp("amanat/v1/roster") ‖ lp(u64 version) ‖ lp(content))
///
/// The relay checks the signature and that the version is higher than the one it has, and
/// otherwise treats the content as opaque: clients seal it so the relay cannot read who the
/// organisation's experts are.
public struct SignedRoster: Hashable, Sendable {
    static let format: UInt8 = 1
    /// The largest content.
    public static let maximumContentByteCount = 256 * 1024
    /// Versions run from 1 to 2^63 − 1 (so a signed 64-bit column holds them in order).
    public static let versions: ClosedRange<UInt64> = 1...UInt64(Int64.max)

    /// Higher replaces lower; never reused.
    public let version: UInt64
    /// What the roster says, as the clients encode it.
    public let content: [UInt8]
    /// The organisation root key's signature.
    public let signature: [UInt8]

    /// Signs a roster with the organisation root key.
    ///
    /// - Throws: ``ProtocolError/tooLarge`` for oversize content, ``ProtocolError/malformed`` for a
    ///   version out of range.
    public init(version: UInt64, content: [UInt8], signedBy root: Ed25519.PrivateKey) throws(ProtocolError) {
        guard Self.versions.contains(version) else { throw .malformed }
        guard content.count <= Self.maximumContentByteCount else { throw .tooLarge }
        self.version = version
        self.content = content
        signature = root.signature(for: Self.signatureInput(version: version, content: content))
    }

    /// Decodes a roster; ``verify(root:)`` checks it.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try reader.version(Self.format)
        version = try reader.u64()
        guard Self.versions.contains(version) else { throw .malformed }
        content = try reader.vector32(maximum: Self.maximumContentByteCount)
        signature = try reader.fixed(64)
        try reader.finish()
    }

    /// The encoding.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 1 + 8 + 4 + content.count + 64)
        writer.u8(Self.format)
        writer.u64(version)
        writer.vector32(content)
        writer.fixed(signature)
        return writer.bytes
    }

    /// Checks the signature by `root`.
    ///
    /// - Throws: ``ProtocolError/authenticationFailure``.
    public func verify(root: Ed25519.PublicKey) throws(ProtocolError) {
        guard root.isValidSignature(signature, for: Self.signatureInput(version: version, content: content)) else {
            throw .authenticationFailure
        }
    }

    static func signatureInput(version: UInt64, content: [UInt8]) -> [UInt8] {
        var field = ByteWriter()
        field.u64(version)
        return lengthPrefixed(Label.roster, field.bytes, content)
    }
}
