// SPDX-License-Identifier: AGPL-3.0-or-later

import Crypto
import Foundation

/// HKDF with SHA-256 (RFC 5869), from swift-crypto: libsodium 1.0.18 has none.
public enum HKDFSHA256 {
    /// The largest output RFC 5869 allows: 255 hash lengths.
    public static let maximumOutputByteCount = 255 * SHA256.byteCount

    /// Extracts and expands `outputByteCount` bytes of key from `inputKeyMaterial`.
    ///
    /// - Throws: ``AmanatCryptoError/invalidParameters`` for an output length of 0 or more than
    ///   ``maximumOutputByteCount``.
    public static func deriveKey(
        inputKeyMaterial: SecureBytes,
        salt: some ContiguousBytesView,
        info: some ContiguousBytesView,
        outputByteCount: Int
    ) throws(AmanatCryptoError) -> SecureBytes {
        guard (1...maximumOutputByteCount).contains(outputByteCount) else { throw .invalidParameters }
        let derived = salt.withBytes { salt in
            info.withBytes { info in
                HKDF<SHA256>.deriveKey(
                    inputKeyMaterial: inputKeyMaterial.symmetricKey, salt: salt, info: info,
                    outputByteCount: outputByteCount)
            }
        }
        return SecureBytes(derived)
    }
}

/// HMAC with SHA-256 (RFC 2104), from swift-crypto.
public enum HMACSHA256 {
    /// The length of a code in bytes.
    public static let byteCount = SHA256.byteCount

    /// The authentication code of `message` under `key`.
    public static func authenticationCode(
        for message: some ContiguousBytesView, key: SecureBytes
    ) -> [UInt8] {
        message.withBytes { Array(HMAC<SHA256>.authenticationCode(for: $0, using: key.symmetricKey)) }
    }

    /// The authentication code of `message` under `key`, kept in secret memory: for chain keys
    /// and other keys derived with HMAC.
    public static func secretCode(for message: some ContiguousBytesView, key: SecureBytes) -> SecureBytes {
        message.withBytes { message in
            HMAC<SHA256>.authenticationCode(for: message, using: key.symmetricKey).withUnsafeBytes {
                SecureBytes(copying: $0)
            }
        }
    }

    /// Whether `code` is the authentication code of `message` under `key`, compared in constant
    /// time.
    public static func isValidAuthenticationCode(
        _ code: some ContiguousBytesView, for message: some ContiguousBytesView, key: SecureBytes
    ) -> Bool {
        let expected = secretCode(for: message, key: key)
        return code.withBytes { code in
            expected.withUnsafeBytes { ConstantTime.equals(code, $0) }
        }
    }
}

// MARK: - Bridging to swift-crypto

extension SecureBytes {
    /// The bytes as swift-crypto's `SymmetricKey`, whose storage swift-crypto zeroes on release.
    var symmetricKey: SymmetricKey {
        withUnsafeBytes { SymmetricKey(data: $0) }
    }

    /// Copies a swift-crypto `SymmetricKey` into a ``SecureBytes``.
    init(_ key: SymmetricKey) {
        self = key.withUnsafeBytes { SecureBytes(copying: $0) }
    }
}
