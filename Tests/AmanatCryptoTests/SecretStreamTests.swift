// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation
import Testing

@Suite("SecretStream")
struct SecretStreamTests {
    /// A small chunk size makes multi-chunk streams cheap enough to tamper with byte by byte.
    static let chunk = 64
    let key = SecretStream.generateKey()

    static func plaintext(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    }

    /// Splits a stream into its header and its sealed chunks.
    static func split(_ stream: [UInt8], chunk: Int = chunk) -> (header: [UInt8], chunks: [[UInt8]]) {
        let header = Array(stream.prefix(SecretStream.headerByteCount))
        var chunks: [[UInt8]] = []
        var offset = SecretStream.headerByteCount
        while offset < stream.count {
            let end = min(offset + chunk + SecretStream.chunkOverhead, stream.count)
            chunks.append(Array(stream[offset..<end]))
            offset = end
        }
        return (header, chunks)
    }

    @Test(
        "round trip at chunk boundaries",
        arguments: [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk, 3 * chunk + 5])
    func roundTrip(count: Int) throws {
        let input = Self.plaintext(count)
        let stream = try SecretStream.encrypt(input, key: key, chunkByteCount: Self.chunk)
        #expect(stream.count == SecretStream.encryptedByteCount(plaintextByteCount: count, chunkByteCount: Self.chunk))
        #expect(try SecretStream.decrypt(stream, key: key, chunkByteCount: Self.chunk) == input)
    }

    @Test("round trip with the default 64 KiB chunks")
    func defaultChunks() throws {
        let input = Self.plaintext(3 * SecretStream.defaultChunkByteCount + 1000)
        let stream = try SecretStream.encrypt(input, key: key)
        #expect(stream.count == SecretStream.headerByteCount + input.count + 4 * SecretStream.chunkOverhead)
        #expect(try SecretStream.decrypt(stream, key: key) == input)
    }

    @Test("every single-byte change anywhere in a three-chunk stream is rejected")
    func tamperEveryByte() throws {
        let stream = try SecretStream.encrypt(Self.plaintext(2 * Self.chunk + 10), key: key, chunkByteCount: Self.chunk)
        for position in stream.indices {
            var altered = stream
            altered[position] ^= 0x01
            #expect(throws: AmanatCryptoError.authenticationFailure, "byte \(position)") {
                try SecretStream.decrypt(altered, key: key, chunkByteCount: Self.chunk)
            }
        }
    }

    @Test("a stream cut anywhere is refused as truncated or unauthentic, never accepted")
    func truncationAnywhere() throws {
        let stream = try SecretStream.encrypt(Self.plaintext(2 * Self.chunk + 10), key: key, chunkByteCount: Self.chunk)
        for length in 0..<stream.count {
            let error = cryptoError { () throws(AmanatCryptoError) in
                _ = try SecretStream.decrypt(Array(stream.prefix(length)), key: key, chunkByteCount: Self.chunk)
            }
            #expect(error == .truncatedStream || error == .authenticationFailure, "length \(length)")
        }
    }

    @Test("dropping the final chunk is reported as truncation")
    func droppedFinalChunk() throws {
        let stream = try SecretStream.encrypt(Self.plaintext(3 * Self.chunk), key: key, chunkByteCount: Self.chunk)
        let (header, chunks) = Self.split(stream)
        #expect(chunks.count == 3)
        let cut = header + chunks[0] + chunks[1]
        #expect(throws: AmanatCryptoError.truncatedStream) {
            try SecretStream.decrypt(cut, key: key, chunkByteCount: Self.chunk)
        }
    }

    @Test("reordered and duplicated chunks are rejected")
    func reorderAndDuplicate() throws {
        let stream = try SecretStream.encrypt(Self.plaintext(3 * Self.chunk), key: key, chunkByteCount: Self.chunk)
        let (header, chunks) = Self.split(stream)
        let swapped = header + chunks[1] + chunks[0] + chunks[2]
        let duplicated = header + chunks[0] + chunks[0] + chunks[1] + chunks[2]
        for altered in [swapped, duplicated] {
            #expect(throws: AmanatCryptoError.authenticationFailure) {
                try SecretStream.decrypt(altered, key: key, chunkByteCount: Self.chunk)
            }
        }
    }

    @Test("bytes after the final chunk are rejected")
    func trailingData() throws {
        // After a full-size final chunk the framing sees extra bytes as a chunk of their own.
        let full = try SecretStream.encrypt(Self.plaintext(Self.chunk), key: key, chunkByteCount: Self.chunk)
        let other = try SecretStream.encrypt(Self.plaintext(10), key: key, chunkByteCount: Self.chunk)
        for extra in [[0], Self.split(other).chunks[0]] {
            #expect(throws: AmanatCryptoError.dataAfterFinalChunk) {
                try SecretStream.decrypt(full + extra, key: key, chunkByteCount: Self.chunk)
            }
        }
        // After a short final chunk, extra bytes fall inside that chunk's frame and break its tag.
        #expect(throws: AmanatCryptoError.authenticationFailure) {
            try SecretStream.decrypt(other + [0], key: key, chunkByteCount: Self.chunk)
        }
    }

    @Test("wrong key and wrong header are rejected")
    func wrongKey() throws {
        let stream = try SecretStream.encrypt(Self.plaintext(100), key: key, chunkByteCount: Self.chunk)
        #expect(throws: AmanatCryptoError.authenticationFailure) {
            try SecretStream.decrypt(stream, key: SecretStream.generateKey(), chunkByteCount: Self.chunk)
        }
        #expect(throws: AmanatCryptoError.invalidKeySize) {
            try SecretStream.encrypt(Self.plaintext(1), key: SecureBytes.random(count: 16))
        }
        #expect(throws: AmanatCryptoError.invalidParameters) {
            try SecretStream.encrypt(Self.plaintext(1), key: key, chunkByteCount: 0)
        }
        // Sizing with a nonsensical chunk size gives a number, never a trap.
        #expect(SecretStream.encryptedByteCount(plaintextByteCount: 10, chunkByteCount: 0) == 24 + 10 + 10 * 17)
        #expect(SecretStream.encryptedByteCount(plaintextByteCount: 0) == 24 + 17)
    }

    @Test("the chunk API refuses use after the final chunk")
    func chunkAPI() throws {
        var encryptor = try SecretStream.Encryptor(key: key)
        let first = try encryptor.encrypt([1, 2, 3], isFinal: false)
        let last = try encryptor.encrypt([4], isFinal: true)
        let encryptorFinished = encryptor.isFinished
        #expect(encryptorFinished)
        #expect(throws: AmanatCryptoError.streamFinished) { _ = try encryptor.encrypt([5], isFinal: true) }

        var decryptor = try SecretStream.Decryptor(key: key, header: encryptor.header)
        #expect(try decryptor.decrypt(first) == [1, 2, 3])
        let finishedEarly = decryptor.isFinished
        #expect(!finishedEarly)
        #expect(try decryptor.decrypt(last) == [4])
        let finished = decryptor.isFinished
        #expect(finished)
        #expect(throws: AmanatCryptoError.dataAfterFinalChunk) { _ = try decryptor.decrypt(last) }
        #expect(throws: AmanatCryptoError.truncatedStream) {
            _ = try SecretStream.Decryptor(key: key, header: Array(encryptor.header.dropLast()))
        }
    }
}

