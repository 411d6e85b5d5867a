// SPDX-License-Identifier: AGPL-3.0-or-later

import CSodium

/// Authenticated encryption of a stream of chunks with libsodium's
/// `crypto_secretstream_xchacha20poly1305`: for attachments and other large data.
///
/// Layout: a 24-byte header, then each plaintext chunk of ``defaultChunkByteCount`` bytes (the
/// last one may be shorter, or empty for empty input) as `chunk + 17` bytes. Only the last chunk
/// carries the FINAL tag. Each chunk is bound to its position, so reordered, dropped, duplicated or
/// altered chunks fail with ``AmanatCryptoError/authenticationFailure``, a stream that stops
/// before its FINAL chunk with ``AmanatCryptoError/truncatedStream``, and bytes after a full-size
/// FINAL chunk with ``AmanatCryptoError/dataAfterFinalChunk`` (bytes after a short FINAL chunk
/// fall inside its frame and fail its tag). Both sides must use the same chunk size.
public enum SecretStream {
    /// The key length in bytes.
    public static let keyByteCount = Int(crypto_secretstream_xchacha20poly1305_keybytes())
    /// The stream header length in bytes.
    public static let headerByteCount = Int(crypto_secretstream_xchacha20poly1305_headerbytes())
    /// The bytes each chunk adds: a one-byte encrypted tag and a 16-byte MAC.
    public static let chunkOverhead = Int(crypto_secretstream_xchacha20poly1305_abytes())
    /// The plaintext chunk size of the Amanat attachment format: 64 KiB.
    public static let defaultChunkByteCount = 64 * 1024
    /// The largest chunk size this API accepts.
    public static let maximumChunkByteCount = 16 * 1024 * 1024

    static let messageTag = crypto_secretstream_xchacha20poly1305_tag_message()
    static let finalTag = crypto_secretstream_xchacha20poly1305_tag_final()

    /// A fresh random key.
    public static func generateKey() -> SecureBytes {
        SecureBytes.random(count: keyByteCount)
    }

    /// The size of the encrypted stream for `plaintextByteCount` bytes of input (a chunk size
    /// below 1 counts as 1).
    public static func encryptedByteCount(
        plaintextByteCount: Int, chunkByteCount: Int = defaultChunkByteCount
    ) -> Int {
        let chunk = Swift.max(1, chunkByteCount)
        let fullChunks = plaintextByteCount / chunk
        let chunks = Swift.max(1, fullChunks + (plaintextByteCount % chunk == 0 ? 0 : 1))
        return headerByteCount + plaintextByteCount + chunks * chunkOverhead
    }

    static func checkChunkSize(_ chunkByteCount: Int) throws(AmanatCryptoError) {
        guard (1...maximumChunkByteCount).contains(chunkByteCount) else { throw .invalidParameters }
    }

    // MARK: - Whole buffers

