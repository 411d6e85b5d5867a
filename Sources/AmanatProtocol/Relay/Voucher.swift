// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// Permission to create one mailbox, signed by the organisation root key (SPEC.md §8.3):
///
///     voucherId[32] ‖ u64 expiresAt ‖ signature[64]
///     signature = Ed25519(root, lp("amanat/v1/voucher") ‖ lp(voucherId) ‖ lp(u64 expiresAt))
///
/// The relay accepts each voucher id once, before it expires. There is no open registration.
public struct Voucher: Hashable, Sendable {
    /// The encoded size in bytes.
    public static let byteCount = 32 + 8 + 64

    /// 32 random bytes naming the voucher.
    public let id: VoucherID
    /// Unix seconds after which the voucher is refused.
    public let expiresAt: UInt64
    /// The organisation root key's signature.
    public let signature: [UInt8]

    /// Issues a voucher with the organisation root key.
    public init(id: VoucherID, expiresAt: UInt64, signedBy root: Ed25519.PrivateKey) {
        self.id = id
        self.expiresAt = expiresAt
        signature = root.signature(for: Self.signatureInput(id: id, expiresAt: expiresAt))
    }

    /// Decodes a voucher; ``verify(root:now:)`` checks it.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        id = try reader.identifier()
        expiresAt = try reader.u64()
        signature = try reader.fixed(64)
        try reader.finish()
    }

    /// The encoding.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: Self.byteCount)
        writer.fixed(id.bytes)
        writer.u64(expiresAt)
        writer.fixed(signature)
        return writer.bytes
    }

    /// Checks the signature by `root` and the expiry.
    ///
    /// - Throws: ``ProtocolError/authenticationFailure`` or ``ProtocolError/expired``.
    public func verify(root: Ed25519.PublicKey, now: UInt64) throws(ProtocolError) {
        guard root.isValidSignature(signature, for: Self.signatureInput(id: id, expiresAt: expiresAt)) else {
            throw .authenticationFailure
        }
        guard now < expiresAt else { throw .expired }
    }

    static func signatureInput(id: VoucherID, expiresAt: UInt64) -> [UInt8] {
        var expiry = ByteWriter()
        expiry.u64(expiresAt)
        return lengthPrefixed(Label.voucher, id.bytes, expiry.bytes)
    }
}

/// The relay's signed statement that it stored an envelope (SPEC.md §8.4): what a sender keeps
/// as proof of submission.
///
///     signature = Ed25519(relayKey, lp("amanat/v1/receipt") ‖ lp(mailboxId) ‖ lp(digest) ‖ lp(u64 time))
public struct DepositReceipt: Hashable, Sendable {
    /// The mailbox the envelope went to.
    public let mailbox: MailboxID
    /// The envelope's BLAKE2b-256 digest.
    public let digest: EnvelopeDigest
    /// The relay's clock when it answered, Unix seconds. It is not stored on the relay.
    public let time: UInt64
    /// The relay key's signature.
    public let signature: [UInt8]

    /// Signs a receipt with the relay's key.
    public init(mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64, signedBy relayKey: Ed25519.PrivateKey) {
        self.mailbox = mailbox
        self.digest = digest
        self.time = time
        signature = relayKey.signature(for: Self.signatureInput(mailbox: mailbox, digest: digest, time: time))
    }

    /// A receipt received from the relay.
    public init(mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64, signature: [UInt8]) {
        self.mailbox = mailbox
        self.digest = digest
        self.time = time
        self.signature = signature
    }

    /// Whether the relay key `relayKey` signed this receipt.
    public func isValid(relayKey: Ed25519.PublicKey) -> Bool {
        relayKey.isValidSignature(signature, for: Self.signatureInput(mailbox: mailbox, digest: digest, time: time))
    }

    static func signatureInput(mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64) -> [UInt8] {
        var clock = ByteWriter()
        clock.u64(time)
        return lengthPrefixed(Label.receipt, mailbox.bytes, digest.bytes, clock.bytes)
    }
}
