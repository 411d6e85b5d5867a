// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation

/// Why an attachment could not be prepared, fetched or opened.
public enum AttachmentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable
    /// The destination cannot be written.
    case unwritable
    /// Larger than the relay accepts.
    case tooLarge
    /// The downloaded bytes do not match the digest, or do not decrypt: altered or wrong.
    case integrityFailure
    /// A JPEG or PNG whose structure does not parse, so its metadata cannot be removed safely.
    case damagedImage
    /// A PDF or office document whose metadata (author, edit history) cannot be removed here:
    /// mat2 is missing, or failed on it (``DocumentMetadata``).
    case uncleanableDocument

    public var description: String {
        switch self {
        case .unreadable: "the file cannot be read"
        case .unwritable: "the file cannot be written"
        case .tooLarge: "the file is too large to send"
        case .integrityFailure: "the attachment was altered or damaged on the way"
        case .damagedImage: "the image is damaged, so its metadata cannot be removed"
        case .uncleanableDocument: "the document's metadata (author, edit history) cannot be removed here"
        }
    }
}

/// The encryption of attachment files (SPEC.md §9.4): the file, padded with zero bytes to the next
/// 5 % size bucket, as one `crypto_secretstream_xchacha20poly1305` stream of 64 KiB chunks under
/// a fresh key. Both directions stream through fixed buffers, so memory stays constant for any
/// file size, and the output appears under its name only once complete.
public enum AttachmentCipher {
    /// The plaintext chunk size.
    public static let chunkByteCount = SecretStream.defaultChunkByteCount

    /// The padded size for `size` bytes: the smallest bucket ≥ `size`, where the buckets are
    /// B₀ = 256 and Bₖ₊₁ = Bₖ + ⌈Bₖ / 20⌉ (about 5 % apart), so the relay learns the size only to
    /// within 5 %.
    public static func paddedSize(_ size: UInt64) -> UInt64 {
        var bucket: UInt64 = 256
        while bucket < size {
            bucket += (bucket + 19) / 20
        }
        return bucket
    }

    /// The stream's size for a padded plaintext of `padded` bytes: header, then every chunk
    /// with its 17 bytes of overhead (an empty stream is one empty FINAL chunk).
    public static func encryptedSize(padded: UInt64) -> UInt64 {
        let chunk = UInt64(chunkByteCount)
        let chunks = max(1, (padded + chunk - 1) / chunk)
        return UInt64(SecretStream.headerByteCount) + padded + chunks * UInt64(SecretStream.chunkOverhead)
    }

    /// What encrypting a file produced.
    public struct Encrypted: Sendable {
        /// The stream key (SPEC.md §9.2 `key`).
        public let key: SecureBytes
        /// The file's own size.
        public let size: UInt64
        /// The stream's size on disk and on the relay.
        public let encryptedSize: UInt64
    }

