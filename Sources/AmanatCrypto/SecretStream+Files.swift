// SPDX-License-Identifier: AGPL-3.0-or-later

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Files

extension SecretStream {
    /// Encrypts the file at `inputPath` into a new file at `outputPath`, in constant memory.
    ///
    /// The output appears under its name only once it is complete and flushed to disk: it is
    /// written to a temporary file beside it and renamed. An existing file at `outputPath` is
    /// replaced. The plaintext buffer is zeroed when done.
    ///
    /// - Throws: ``AmanatCryptoError/fileUnreadable`` if the input is missing or unreadable,
    ///   ``AmanatCryptoError/fileUnwritable`` if the output cannot be written.
    public static func encryptFile(
        at inputPath: String,
        to outputPath: String,
        key: SecureBytes,
        chunkByteCount: Int = defaultChunkByteCount
    ) throws(AmanatCryptoError) {
        try checkChunkSize(chunkByteCount)
        var encryptor = try Encryptor(key: key)
        let input = try InputFile(path: inputPath)
        let output = try AtomicOutputFile(path: outputPath)
        var current = SecureBytes(zeroedCount: chunkByteCount)
        var next = SecureBytes(zeroedCount: chunkByteCount)
        var sealed = [UInt8](repeating: 0, count: chunkByteCount + chunkOverhead)
        do throws(AmanatCryptoError) {
            try output.write(encryptor.header)
            var currentCount = try input.read(into: &current)
            while true {
                // Look one chunk ahead: a full chunk followed by end of file is the FINAL one.
                let nextCount = currentCount == chunkByteCount ? try input.read(into: &next) : 0
                let isFinal = nextCount == 0
                let written = current.withUnsafeBytes { plaintext in
                    sealed.withUnsafeMutableBytes { sealed in
                        Result { () throws(AmanatCryptoError) in
                            try encryptor.encrypt(
                                UnsafeRawBufferPointer(rebasing: plaintext[..<currentCount]),
                                isFinal: isFinal, into: sealed)
                        }
                    }
                }
                try output.write(sealed[..<written.get()])
                if isFinal { break }
                swap(&current, &next)
                currentCount = nextCount
            }
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
    }

    /// Verifies and decrypts the file at `inputPath` into a new file at `outputPath`.
    ///
    /// Nothing appears at `outputPath` unless the whole stream verified up to its FINAL chunk:
    /// plaintext goes to a temporary file that is removed on any failure.
    ///
    /// - Throws: ``AmanatCryptoError/authenticationFailure``, ``AmanatCryptoError/truncatedStream``
    ///   or ``AmanatCryptoError/dataAfterFinalChunk`` for a damaged stream; the file errors as in
    ///   ``encryptFile(at:to:key:chunkByteCount:)``.
    public static func decryptFile(
        at inputPath: String,
        to outputPath: String,
        key: SecureBytes,
        chunkByteCount: Int = defaultChunkByteCount
    ) throws(AmanatCryptoError) {
        try checkChunkSize(chunkByteCount)
        let input = try InputFile(path: inputPath)
        var header = SecureBytes(zeroedCount: headerByteCount)
        guard try input.read(into: &header) == headerByteCount else { throw .truncatedStream }
        var decryptor = try Decryptor(key: key, header: header)
        let output = try AtomicOutputFile(path: outputPath)
        var sealed = SecureBytes(zeroedCount: chunkByteCount + chunkOverhead)
        var plaintext = SecureBytes(zeroedCount: chunkByteCount)
        do throws(AmanatCryptoError) {
            while true {
                let count = try input.read(into: &sealed)
                if count == 0 { break }
                let written = sealed.withUnsafeBytes { sealed in
                    plaintext.withUnsafeMutableBytes { plaintext in
                        Result { () throws(AmanatCryptoError) in
                            try decryptor.decrypt(UnsafeRawBufferPointer(rebasing: sealed[..<count]), into: plaintext)
                        }
                    }
                }
                let produced = try written.get()
                try plaintext.withUnsafeBytes { (bytes) throws(AmanatCryptoError) in
                    try output.write(UnsafeRawBufferPointer(rebasing: bytes[..<produced]))
                }
            }
            guard decryptor.isFinished else { throw .truncatedStream }
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
    }
}

// MARK: - POSIX file helpers

/// `read(2)`, named so that it does not clash with the methods below.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// `write(2)`, named so that it does not clash with the methods below.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// A file opened for reading, closed on release.
private final class InputFile {
    private let descriptor: Int32

    init(path: String) throws(AmanatCryptoError) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileUnreadable }
    }

    /// Fills `buffer` as far as the file allows; fewer bytes than its size only at end of file.
    func read(into buffer: inout SecureBytes) throws(AmanatCryptoError) -> Int {
        let descriptor = descriptor
        let filled = buffer.withUnsafeMutableBytes { buffer -> Int in
            var filled = 0
            while filled < buffer.count {
                let count = systemRead(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
                if count > 0 {
                    filled += count
                } else if count == 0 {
                    break
                } else if errno != EINTR {
                    return -1
                }
            }
            return filled
        }
        guard filled >= 0 else { throw .fileUnreadable }
        return filled
    }

    deinit {
        close(descriptor)
    }
}

/// A new file written under a temporary name and renamed into place by ``commit()``, so that a
/// reader never sees a partial file.
private final class AtomicOutputFile {
    private let path: String
    private let temporaryPath: String
    private var descriptor: Int32

    init(path: String) throws(AmanatCryptoError) {
        let suffix = SecureBytes.random(count: 8).withUnsafeBytes { $0.map { String($0, radix: 16) }.joined() }
        self.path = path
        temporaryPath = path + ".partial-" + suffix
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .fileUnwritable }
    }

    func write(_ bytes: some ContiguousBytesView) throws(AmanatCryptoError) {
        let descriptor = descriptor
        let ok = bytes.withBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let count = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if count > 0 {
                    offset += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
        guard ok else { throw .fileUnwritable }
    }

    /// Flushes the file to disk, renames it into place and flushes the directory entry.
    func commit() throws(AmanatCryptoError) {
        guard fsync(descriptor) == 0 else { throw .fileUnwritable }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            throw .fileUnwritable
        }
        let directory = open(Self.directory(of: path), O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    /// Removes the temporary file.
    func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(temporaryPath)
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
