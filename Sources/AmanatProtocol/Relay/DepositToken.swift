// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// Proof that a sender may write to a mailbox, without saying which sender (SPEC.md §8.1).
///
/// Every contact of a mailbox shares its 32-byte deposit key, so the relay, which also holds
/// it, can check a deposit but cannot tell contacts apart:
///
///     token = HMAC-SHA256(depositKey, lp(purpose label) ‖ lp(mailboxId) ‖ lp(digest))
///
/// with label `amanat/v1/deposit/envelope` and the envelope's BLAKE2b-256 digest for an
/// envelope, `amanat/v1/deposit/blob` and the digest of the blob-creation request body, or
/// `amanat/v1/deposit/prekey-claim` and the digest of the prekey-claim request body.
public enum DepositToken {
    /// The key and token length in bytes.
    public static let byteCount = 32

    /// What a token authorises.
    public enum Purpose: Sendable {
        /// Depositing one envelope.
        case envelope
        /// Creating one attachment blob.
        case blob
        /// Claiming one prekey bundle from the mailbox's directory.
        case prekeyClaim

        var label: [UInt8] {
            switch self {
            case .envelope: Label.depositEnvelope
            case .blob: Label.depositBlob
            case .prekeyClaim: Label.depositPrekeyClaim
            }
        }
    }

    /// The token for depositing what `digest` names into `mailbox`.
    ///
    /// - Throws: ``ProtocolError/malformed`` unless the key and digest are 32 bytes.
    public static func make(
        depositKey: SecureBytes, mailbox: MailboxID, digest: [UInt8], purpose: Purpose = .envelope
    ) throws(ProtocolError) -> DepositTokenValue {
        guard depositKey.count == byteCount, digest.count == 32,
            let token = DepositTokenValue(
                HMACSHA256.authenticationCode(
                    for: lengthPrefixed(purpose.label, mailbox.bytes, digest), key: depositKey))
        else { throw .malformed }
        return token
    }

    /// Whether `token` is right, compared in constant time.
    public static func isValid(
        _ token: DepositTokenValue, depositKey: SecureBytes, mailbox: MailboxID, digest: [UInt8],
        purpose: Purpose = .envelope
    ) -> Bool {
        guard depositKey.count == byteCount, digest.count == 32 else { return false }
        return HMACSHA256.isValidAuthenticationCode(
            token.bytes, for: lengthPrefixed(purpose.label, mailbox.bytes, digest), key: depositKey)
    }
}
