// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// A new roster key, signed by the organisation root (SPEC.md §16.2): what the organisation sends
/// end to end to every device that remains when an expert device is lost, so that the lost one
/// cannot open the rosters that follow.
///
///     grant     = u64 version ‖ [32] rosterKey ‖ [64] signature
///     signature = Ed25519(root, lp("amanat/v1/roster-key") ‖ lp(u64 version) ‖ lp(rosterKey))
///
/// `version` is the first roster version sealed under the key. Whoever relays the grant (the
/// sending expert device, the relay) cannot change it: only the root's signature counts.
public struct RosterKeyGrant: Equatable, Sendable {
    /// The encoded size in bytes.
    public static let byteCount = 8 + 32 + 64

    public let version: UInt64
    public let rosterKey: SecureBytes
    public let signature: [UInt8]

    /// Signs a grant with the organisation root key.
    public init(version: UInt64, rosterKey: SecureBytes, signedBy root: Ed25519.PrivateKey) {
        self.version = version
        self.rosterKey = rosterKey
        signature = root.signature(for: Self.signatureInput(version: version, rosterKey: rosterKey))
    }

    /// Decodes a grant kept in secret memory.
    ///
    /// - Throws: ``ProtocolError/malformed`` for a wrong length.
    public init(decoding bytes: SecureBytes) throws(ProtocolError) {
        guard bytes.count == Self.byteCount else { throw .malformed }
        var number = ByteReader(bytes.extracting(0..<8).withUnsafeBytes { Array($0) })
        version = try number.u64()
        rosterKey = bytes.extracting(8..<40)
        signature = bytes.extracting(40..<Self.byteCount).withUnsafeBytes { Array($0) }
    }

    /// The encoding, in secret memory (it holds the key).
    public var encoded: SecureBytes {
        var number = ByteWriter(capacity: 8)
        number.u64(version)
        return SecureBytes(copying: number.bytes).appending(rosterKey).appending(SecureBytes(copying: signature))
    }

    init(reading reader: inout ByteReader) throws(ProtocolError) {
        version = try reader.u64()
        rosterKey = try reader.fixedSecret(32)
        signature = try reader.fixed(64)
    }

    func write(to writer: inout ByteWriter) {
        writer.u64(version)
        writer.fixed(rosterKey)
        writer.fixed(signature)
    }

    /// Checks the root's signature.
    ///
    /// - Throws: ``ProtocolError/authenticationFailure``.
    public func verify(root: Ed25519.PublicKey) throws(ProtocolError) {
        guard root.isValidSignature(signature, for: Self.signatureInput(version: version, rosterKey: rosterKey)) else {
            throw .authenticationFailure
        }
    }

    /// The signed bytes, in secret memory: they end with the key itself.
    static func signatureInput(version: UInt64, rosterKey: SecureBytes) -> SecureBytes {
        var number = ByteWriter(capacity: 8)
        number.u64(version)
        var keyLength = ByteWriter(capacity: 4)
        keyLength.u32(UInt32(rosterKey.count))
        // lp(label) ‖ lp(version) ‖ lp(rosterKey), the last field's bytes never in an ordinary array.
        return SecureBytes(copying: lengthPrefixed(Label.rosterKey, number.bytes) + keyLength.bytes).appending(
            rosterKey)
    }
}
