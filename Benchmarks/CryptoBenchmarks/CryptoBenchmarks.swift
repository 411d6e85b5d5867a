// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Benchmark
import CSodium

// Each AmanatCrypto operation is measured beside the raw libsodium call it wraps, on the same
// data in the same run, so the ratio between the two is what matters, not the absolute figure.
// Names read "<operation>: <implementation>"; `scripts/benchmark-ratios` runs the suite and
// prints, per operation, each implementation's median throughput over the reference's (the one
// whose name starts with "raw" or "reference").

/// 64 MiB of plaintext, as DESIGN's attachment path streams it.
let streamByteCount = 64 << 20
/// One short case update.
let messageByteCount = 1024

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        timeUnits: .microseconds,
        warmupIterations: 2,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000
    )
    _ = sodium_init()

    // MARK: - secretstream, 64 MiB

    let streamConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput], timeUnits: .milliseconds, warmupIterations: 2,
        maxDuration: .seconds(8), maxIterations: 40)

    Benchmark("secretstream 64 MiB: AmanatCrypto into a buffer", configuration: streamConfiguration) {
        benchmark, buffers in
        let key = SecretStream.generateKey()
        benchmark.startMeasurement()
        let written = try SecretStream.encrypt(buffers.plaintext, key: key, into: buffers.output)
        benchmark.stopMeasurement()
        precondition(written == buffers.output.count)
        blackHole(buffers.output[written - 1])
    } setup: {
        StreamBuffers()
    }

    Benchmark("secretstream 64 MiB: raw libsodium", configuration: streamConfiguration) { benchmark, buffers in
        let key = SecretStream.generateKey()
        benchmark.startMeasurement()
        let written = key.withUnsafeBytes { key in rawStreamEncrypt(buffers.plaintext, key: key, into: buffers.output) }
        benchmark.stopMeasurement()
        precondition(written == buffers.output.count)
        blackHole(buffers.output[written - 1])
    } setup: {
        StreamBuffers()
    }

    // MARK: - XChaCha20-Poly1305, 1 KiB

    let aeadConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput], timeUnits: .nanoseconds, warmupIterations: 1000,
        scalingFactor: .kilo, maxDuration: .seconds(5))

    Benchmark("XChaCha20-Poly1305 seal 1 KiB: AmanatCrypto", configuration: aeadConfiguration) { benchmark in
        let key = XChaCha20Poly1305.generateKey()
        let nonce = [UInt8](repeating: 7, count: XChaCha20Poly1305.nonceByteCount)
        let plaintext = [UInt8](repeating: 0x41, count: messageByteCount)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try XChaCha20Poly1305.seal(plaintext, key: key, nonce: nonce))
        }
    }

    Benchmark("XChaCha20-Poly1305 seal 1 KiB: AmanatCrypto into a buffer", configuration: aeadConfiguration) {
        benchmark in
        let key = XChaCha20Poly1305.generateKey()
        let nonce = [UInt8](repeating: 7, count: XChaCha20Poly1305.nonceByteCount)
        let plaintext = [UInt8](repeating: 0x41, count: messageByteCount)
        var output = [UInt8](repeating: 0, count: messageByteCount + XChaCha20Poly1305.tagByteCount)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try output.withUnsafeMutableBytes { output in
                _ = try XChaCha20Poly1305.seal(plaintext, key: key, nonce: nonce, into: output)
            }
            blackHole(output[0])
        }
    }

    Benchmark("XChaCha20-Poly1305 seal 1 KiB: raw libsodium", configuration: aeadConfiguration) { benchmark in
        let key = [UInt8](repeating: 3, count: XChaCha20Poly1305.keyByteCount)
        let nonce = [UInt8](repeating: 7, count: XChaCha20Poly1305.nonceByteCount)
        let plaintext = [UInt8](repeating: 0x41, count: messageByteCount)
        var output = [UInt8](repeating: 0, count: messageByteCount + XChaCha20Poly1305.tagByteCount)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            output.withUnsafeMutableBufferPointer { output in
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                    output.baseAddress!, nil, plaintext, UInt64(plaintext.count), nil, 0, nil, nonce, key)
            }
            blackHole(output[0])
        }
    }
}

/// Plaintext and a pre-faulted output buffer, so that neither side measures page faults.
final class StreamBuffers: @unchecked Sendable {
    let plaintext: [UInt8]
    let output: UnsafeMutableRawBufferPointer

    init() {
        plaintext = (0..<streamByteCount).map { UInt8(truncatingIfNeeded: $0) }
        let size = SecretStream.encryptedByteCount(plaintextByteCount: streamByteCount)
        output = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        output.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        output.deallocate()
    }
}

/// The reference: libsodium's secretstream over the same 64 KiB chunks, with nothing around it.
func rawStreamEncrypt(_ plaintext: [UInt8], key: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
    -> Int
{
    var state = crypto_secretstream_xchacha20poly1305_state()
    let base = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
    let keyBytes = key.baseAddress!.assumingMemoryBound(to: UInt8.self)
    _ = crypto_secretstream_xchacha20poly1305_init_push(&state, base, keyBytes)
    let chunk = SecretStream.defaultChunkByteCount
    let overhead = SecretStream.chunkOverhead
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
                &state, base + written, nil, input.baseAddress! + offset, UInt64(count), nil, 0, tag)
            written += count + overhead
            offset += count
        }
    }
    sodium_memzero(&state, MemoryLayout.size(ofValue: state))
    return written
}
