// SPDX-License-Identifier: AGPL-3.0-or-later

import Crypto

/// SHA-512 (FIPS 180-4), from swift-crypto: for safety-number fingerprints, which follow
/// Signal's construction.
public enum SHA512Hash {
    /// The digest length in bytes.
    public static let byteCount = 64

    /// The digest of the concatenation of `parts`.
    public static func hash(_ parts: [UInt8]...) -> [UInt8] {
        var hasher = SHA512()
        for part in parts {
            hasher.update(data: part)
        }
        return Array(hasher.finalize())
    }
}

/// SHA-256 (FIPS 180-4), through swift-crypto: for TLS public-key pins (`sha256//…`), which are
/// defined over SHA-256 of the certificate's SubjectPublicKeyInfo.
public enum SHA256Hash {
    /// The digest length in bytes.
    public static let byteCount = 32

    /// The digest of `data`.
    public static func hash(_ data: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: data))
    }
}
