// SPDX-License-Identifier: AGPL-3.0-or-later

import CSodium
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
        // One piece of the split derivation, which checks the length.
        try deriveKeys(
            inputKeyMaterial: inputKeyMaterial, salt: salt, info: info, outputByteCounts: [outputByteCount])[0]
    }

    /// Extracts and expands `outputByteCounts.reduce(0, +)` bytes of key from `inputKeyMaterial`
    /// and returns them split into consecutive pieces of those lengths: the same bytes as
    /// ``deriveKey(inputKeyMaterial:salt:info:outputByteCount:)``, but each piece of up to 64
    /// bytes stays in ``SecretArena``'s locked slots instead of a buffer locked for itself (two
    /// system calls, which profiling showed in the ratchet's every DH step).
    ///
    /// - Throws: ``AmanatCryptoError/invalidParameters`` for no pieces, an empty or negative
    ///   piece, or a total of more than ``maximumOutputByteCount``.
    public static func deriveKeys(
        inputKeyMaterial: SecureBytes,
        salt: some ContiguousBytesView,
        info: some ContiguousBytesView,
        outputByteCounts: [Int]
    ) throws(AmanatCryptoError) -> [SecureBytes] {
        // Each piece is checked before the sum, which therefore cannot overflow.
        guard !outputByteCounts.isEmpty,
            outputByteCounts.allSatisfy({ (1...maximumOutputByteCount).contains($0) }),
            outputByteCounts.count <= maximumOutputByteCount
        else { throw .invalidParameters }
        let total = outputByteCounts.reduce(0, +)
        guard total <= maximumOutputByteCount else { throw .invalidParameters }
        let derived = salt.withBytes { salt in
            info.withBytes { info in
                HKDF<SHA256>.deriveKey(
                    inputKeyMaterial: inputKeyMaterial.symmetricKey, salt: salt, info: info, outputByteCount: total)
            }
        }
        return derived.withUnsafeBytes { bytes in
            var start = 0
            return outputByteCounts.map { count in
                defer { start += count }
                return SecureBytes(copying: bytes[start..<start + count])
            }
        }
    }
}

/// HMAC with SHA-256 (RFC 2104), from libsodium (`crypto_auth_hmacsha256`, any key length).
///
/// libsodium rather than swift-crypto because the ratchet's chain KDF calls it twice per message:
/// a direct C call with the key in place costs a fraction of swift-crypto's generic path.
public enum HMACSHA256 {
    /// The length of a code in bytes.
    public static let byteCount = Int(crypto_auth_hmacsha256_BYTES)

    /// The authentication code of `message` under `key`.
    public static func authenticationCode(
        for message: some ContiguousBytesView, key: SecureBytes
    ) -> [UInt8] {
        var code = [UInt8](repeating: 0, count: byteCount)
        code.withUnsafeMutableBytes { compute(message, key: key, into: $0) }
        return code
    }

    /// The authentication code of `message` under `key`, kept in secret memory: for chain keys
    /// and other keys derived with HMAC.
    public static func secretCode(for message: some ContiguousBytesView, key: SecureBytes) -> SecureBytes {
        var code = SecureBytes(zeroedCount: byteCount)
        code.withUnsafeMutableBytes { compute(message, key: key, into: $0) }
        return code
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

    private static func compute(
        _ message: some ContiguousBytesView, key: SecureBytes, into output: UnsafeMutableRawBufferPointer
    ) {
        ensureSodium()
        var state = crypto_auth_hmacsha256_state()
        message.withBytes { message in
            key.withUnsafeBytes { key in
                _ = crypto_auth_hmacsha256_init(&state, key.bytes, key.count)
            }
            _ = crypto_auth_hmacsha256_update(&state, message.bytes, message.length)
            _ = crypto_auth_hmacsha256_final(&state, output.mutableBytes)
        }
        // The state holds the key's inner and outer pads.
        withUnsafeMutableBytes(of: &state) { zeroMemory($0) }
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
