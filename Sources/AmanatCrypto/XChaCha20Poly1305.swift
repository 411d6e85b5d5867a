// SPDX-License-Identifier: AGPL-3.0-or-later

import CSodium

/// XChaCha20-Poly1305 authenticated encryption with associated data (libsodium's IETF variant,
/// draft-irtf-cfrg-xchacha-03).
///
/// The 24-byte nonce is large enough to be chosen at random for every message; the `combined`
/// functions do exactly that and put the nonce in front of the ciphertext.
public enum XChaCha20Poly1305 {
    /// The key length in bytes.
    public static let keyByteCount = Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    /// The nonce length in bytes.
    public static let nonceByteCount = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    /// The authentication tag length in bytes.
    public static let tagByteCount = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)

    /// A fresh random key.
    public static func generateKey() -> SecureBytes {
        SecureBytes.random(count: keyByteCount)
    }

    /// Encrypts `plaintext` under `key` and `nonce`, authenticating `associatedData` too.
    ///
    /// - Returns: ciphertext ‖ 16-byte tag.
    /// - Throws: ``AmanatCryptoError/invalidKeySize`` or ``AmanatCryptoError/invalidNonceSize``.
    public static func seal(
        _ plaintext: some ContiguousBytesView,
        key: SecureBytes,
        nonce: some ContiguousBytesView,
        associatedData: some ContiguousBytesView = [UInt8]()
    ) throws(AmanatCryptoError) -> [UInt8] {
        guard key.count == keyByteCount else { throw .invalidKeySize }
        guard nonce.byteCount == nonceByteCount else { throw .invalidNonceSize }
        return plaintext.withBytes { message in
            [UInt8](unsafeUninitializedCapacity: message.count + tagByteCount) { output, initialized in
                encrypt(
                    message, into: UnsafeMutableRawBufferPointer(output), key: key, nonce: nonce,
                    associatedData: associatedData)
                initialized = message.count + tagByteCount
            }
        }
    }

    /// Encrypts `plaintext` under `key` and `nonce` into `output`, which must hold at least
    /// `plaintext.count + tagByteCount` bytes: for callers that assemble a larger buffer.
    ///
    /// - Returns: the number of bytes written (ciphertext ‖ tag).
    public static func seal(
        _ plaintext: some ContiguousBytesView,
        key: SecureBytes,
        nonce: some ContiguousBytesView,
        associatedData: some ContiguousBytesView = [UInt8](),
        into output: UnsafeMutableRawBufferPointer
    ) throws(AmanatCryptoError) -> Int {
        guard key.count == keyByteCount else { throw .invalidKeySize }
        guard nonce.byteCount == nonceByteCount else { throw .invalidNonceSize }
        let size = plaintext.byteCount + tagByteCount
        guard output.count >= size else { throw .invalidInputSize }
        plaintext.withBytes { message in
            encrypt(message, into: output, key: key, nonce: nonce, associatedData: associatedData)
        }
        return size
    }

    /// Encrypts `plaintext` under `key` with a fresh random nonce.
    ///
    /// - Returns: 24-byte nonce ‖ ciphertext ‖ 16-byte tag.
    public static func sealCombined(
        _ plaintext: some ContiguousBytesView,
        key: SecureBytes,
        associatedData: some ContiguousBytesView = [UInt8]()
    ) throws(AmanatCryptoError) -> [UInt8] {
        guard key.count == keyByteCount else { throw .invalidKeySize }
        return plaintext.withBytes { message in
            let total = nonceByteCount + message.count + tagByteCount
            return [UInt8](unsafeUninitializedCapacity: total) { output, initialized in
                let whole = UnsafeMutableRawBufferPointer(output)
                let nonce = UnsafeMutableRawBufferPointer(rebasing: whole[..<nonceByteCount])
                fillRandom(nonce)
                encrypt(
                    message,
                    into: UnsafeMutableRawBufferPointer(rebasing: whole[nonceByteCount...]),
                    key: key,
                    nonce: UnsafeRawBufferPointer(nonce),
                    associatedData: associatedData
                )
                initialized = total
            }
        }
    }

    /// Verifies and decrypts `ciphertext` (ciphertext ‖ tag).
    ///
    /// - Throws: ``AmanatCryptoError/authenticationFailure`` for a wrong key, wrong associated
    ///   data or any altered byte; ``AmanatCryptoError/invalidInputSize`` when the input is
    ///   shorter than a tag.
    public static func open(
        _ ciphertext: some ContiguousBytesView,
        key: SecureBytes,
        nonce: some ContiguousBytesView,
        associatedData: some ContiguousBytesView = [UInt8]()
    ) throws(AmanatCryptoError) -> [UInt8] {
        try checkOpen(ciphertext, key: key, nonce: nonce)
        let plaintextCount = ciphertext.byteCount - tagByteCount
        var verified = false
        let plaintext = ciphertext.withBytes { sealed in
            [UInt8](unsafeUninitializedCapacity: plaintextCount) { output, initialized in
                verified = decrypt(
                    sealed, into: UnsafeMutableRawBufferPointer(output), key: key, nonce: nonce,
                    associatedData: associatedData)
                initialized = verified ? plaintextCount : 0
            }
        }
        guard verified else { throw .authenticationFailure }
        return plaintext
    }

    /// Verifies and decrypts `ciphertext` straight into secret memory: for wrapped keys.
    public static func openSecret(
        _ ciphertext: some ContiguousBytesView,
        key: SecureBytes,
        nonce: some ContiguousBytesView,
        associatedData: some ContiguousBytesView = [UInt8]()
    ) throws(AmanatCryptoError) -> SecureBytes {
        try checkOpen(ciphertext, key: key, nonce: nonce)
        var plaintext = SecureBytes(zeroedCount: ciphertext.byteCount - tagByteCount)
        let verified = ciphertext.withBytes { sealed in
            plaintext.withUnsafeMutableBytes { output in
                decrypt(sealed, into: output, key: key, nonce: nonce, associatedData: associatedData)
            }
        }
        guard verified else { throw .authenticationFailure }
        return plaintext
    }

    /// Verifies and decrypts the output of ``sealCombined(_:key:associatedData:)``.
    public static func openCombined(
        _ combined: some ContiguousBytesView,
        key: SecureBytes,
        associatedData: some ContiguousBytesView = [UInt8]()
    ) throws(AmanatCryptoError) -> [UInt8] {
        guard combined.byteCount >= nonceByteCount + tagByteCount else { throw .invalidInputSize }
        let (nonce, sealed) = combined.withBytes {
            (Array($0[..<nonceByteCount]), Array($0[nonceByteCount...]))
        }
        return try open(sealed, key: key, nonce: nonce, associatedData: associatedData)
    }

    // MARK: - libsodium calls

    private static func checkOpen(
        _ ciphertext: some ContiguousBytesView, key: SecureBytes, nonce: some ContiguousBytesView
    ) throws(AmanatCryptoError) {
        guard key.count == keyByteCount else { throw .invalidKeySize }
        guard nonce.byteCount == nonceByteCount else { throw .invalidNonceSize }
        guard ciphertext.byteCount >= tagByteCount else { throw .invalidInputSize }
    }

    /// Encrypts `message` into `output`, which holds exactly `message.count + tagByteCount` bytes.
    private static func encrypt(
        _ message: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer,
        key: SecureBytes,
        nonce: some ContiguousBytesView,
        associatedData: some ContiguousBytesView
    ) {
        nonce.withBytes { nonce in
            associatedData.withBytes { associatedData in
                key.withUnsafeBytes { key in
                    _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                        output.mutableBytes, nil, message.bytes, message.length,
                        associatedData.bytes, associatedData.length, nil, nonce.bytes, key.bytes)
                }
            }
        }
    }

    /// Decrypts `sealed` into `output` (`sealed.count - tagByteCount` bytes); false if it does
    /// not verify, in which case nothing is written.
    private static func decrypt(
        _ sealed: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer,
        key: SecureBytes,
        nonce: some ContiguousBytesView,
        associatedData: some ContiguousBytesView
    ) -> Bool {
        nonce.withBytes { nonce in
            associatedData.withBytes { associatedData in
                key.withUnsafeBytes { key in
                    crypto_aead_xchacha20poly1305_ietf_decrypt(
                        output.mutableBytes, nil, nil, sealed.bytes, sealed.length,
                        associatedData.bytes, associatedData.length, nonce.bytes, key.bytes) == 0
                }
            }
        }
    }
}