@Suite("SecretStream files")
struct SecretStreamFileTests {
    let key = SecretStream.generateKey()

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-crypto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("file round trip in several sizes", arguments: [0, 1, 65_536, 65_537, 300_000])
    func roundTrip(count: Int) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = SecretStreamTests.plaintext(count)
        let plain = directory.appendingPathComponent("plain")
        let sealed = directory.appendingPathComponent("sealed")
        let opened = directory.appendingPathComponent("opened")
        try Data(input).write(to: plain)
        try SecretStream.encryptFile(at: plain.path, to: sealed.path, key: key)
        let stream = try [UInt8](Data(contentsOf: sealed))
        #expect(stream.count == SecretStream.encryptedByteCount(plaintextByteCount: count))
        // The file format is the buffer format.
        #expect(try SecretStream.decrypt(stream, key: key) == input)
        try SecretStream.decryptFile(at: sealed.path, to: opened.path, key: key)
        #expect(try [UInt8](Data(contentsOf: opened)) == input)
        // No temporary files are left behind.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
                "opened", "plain", "sealed",
            ])
    }

    @Test("a damaged file leaves no plaintext behind")
    func damagedFileWritesNothing() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = directory.appendingPathComponent("plain")
        let sealed = directory.appendingPathComponent("sealed")
        let opened = directory.appendingPathComponent("opened")
        try Data(SecretStreamTests.plaintext(200_000)).write(to: plain)
        try SecretStream.encryptFile(at: plain.path, to: sealed.path, key: key)
        var stream = try [UInt8](Data(contentsOf: sealed))

        let truncated = Array(stream.prefix(SecretStream.headerByteCount + 65_536 + SecretStream.chunkOverhead))
        try Data(truncated).write(to: sealed)
        #expect(throws: AmanatCryptoError.truncatedStream) {
            try SecretStream.decryptFile(at: sealed.path, to: opened.path, key: key)
        }
        stream[stream.count - 3] ^= 0x40
        try Data(stream).write(to: sealed)
        #expect(throws: AmanatCryptoError.authenticationFailure) {
            try SecretStream.decryptFile(at: sealed.path, to: opened.path, key: key)
        }
        let empty = directory.appendingPathComponent("empty")
        try Data().write(to: empty)
        #expect(throws: AmanatCryptoError.truncatedStream) {
            try SecretStream.decryptFile(at: empty.path, to: opened.path, key: key)
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
                "empty", "plain", "sealed",
            ])
    }

    @Test("missing input and unwritable output are typed errors")
    func fileErrors() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = directory.appendingPathComponent("plain")
        try Data([1, 2, 3]).write(to: plain)
        #expect(throws: AmanatCryptoError.fileUnreadable) {
            try SecretStream.encryptFile(
                at: directory.appendingPathComponent("missing").path, to: plain.path + ".x", key: key)
        }
        #expect(throws: AmanatCryptoError.fileUnwritable) {
            try SecretStream.encryptFile(
                at: plain.path, to: directory.appendingPathComponent("no/such/dir").path, key: key)
        }
        #expect(throws: AmanatCryptoError.fileUnreadable) {
            try SecretStream.decryptFile(at: directory.path + "/missing", to: plain.path + ".y", key: key)
        }
        #expect(throws: AmanatCryptoError.fileUnreadable) {
            // A directory opens but cannot be read.
            try SecretStream.encryptFile(at: directory.path, to: plain.path + ".z", key: key)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["plain"])
    }
}