    /// Encrypts `plaintext` as one stream: header ‖ chunks.
    public static func encrypt(
        _ plaintext: some ContiguousBytesView,
        key: SecureBytes,
        chunkByteCount: Int = defaultChunkByteCount
    ) throws(AmanatCryptoError) -> [UInt8] {
        try checkChunkSize(chunkByteCount)
        guard key.count == keyByteCount else { throw .invalidKeySize }
        let total = encryptedByteCount(plaintextByteCount: plaintext.byteCount, chunkByteCount: chunkByteCount)
        var failure: AmanatCryptoError?
        let result = [UInt8](unsafeUninitializedCapacity: total) { output, initialized in
            do throws(AmanatCryptoError) {
                initialized = try encrypt(plaintext, key: key, chunkByteCount: chunkByteCount, into: .init(output))
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Encrypts `plaintext` as one stream into `output`, which must hold
    /// ``encryptedByteCount(plaintextByteCount:chunkByteCount:)`` bytes: for callers that reuse
    /// a buffer.
    ///
    /// - Returns: the number of bytes written.
    public static func encrypt(
        _ plaintext: some ContiguousBytesView,
        key: SecureBytes,
        chunkByteCount: Int = defaultChunkByteCount,
        into output: UnsafeMutableRawBufferPointer
    ) throws(AmanatCryptoError) -> Int {
        try checkChunkSize(chunkByteCount)
        var encryptor = try Encryptor(key: key)
        let header = encryptor.header
        let result = plaintext.withBytes { input in
            Result { () throws(AmanatCryptoError) -> Int in
                guard
                    output.count >= encryptedByteCount(plaintextByteCount: input.count, chunkByteCount: chunkByteCount)
                else { throw .invalidInputSize }
                output.copyBytes(from: header)
                var read = 0
                var written = headerByteCount
                repeat {
                    let end = Swift.min(read + chunkByteCount, input.count)
                    written += try encryptor.encrypt(
                        UnsafeRawBufferPointer(rebasing: input[read..<end]), isFinal: end == input.count,
                        into: UnsafeMutableRawBufferPointer(rebasing: output[written...]))
                    read = end
                } while read < input.count
                return written
            }
        }
        return try result.get()
    }

    /// Verifies and decrypts a stream made by ``encrypt(_:key:chunkByteCount:)``.
    public static func decrypt(
        _ ciphertext: some ContiguousBytesView,
        key: SecureBytes,
        chunkByteCount: Int = defaultChunkByteCount
    ) throws(AmanatCryptoError) -> [UInt8] {
        try checkChunkSize(chunkByteCount)
        guard ciphertext.byteCount >= headerByteCount else { throw .truncatedStream }
        let header = ciphertext.withBytes { Array($0[..<headerByteCount]) }
        var decryptor = try Decryptor(key: key, header: header)
        var failure: AmanatCryptoError?
        let plaintext = ciphertext.withBytes { input in
            [UInt8](unsafeUninitializedCapacity: Swift.max(0, input.count - headerByteCount)) { output, initialized in
                let output = UnsafeMutableRawBufferPointer(output)
                var read = headerByteCount
                var written = 0
                do throws(AmanatCryptoError) {
                    while read < input.count {
                        let end = Swift.min(read + chunkByteCount + chunkOverhead, input.count)
                        written += try decryptor.decrypt(
                            UnsafeRawBufferPointer(rebasing: input[read..<end]),
                            into: UnsafeMutableRawBufferPointer(rebasing: output[written...]))
                        read = end
                    }
                    if !decryptor.isFinished { throw .truncatedStream }
                    initialized = written
                } catch {
                    zeroMemory(UnsafeMutableRawBufferPointer(rebasing: output[..<written]))
                    failure = error
                    initialized = 0
                }
            }
        }
        if let failure { throw failure }
        return plaintext
    }
}

// MARK: - Encryptor

extension SecretStream {
    /// Encrypts a stream chunk by chunk. It cannot be copied: two copies would reuse nonces.
    public struct Encryptor: ~Copyable, @unchecked Sendable {
        private let state: UnsafeMutablePointer<crypto_secretstream_xchacha20poly1305_state>
        /// The stream header, to be sent before the first chunk.
        public let header: [UInt8]
        /// Whether the FINAL chunk has been written.
        public private(set) var isFinished = false

        /// Starts a stream under `key` with a fresh random header.
        public init(key: SecureBytes) throws(AmanatCryptoError) {
            ensureSodium()
            guard key.count == SecretStream.keyByteCount else { throw .invalidKeySize }
            let state = UnsafeMutablePointer<crypto_secretstream_xchacha20poly1305_state>.allocate(capacity: 1)
            var header = [UInt8](repeating: 0, count: SecretStream.headerByteCount)
            header.withUnsafeMutableBytes { header in
                key.withUnsafeBytes { key in
                    _ = crypto_secretstream_xchacha20poly1305_init_push(state, header.mutableBytes, key.bytes)
                }
            }
            self.state = state
            self.header = header
        }

        /// Encrypts one chunk into `output`, which needs `chunk.count + chunkOverhead` bytes.
        ///
        /// - Returns: the number of bytes written.
        public mutating func encrypt(
            _ chunk: UnsafeRawBufferPointer, isFinal: Bool, into output: UnsafeMutableRawBufferPointer
        ) throws(AmanatCryptoError) -> Int {
            guard !isFinished else { throw .streamFinished }
            let size = chunk.count + SecretStream.chunkOverhead
            guard output.count >= size else { throw .invalidInputSize }
            _ = crypto_secretstream_xchacha20poly1305_push(
                state, output.mutableBytes, nil, chunk.bytes, chunk.length, nil, 0,
                isFinal ? SecretStream.finalTag : SecretStream.messageTag)
            isFinished = isFinal
            return size
        }

        /// Encrypts one chunk.
        public mutating func encrypt(
            _ chunk: some ContiguousBytesView, isFinal: Bool
        ) throws(AmanatCryptoError) -> [UInt8] {
            guard !isFinished else { throw .streamFinished }
            let size = chunk.byteCount + SecretStream.chunkOverhead
            var output = [UInt8](repeating: 0, count: size)
            let written = output.withUnsafeMutableBytes { output in
                chunk.withBytes { chunk in
                    Result { () throws(AmanatCryptoError) in try encrypt(chunk, isFinal: isFinal, into: output) }
                }
            }
            _ = try written.get()
            return output
        }

        deinit {
            sodium_memzero(state, MemoryLayout<crypto_secretstream_xchacha20poly1305_state>.size)
            state.deallocate()
        }
    }
}

// MARK: - Decryptor

extension SecretStream {
    /// Verifies and decrypts a stream chunk by chunk.
    public struct Decryptor: ~Copyable, @unchecked Sendable {
        private let state: UnsafeMutablePointer<crypto_secretstream_xchacha20poly1305_state>
        /// Whether the FINAL chunk has been read. A stream is complete only when this is true.
        public private(set) var isFinished = false

        /// Starts reading a stream under `key` from its `header`.
        public init(key: SecureBytes, header: some ContiguousBytesView) throws(AmanatCryptoError) {
            ensureSodium()
            guard key.count == SecretStream.keyByteCount else { throw .invalidKeySize }
            guard header.byteCount == SecretStream.headerByteCount else { throw .truncatedStream }
            let state = UnsafeMutablePointer<crypto_secretstream_xchacha20poly1305_state>.allocate(capacity: 1)
            let status = header.withBytes { header in
                key.withUnsafeBytes { key in
                    crypto_secretstream_xchacha20poly1305_init_pull(state, header.bytes, key.bytes)
                }
            }
            guard status == 0 else {
                sodium_memzero(state, MemoryLayout<crypto_secretstream_xchacha20poly1305_state>.size)
                state.deallocate()
                throw .authenticationFailure
            }
            self.state = state
        }

        /// Verifies and decrypts one chunk (`plaintext + chunkOverhead` bytes) into `output`.
        ///
        /// - Returns: the number of plaintext bytes written.
        public mutating func decrypt(
            _ chunk: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
        ) throws(AmanatCryptoError) -> Int {
            guard !isFinished else { throw .dataAfterFinalChunk }
            guard chunk.count >= SecretStream.chunkOverhead else { throw .truncatedStream }
            let size = chunk.count - SecretStream.chunkOverhead
            guard output.count >= size else { throw .invalidInputSize }
            var tag: UInt8 = 0
            let status = crypto_secretstream_xchacha20poly1305_pull(
                state, output.mutableBytes, nil, &tag, chunk.bytes, chunk.length, nil, 0)
            guard status == 0 else { throw .authenticationFailure }
            switch tag {
            case SecretStream.messageTag:
                return size
            case SecretStream.finalTag:
                isFinished = true
                return size
            default:
                // Amanat streams never use PUSH or REKEY: an authentic stream has none.
                zeroMemory(UnsafeMutableRawBufferPointer(rebasing: output[..<size]))
                throw .authenticationFailure
            }
        }

        /// Verifies and decrypts one chunk.
        public mutating func decrypt(_ chunk: some ContiguousBytesView) throws(AmanatCryptoError) -> [UInt8] {
            let size = Swift.max(0, chunk.byteCount - SecretStream.chunkOverhead)
            var output = [UInt8](repeating: 0, count: size)
            let written = output.withUnsafeMutableBytes { output in
                chunk.withBytes { chunk in
                    Result { () throws(AmanatCryptoError) in try decrypt(chunk, into: output) }
                }
            }
            _ = try written.get()
            return output
        }

        deinit {
            sodium_memzero(state, MemoryLayout<crypto_secretstream_xchacha20poly1305_state>.size)
            state.deallocate()
        }
    }
}
