// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// The ratchet's key derivations (SPEC.md §6.2).
enum RatchetKDF {
    /// KDF_RK: `HKDF-SHA256(salt = rootKey, ikm = lp(dh) [‖ lp(pq)], info = lp(label))`, 96 bytes
    /// split into the next root key, a chain key and the next header key. The post-quantum form
    /// has its own label, so a step with and without an X-Wing secret can never agree.
    static func root(
        _ rootKey: SecureBytes, dh: SecureBytes, postQuantum: SecureBytes?
    ) -> (root: SecureBytes, chain: SecureBytes, nextHeader: SecureBytes) {
        var inputKeyMaterial = lengthPrefixedSecret(dh)
        if let postQuantum {
            inputKeyMaterial = inputKeyMaterial.appending(lengthPrefixedSecret(postQuantum))
        }
        let label = postQuantum == nil ? Label.rootStep : Label.rootStepPostQuantum
        // Cannot fail: the lengths are small constants.
        let keys = try! rootKey.withUnsafeBytes { salt in
            try HKDFSHA256.deriveKeys(
                inputKeyMaterial: inputKeyMaterial, salt: salt, info: lengthPrefixed(label),
                outputByteCounts: [32, 32, 32])
        }
        return (keys[0], keys[1], keys[2])
    }

    /// KDF_CK: the message key is `HMAC-SHA256(chainKey, 0x01)`, the next chain key
    /// `HMAC-SHA256(chainKey, 0x02)` (as in Signal's Double Ratchet).
    static func chain(_ chainKey: SecureBytes) -> (next: SecureBytes, message: SecureBytes) {
        (HMACSHA256.secretCode(for: [0x02], key: chainKey), HMACSHA256.secretCode(for: [0x01], key: chainKey))
    }

    /// The AEAD key and nonce of one message: the message key itself, and 24 zero bytes. Each
    /// message key encrypts exactly one message and is then deleted, so a fixed nonce never
    /// repeats under a key (as with Noise's and age's per-key counters starting at zero).
    static func messageKeys(_ messageKey: SecureBytes) -> (key: SecureBytes, nonce: [UInt8]) {
        (messageKey, zeroNonce)
    }

    static let zeroNonce = [UInt8](repeating: 0, count: XChaCha20Poly1305.nonceByteCount)

    static func derive(_ ikm: SecureBytes, salt: SecureBytes, info: [UInt8], count: Int) -> SecureBytes {
        // Cannot fail: the output length is a small constant.
        try! salt.withUnsafeBytes { salt in
            try HKDFSHA256.deriveKey(inputKeyMaterial: ikm, salt: salt, info: info, outputByteCount: count)
        }
    }
}

/// `lp(x)` for secret bytes, kept in secret memory.
func lengthPrefixedSecret(_ value: SecureBytes) -> SecureBytes {
    var prefix = ByteWriter()
    prefix.u32(UInt32(value.count))
    return SecureBytes(copying: prefix.bytes).appending(value)
}