    /// Encrypts the file at `input` into `output`, padded, under a fresh key. With `ranges`, only
    /// those byte ranges of the file, in order, make the plaintext (see ``ImageMetadata``).
    public static func encrypt(
        _ input: URL, to output: URL, keeping ranges: [Range<UInt64>]? = nil, progress: ((UInt64) -> Void)? = nil
    ) throws(AttachmentError) -> Encrypted {
        // The size of what was opened, not of whatever the path names a moment later.
        guard let reader = RegularFile.openForReading(input), let fileSize = openedSize(reader) else {
            throw .unreadable
        }
        defer { try? reader.close() }
        let ranges = ranges ?? [0..<fileSize]
        guard ranges.allSatisfy({ $0.upperBound <= fileSize }) else { throw .unreadable }
        let size = ranges.reduce(0) { $0 + $1.upperBound - $1.lowerBound }
        var source = RangeReader(descriptor: reader.fileDescriptor, ranges: ranges)
        let key = SecretStream.generateKey()
        let padded = paddedSize(size)
        let writer = try AtomicWriter(output)
        do throws(AttachmentError) {
            guard var encryptor = try? SecretStream.Encryptor(key: key) else { throw .unwritable }
            try writer.write(encryptor.header)
            var sealed = [UInt8](repeating: 0, count: chunkByteCount + SecretStream.chunkOverhead)
            var chunk = [UInt8](repeating: 0, count: chunkByteCount)
            var offset: UInt64 = 0
            repeat {
                let count = Int(min(UInt64(chunkByteCount), padded - offset))
                // Real bytes while the file lasts, zero padding after.
                let real = Int(min(UInt64(count), size > offset ? size - offset : 0))
                if real > 0 {
                    let filled = chunk.withUnsafeMutableBytes { source.read(into: $0, count: real) }
                    guard filled == real else { throw .unreadable }
                }
                if real < count {
                    for index in real..<count { chunk[index] = 0 }
                }
                offset += UInt64(count)
                let isFinal = offset == padded
                let written = chunk.withUnsafeBytes { plaintext in
                    sealed.withUnsafeMutableBytes { sealed in
                        try? encryptor.encrypt(
                            UnsafeRawBufferPointer(rebasing: plaintext[..<count]), isFinal: isFinal, into: sealed)
                    }
                }
                guard let written else { throw .unwritable }
                let stored = sealed.withUnsafeBytes { bytes in
                    (try? writer.write(UnsafeRawBufferPointer(rebasing: bytes[..<written]))) != nil
                }
                guard stored else { throw .unwritable }
                progress?(min(offset, size))
            } while offset < padded
            chunk.secureWipe()
            try writer.commit()
        } catch {
            writer.discard()
            throw error
        }
        return Encrypted(key: key, size: size, encryptedSize: encryptedSize(padded: padded))
    }

    /// Decrypts the stream at `input` into `output`, keeping the first `size` bytes and checking
    /// that the rest is the zero padding. Nothing appears at `output` unless the whole stream
    /// verified.
    public static func decrypt(
        _ input: URL, to output: URL, key: SecureBytes, size: UInt64, progress: ((UInt64) -> Void)? = nil
    ) throws(AttachmentError) {
        let writer = try AtomicWriter(output)
        do throws(AttachmentError) {
            try decrypt(input, key: key, size: size, progress: progress) { (bytes) throws(AttachmentError) in
                try writer.write(bytes)
            }
            try writer.commit()
        } catch {
            writer.discard()
            throw error
        }
    }

    /// Decrypts the stream at `input` in memory (a file to show, never written anywhere), with
    /// the checks of ``decrypt(_:to:key:size:progress:)``.
    public static func decryptedBytes(_ input: URL, key: SecureBytes, size: UInt64) throws(AttachmentError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(clamping: size))
        try decrypt(input, key: key, size: size, progress: nil) { (chunk) throws(AttachmentError) in
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }

    /// Decrypts the stream at `input`, handing `write` the file's bytes in order; throws at the
    /// first check that fails (after `write` may have seen part of the file).
    private static func decrypt(
        _ input: URL, key: SecureBytes, size: UInt64, progress: ((UInt64) -> Void)?,
        into write: (ArraySlice<UInt8>) throws(AttachmentError) -> Void
    ) throws(AttachmentError) {
        guard let reader = try? FileHandle(forReadingFrom: input) else { throw .unreadable }
        defer { try? reader.close() }
        guard let header = try? reader.read(upToCount: SecretStream.headerByteCount),
            header.count == SecretStream.headerByteCount,
            var decryptor = try? SecretStream.Decryptor(key: key, header: Array(header))
        else { throw .integrityFailure }
        var plaintext = [UInt8](repeating: 0, count: chunkByteCount)
        defer { plaintext.secureWipe() }
        var offset: UInt64 = 0
        while !decryptor.isFinished {
            guard let sealed = try? reader.read(upToCount: chunkByteCount + SecretStream.chunkOverhead),
                !sealed.isEmpty
            else { throw .integrityFailure }
            let produced = sealed.withUnsafeBytes { sealed in
                plaintext.withUnsafeMutableBytes { plaintext in
                    try? decryptor.decrypt(sealed, into: plaintext)
                }
            }
            guard let produced else { throw .integrityFailure }
            let real = Int(min(UInt64(produced), size > offset ? size - offset : 0))
            try write(plaintext[..<real])
            guard plaintext[real..<produced].allSatisfy({ $0 == 0 }) else { throw .integrityFailure }
            offset += UInt64(produced)
            progress?(min(offset, size))
        }
        // Nothing after the FINAL chunk, and the padding is what the size says.
        guard (try? reader.read(upToCount: 1))?.isEmpty ?? true, offset == paddedSize(size) else {
            throw .integrityFailure
        }
    }
}

