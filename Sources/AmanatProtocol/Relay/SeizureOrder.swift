// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// The organisation's order that a defender's device is lost or seized (SPEC.md §8.8), signed by
/// the organisation root key:
///
///     order     = u8 format = 1 ‖ [32] mailboxId ‖ u64 issuedAt ‖ u64 expiresAt ‖ u8 wipe ‖ [64] signature
///     signature = Ed25519(root, lp("amanat/v1/seizure-order") ‖ lp(body))
///
/// The relay freezes the mailbox it names (its owner's requests are refused, what waits in it is
/// deleted) and hands the order to the device whenever it asks; the device checks it under the
/// root from its invite, never the relay's key, and wipes itself if `wipe` is set and its owner
/// allowed remote wiping.
public struct SeizureOrder: Hashable, Sendable {
    /// The encoded size in bytes.
    public static let byteCount = 1 + 32 + 8 + 8 + 1 + 64
    /// The only format.
    public static let format: UInt8 = 1
    /// How long an order can be handed in and acted on, unless the issuer says otherwise: a year,
    /// as long as a seized device may sit in a drawer before someone opens it.
    public static let defaultValidity: UInt64 = 365 * 86_400

    /// The frozen mailbox.
    public let mailbox: MailboxID
    /// When the organisation signed it, Unix seconds (its clock).
    public let issuedAt: UInt64
    /// Unix seconds from which the relay no longer accepts it and a device no longer obeys it.
    public let expiresAt: UInt64
    /// Whether the device should wipe itself (if its owner allowed that), or only be shut out.
    public let wipe: Bool
    /// The organisation root key's signature.
    public let signature: [UInt8]

    /// Signs an order with the organisation root key.
    public init(
        mailbox: MailboxID, issuedAt: UInt64, expiresAt: UInt64, wipe: Bool, signedBy root: Ed25519.PrivateKey
    ) {
        self.mailbox = mailbox
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.wipe = wipe
        signature = root.signature(
            for: Self.signatureInput(Self.body(mailbox: mailbox, issuedAt: issuedAt, expiresAt: expiresAt, wipe: wipe)))
    }

    /// Decodes an order; ``verify(root:mailbox:now:)`` checks it.
    ///
    /// - Throws: ``ProtocolError/unsupportedVersion`` for another format, ``ProtocolError/malformed``
    ///   for a wrong length or a `wipe` byte above 1.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        guard try reader.u8() == Self.format else { throw .unsupportedVersion }
        guard let mailbox = MailboxID(try reader.fixed(32)) else { throw .malformed }
        self.mailbox = mailbox
        issuedAt = try reader.u64()
        expiresAt = try reader.u64()
        switch try reader.u8() {
        case 0: wipe = false
        case 1: wipe = true
        default: throw .malformed
        }
        signature = try reader.fixed(64)
        try reader.finish()
    }

    /// The encoding.
    public var encoded: [UInt8] {
        Self.body(mailbox: mailbox, issuedAt: issuedAt, expiresAt: expiresAt, wipe: wipe) + signature
    }

    /// Checks that `root` signed this order, that it names `mailbox`, and that it has not expired
    /// at `now` (the relay's clock when it is handed in; the device's when it acts on it).
    ///
    /// - Throws: ``ProtocolError/authenticationFailure`` for another signer or mailbox,
    ///   ``ProtocolError/expired`` at or after `expiresAt`.
    public func verify(root: Ed25519.PublicKey, mailbox: MailboxID, now: UInt64) throws(ProtocolError) {
        let body = Self.body(mailbox: self.mailbox, issuedAt: issuedAt, expiresAt: expiresAt, wipe: wipe)
        guard root.isValidSignature(signature, for: Self.signatureInput(body)),
            self.mailbox == mailbox
        else { throw .authenticationFailure }
        guard now < expiresAt else { throw .expired }
    }

    static func body(mailbox: MailboxID, issuedAt: UInt64, expiresAt: UInt64, wipe: Bool) -> [UInt8] {
        var writer = ByteWriter(capacity: byteCount)
        writer.u8(format)
        writer.fixed(mailbox.bytes)
        writer.u64(issuedAt)
        writer.u64(expiresAt)
        writer.u8(wipe ? 1 : 0)
        return writer.bytes
    }

    static func signatureInput(_ body: [UInt8]) -> [UInt8] {
        lengthPrefixed(Label.seizureOrder, body)
    }
}
