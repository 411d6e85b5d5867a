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
