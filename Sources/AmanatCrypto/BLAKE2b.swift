// SPDX-License-Identifier: AGPL-3.0-or-later

import CSodium

/// BLAKE2b (RFC 7693) through libsodium's `crypto_generichash`, unkeyed or keyed.
///
/// Amanat uses 32-byte output (BLAKE2b-256) for attachment and envelope digests.
public enum BLAKE2b {
    /// The default output length: 32 bytes (BLAKE2b-256).
    public static let defaultOutputByteCount = 32
    /// The output lengths BLAKE2b allows.
    public static let outputByteCounts = Int(crypto_generichash_BYTES_MIN)...Int(crypto_generichash_BYTES_MAX)
    /// The key lengths BLAKE2b allows for keyed hashing.
    public static let keyByteCounts = Int(crypto_generichash_KEYBYTES_MIN)...Int(crypto_generichash_KEYBYTES_MAX)

    /// The unkeyed hash of `data`.
    public static func hash(
        _ data: some ContiguousBytesView, outputByteCount: Int = defaultOutputByteCount
    ) throws(AmanatCryptoError) -> [UInt8] {
        var hasher = try Hasher(outputByteCount: outputByteCount)
        hasher.update(data)
        return hasher.finalize()
    }

    /// The keyed hash (a MAC) of `data` under `key`.
    public static func hash(
        _ data: some ContiguousBytesView, key: SecureBytes, outputByteCount: Int = defaultOutputByteCount
    ) throws(AmanatCryptoError) -> [UInt8] {
        var hasher = try Hasher(key: key, outputByteCount: outputByteCount)
        hasher.update(data)
        return hasher.finalize()
    }

    /// The unkeyed BLAKE2b-256 of `data`, written to the 32 bytes of `output`: one libsodium
    /// call and nothing allocated, for hashing many small inputs (a receipt tree's nodes).
    public static func hash256(_ data: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count == defaultOutputByteCount, "BLAKE2b-256 writes 32 bytes")
        ensureSodium()
        _ = crypto_generichash(output.mutableBytes, output.count, data.bytes, data.length, nil, 0)
    }

    /// An incremental BLAKE2b computation, for data that arrives in pieces.
    public struct Hasher: ~Copyable, @unchecked Sendable {
        /// libsodium's 64-byte-aligned `crypto_generichash_state`, which Swift sees as opaque.
        private let state: UnsafeMutableRawPointer
        private let outputByteCount: Int

        /// Starts an unkeyed hash.
        public init(outputByteCount: Int = BLAKE2b.defaultOutputByteCount) throws(AmanatCryptoError) {
            try self.init(optionalKey: nil, outputByteCount: outputByteCount)
        }

        /// Starts a keyed hash.
        public init(key: SecureBytes, outputByteCount: Int = BLAKE2b.defaultOutputByteCount) throws(AmanatCryptoError) {
            guard BLAKE2b.keyByteCounts.contains(key.count) else { throw .invalidKeySize }
            try self.init(optionalKey: key, outputByteCount: outputByteCount)
        }

        private init(optionalKey key: SecureBytes?, outputByteCount: Int) throws(AmanatCryptoError) {
            ensureSodium()
            guard BLAKE2b.outputByteCounts.contains(outputByteCount) else { throw .invalidParameters }
            let state = UnsafeMutableRawPointer.allocate(byteCount: crypto_generichash_statebytes(), alignment: 64)
            if let key {
                key.withUnsafeBytes { key in
                    _ = crypto_generichash_init(OpaquePointer(state), key.bytes, key.count, outputByteCount)
                }
            } else {
                _ = crypto_generichash_init(OpaquePointer(state), nil, 0, outputByteCount)
            }
            self.state = state
            self.outputByteCount = outputByteCount
        }

        /// Adds `data` to the hash.
        public mutating func update(_ data: some ContiguousBytesView) {
            data.withBytes { data in
                _ = crypto_generichash_update(OpaquePointer(state), data.bytes, data.length)
            }
        }

        /// The hash of everything added. The hasher cannot be used afterwards.
        public consuming func finalize() -> [UInt8] {
            var output = [UInt8](repeating: 0, count: outputByteCount)
            output.withUnsafeMutableBytes { output in
                _ = crypto_generichash_final(OpaquePointer(state), output.mutableBytes, output.count)
            }
            return output
        }

        deinit {
            sodium_memzero(state, crypto_generichash_statebytes())
            state.deallocate()
        }
    }
}