/// Reads byte ranges of a file in order, with pread(2), as one stream.
struct RangeReader {
    let descriptor: Int32
    let ranges: [Range<UInt64>]
    private var index = 0
    private var offset: UInt64

    init(descriptor: Int32, ranges: [Range<UInt64>]) {
        self.descriptor = descriptor
        self.ranges = ranges
        offset = ranges.first?.lowerBound ?? 0
    }

    /// Fills `count` bytes of `buffer`; fewer only when the ranges end or the file is short.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer, count: Int) -> Int {
        var filled = 0
        while filled < count, index < ranges.count {
            let range = ranges[index]
            if offset >= range.upperBound {
                index += 1
                if index < ranges.count { offset = ranges[index].lowerBound }
                continue
            }
            let wanted = Int(min(UInt64(count - filled), range.upperBound - offset))
            let result = pread(descriptor, buffer.baseAddress! + filled, wanted, off_t(offset))
            if result > 0 {
                filled += result
                offset += UInt64(result)
            } else if result < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return filled
    }
}

/// Writes a file under a temporary name beside its destination, flushes it, and renames it into
/// place on ``commit()``; ``discard()`` removes it.
final class AtomicWriter {
    let destination: URL
    let temporary: URL
    private let handle: FileHandle

    init(_ destination: URL) throws(AttachmentError) {
        // Renaming over a device or a pipe would replace it with what is written here.
        guard RegularFile.mayWrite(destination.path) else { throw .unwritable }
        self.destination = destination
        temporary = destination.deletingLastPathComponent().appendingPathComponent(
            ".\(destination.lastPathComponent).\(UUID().uuidString).partial")
        guard
            FileManager.default.createFile(
                atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = try? FileHandle(forWritingTo: temporary)
        else { throw .unwritable }
        self.handle = handle
    }

    func write(_ bytes: some Sequence<UInt8>) throws(AttachmentError) {
        let stored = Array(bytes).withUnsafeBytes { buffer in (try? write(buffer)) != nil }
        guard stored else { throw .unwritable }
    }

    /// Writes all of `buffer` with write(2), without copying it.
    func write(_ buffer: UnsafeRawBufferPointer) throws(AttachmentError) {
        var offset = 0
        while offset < buffer.count {
            let count = Foundation.write(handle.fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if count > 0 {
                offset += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                throw .unwritable
            }
        }
    }

    func commit() throws(AttachmentError) {
        do {
            try handle.synchronize()
            try handle.close()
            // rename(2) replaces an existing file atomically.
            guard rename(temporary.path, destination.path) == 0 else { throw AttachmentError.unwritable }
        } catch {
            discard()
            throw .unwritable
        }
    }

    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
    }
}

/// The size of an open file (fstat), or nil.
func openedSize(_ handle: FileHandle) -> UInt64? {
    var status = stat()
    guard fstat(handle.fileDescriptor, &status) == 0, status.st_size >= 0 else { return nil }
    return UInt64(status.st_size)
}
