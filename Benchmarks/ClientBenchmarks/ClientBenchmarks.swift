// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import Benchmark
import CSodium
import Foundation

#if canImport(Glibc)
import Glibc
#endif

// Attachment encryption (issue #6): AmanatClient's file-to-file pass (padding, 64 KiB chunks,
// atomic output) against libsodium's secretstream over the same chunks, both in memory and
// file to file with plain read(2)/write(2), in the same run. `scripts/benchmark-ratios
// ClientBenchmarks` prints the ratios. The 1 GiB case reports peak resident memory.

let fileByteCount = 64 << 20
let largeByteCount = 1 << 30

/// A temporary plaintext file of `count` bytes, made once per benchmark and removed after.
final class PlainFile: @unchecked Sendable {
    let url: URL
    let output: URL

    static let root = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-client-bench")

    /// Removes every file the benchmarks made (the harness keeps setup values alive to the end).
    static func removeAll() {
        try? FileManager.default.removeItem(at: root)
    }

    init(count: Int) {
        let folder = Self.root.appendingPathComponent(UUID().uuidString)
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        url = folder.appendingPathComponent("plain")
        output = folder.appendingPathComponent("sealed")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try! FileHandle(forWritingTo: url)
        let block = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        for _ in 0..<(count >> 20) { handle.write(block) }
        try! handle.close()
    }

    deinit {
        try? FileManager.default.removeItem(at: url.deletingLastPathComponent())
    }
}

/// libsodium's secretstream from one file to another through a 64 KiB buffer, nothing else.
func rawFileEncrypt(_ input: URL, _ output: URL) {
    let source = open(input.path, O_RDONLY)
    // A new file each time, as AmanatClient writes one (truncating a full one costs more).
    unlink(output.path)
    let destination = open(output.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    defer {
        close(source)
        fsync(destination)
        close(destination)
    }
    var state = crypto_secretstream_xchacha20poly1305_state()
    var key = [UInt8](repeating: 7, count: 32)
    var header = [UInt8](repeating: 0, count: SecretStream.headerByteCount)
    _ = crypto_secretstream_xchacha20poly1305_init_push(&state, &header, &key)
    _ = write(destination, header, header.count)
    let chunk = SecretStream.defaultChunkByteCount
    var plain = [UInt8](repeating: 0, count: chunk)
    var next = [UInt8](repeating: 0, count: chunk)
    var sealed = [UInt8](repeating: 0, count: chunk + SecretStream.chunkOverhead)
    var count = read(source, &plain, chunk)
    while count > 0 {
        let nextCount = count == chunk ? read(source, &next, chunk) : 0
        let tag =
            nextCount <= 0
            ? crypto_secretstream_xchacha20poly1305_tag_final() : crypto_secretstream_xchacha20poly1305_tag_message()
        _ = crypto_secretstream_xchacha20poly1305_push(&state, &sealed, nil, plain, UInt64(count), nil, 0, tag)
        _ = write(destination, sealed, count + SecretStream.chunkOverhead)
        swap(&plain, &next)
        count = nextCount
    }
}

/// libsodium's secretstream over a buffer in memory: the primitive alone.
func rawMemoryEncrypt(_ plaintext: [UInt8], into output: inout [UInt8]) {
    var state = crypto_secretstream_xchacha20poly1305_state()
    var key = [UInt8](repeating: 7, count: 32)
    let chunk = SecretStream.defaultChunkByteCount
    output.withUnsafeMutableBufferPointer { out in
        _ = crypto_secretstream_xchacha20poly1305_init_push(&state, out.baseAddress!, &key)
        var written = SecretStream.headerByteCount
        plaintext.withUnsafeBufferPointer { input in
            var offset = 0
            while offset < input.count {
                let count = min(chunk, input.count - offset)
                let tag =
                    offset + count == input.count
                    ? crypto_secretstream_xchacha20poly1305_tag_final()
                    : crypto_secretstream_xchacha20poly1305_tag_message()
                _ = crypto_secretstream_xchacha20poly1305_push(
                    &state, out.baseAddress! + written, nil, input.baseAddress! + offset, UInt64(count), nil, 0, tag)
                written += count + SecretStream.chunkOverhead
                offset += count
            }
        }
    }
}

/// A benchmark that encrypts a file of `count` bytes, made before and removed after, timing only
/// `encrypt`.
func fileBenchmark(
    _ name: String, configuration: Benchmark.Configuration, count: Int,
    encrypt: @escaping @Sendable (PlainFile) throws -> Void
) {
    Benchmark(name, configuration: configuration) { benchmark, file in
        benchmark.startMeasurement()
        try encrypt(file)
        benchmark.stopMeasurement()
    } setup: {
        PlainFile(count: count)
    } teardown: {
        PlainFile.removeAll()
    }
}

/// AmanatClient's file-to-file encryption.
let amanatEncrypt: @Sendable (PlainFile) throws -> Void = { file in
    blackHole(try AttachmentCipher.encrypt(file.url, to: file.output).encryptedSize)
}

/// The raw libsodium file loop.
let rawEncrypt: @Sendable (PlainFile) throws -> Void = { file in rawFileEncrypt(file.url, file.output) }

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput], timeUnits: .milliseconds, warmupIterations: 1,
        maxDuration: .seconds(10), maxIterations: 20)
    let large = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .peakMemoryResident], timeUnits: .milliseconds, warmupIterations: 0,
        maxDuration: .seconds(60), maxIterations: 1)

    fileBenchmark(
        "attachment 64 MiB file to file: AmanatClient AttachmentCipher", configuration: configuration,
        count: fileByteCount, encrypt: amanatEncrypt)
    fileBenchmark(
        "attachment 64 MiB file to file: raw libsodium with read and write", configuration: configuration,
        count: fileByteCount, encrypt: rawEncrypt)
    fileBenchmark(
        "attachment 64 MiB vs memory: AmanatClient AttachmentCipher", configuration: configuration,
        count: fileByteCount, encrypt: amanatEncrypt)

    Benchmark("attachment 64 MiB vs memory: raw libsodium in memory", configuration: configuration) { benchmark in
        let plaintext = [UInt8](repeating: 0x41, count: fileByteCount)
        var output = [UInt8](
            repeating: 0, count: SecretStream.encryptedByteCount(plaintextByteCount: fileByteCount))
        benchmark.startMeasurement()
        rawMemoryEncrypt(plaintext, into: &output)
        benchmark.stopMeasurement()
        blackHole(output[output.count - 1])
    }

    fileBenchmark(
        "attachment 1 GiB peak memory: AmanatClient AttachmentCipher", configuration: large, count: largeByteCount,
        encrypt: amanatEncrypt)
    fileBenchmark(
        "attachment 1 GiB peak memory: raw libsodium with read and write", configuration: large,
        count: largeByteCount, encrypt: rawEncrypt)
}
