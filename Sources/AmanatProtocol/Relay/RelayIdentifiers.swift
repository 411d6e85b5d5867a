// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// What a ``ByteIdentifier`` names: a kind of 32-byte value the relay API passes around.
public protocol ByteIdentifierKind: Sendable {
    /// The kind's name, for `description` (which never shows the bytes).
    static var name: String { get }
}

/// A 32-byte identifier, digest or token of one kind, checked once where it enters: a mailbox id
/// cannot be passed where an envelope digest is expected, and no caller checks a length again.
public struct ByteIdentifier<Kind: ByteIdentifierKind>: Hashable, Sendable, CustomStringConvertible {
    /// The length every such value has.
    public static var byteCount: Int { 32 }

    /// The 32 bytes.
    public let bytes: [UInt8]

    /// `bytes` as this kind of value, or nil unless they are 32.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// The value base64url `text` encodes, or nil unless it is 32 bytes of base64url.
    public init?(base64URL text: String) {
        guard let bytes = Base64URL.decode(text) else { return nil }
        self.init(bytes)
    }

    /// A new random value (mailbox, blob and voucher ids).
    public static func random() -> Self {
        Self(uncheckedRandom: SecureRandom.bytes(count: byteCount))
    }

    private init(uncheckedRandom bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The bytes as base64url without padding, as the API carries them.
    public var base64URL: String { Base64URL.encode(bytes) }

    /// Hashes the 32 bytes in one call: the synthesised hash feeds them one at a time, which
    /// showed in the relay's profile of a group commit (its tables are keyed by these values).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// The kind only: ids and tokens stay out of logs and error messages.
    public var description: String { "\(Kind.name)(redacted)" }
}

/// A mailbox's 32 random bytes (SPEC.md §8).
public enum MailboxIDKind: ByteIdentifierKind {
    public static let name = "MailboxID"
}

/// An envelope's BLAKE2b-256: its id on the relay (SPEC.md §8.4).
public enum EnvelopeDigestKind: ByteIdentifierKind {
    public static let name = "EnvelopeDigest"
}

/// A deposit token, HMAC-SHA256 (SPEC.md §8.1).
public enum DepositTokenKind: ByteIdentifierKind {
    public static let name = "DepositTokenValue"
}

/// An attachment blob's 32 random bytes (SPEC.md §9).
public enum BlobIDKind: ByteIdentifierKind {
    public static let name = "BlobID"
}

/// A mailbox voucher's 32 random bytes (SPEC.md §8.3): the relay redeems each once.
public enum VoucherIDKind: ByteIdentifierKind {
    public static let name = "VoucherID"
}

/// A mailbox id.
public typealias MailboxID = ByteIdentifier<MailboxIDKind>
/// An envelope digest.
public typealias EnvelopeDigest = ByteIdentifier<EnvelopeDigestKind>
/// A deposit token as a request carries it.
public typealias DepositTokenValue = ByteIdentifier<DepositTokenKind>
/// A blob id.
public typealias BlobID = ByteIdentifier<BlobIDKind>
/// A voucher id.
public typealias VoucherID = ByteIdentifier<VoucherIDKind>

extension ByteIdentifier where Kind == EnvelopeDigestKind {
    /// The digest of `envelope` (``SealedEnvelope/digest(of:)``).
    public init(of envelope: [UInt8]) {
        bytes = SealedEnvelope.digest(of: envelope)
    }
}
