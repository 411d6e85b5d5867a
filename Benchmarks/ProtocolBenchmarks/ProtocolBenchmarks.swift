// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatProtocolVectors
import Benchmark
import CSodium
import Crypto
import Foundation

// The ratchet's cost beside the bare AEAD it is built on, and envelope sealing beside swift-crypto's
// HPKE, in the same run. Names read "<operation>: <implementation>"; `scripts/benchmark-ratios
// ProtocolBenchmarks` prints each implementation's speed relative to the "raw"/"reference" one.

let messageByteCount = 1024

/// Two sessions after a completed handshake.
struct Conversation {
    var entropy = SystemEntropy()
    var encapsulator = SystemEncapsulator()
    var alice: RatchetSession
    var bob: RatchetSession
    let bobSealingKey: XWing.PrivateKey
    let certificate: SenderCertificate

    init() throws {
        var entropy = SystemEntropy()
        var encapsulator = SystemEncapsulator()
        let aliceDevice = VectorDevice(name: "alice", seed: SecureRandom.bytes(count: 32))
        let bobDevice = VectorDevice(name: "bob", seed: SecureRandom.bytes(count: 32))
        bobSealingKey = bobDevice.sealingKey
        let now = UInt64(Date().timeIntervalSince1970)
        alice = try Handshake.initiate(
            from: aliceDevice.identity, to: bobDevice.bundle(withOneTimePrekeys: false), now: now, entropy: &entropy,
            encapsulator: &encapsulator)
        let first = try alice.encrypt([0], now: now, entropy: &entropy, encapsulator: &encapsulator)
        bob = try bobDevice.respond(to: first.bytes, now: now, configuration: .standard).session
        let reply = try bob.encrypt([1], now: now, entropy: &entropy, encapsulator: &encapsulator)
        _ = try alice.decrypt(reply.bytes, now: now)
        certificate = SenderCertificate(selfSignedBy: aliceDevice.identity, expiresAt: .max)
    }
}

/// What the two sealing benchmarks seal, made once.
struct SealingInputs: Sendable {
    let message: SessionMessage
    let certificate: SenderCertificate
    let recipient: XWing.PublicKey
    let mailbox = MailboxID([UInt8](repeating: 1, count: 32))!
    let referenceRecipient: XWingMLKEM768X25519.PublicKey

    init() throws {
        var conversation = try Conversation()
        message = try conversation.alice.encrypt(
            Array("court hearing moved to Monday".utf8), now: UInt64(Date().timeIntervalSince1970),
            entropy: &conversation.entropy, encapsulator: &conversation.encapsulator)
        certificate = conversation.certificate
        recipient = conversation.bobSealingKey.publicKey
        referenceRecipient = try XWingMLKEM768X25519.PrivateKey.generate().publicKey
    }
}

let benchmarks: @Sendable () -> Void = {
    _ = sodium_init()
    // Each sample is 1,000 messages on one conversation, so the handshake and the first DH step,
    // done before the measurement starts, are not what is measured.
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput], timeUnits: .nanoseconds, warmupIterations: 2,
        scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 10_000)
    // Sealing needs no warm-up state: one seal per sample.
    let sealConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput], timeUnits: .nanoseconds, warmupIterations: 2,
        scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 10_000)
    let plaintext = [UInt8](repeating: 0x42, count: messageByteCount)
    let now = UInt64(Date().timeIntervalSince1970)

    // MARK: - One 1 KiB message, encrypted and decrypted

    Benchmark("1 KiB message sent and received: ratchet, same direction", configuration: configuration) { benchmark in
        var conversation = try Conversation()
        // Alice's first message after Bob's reply makes her new sending chain: keep it out.
        let warmUp = try conversation.alice.encrypt(
            plaintext, now: now, entropy: &conversation.entropy, encapsulator: &conversation.encapsulator)
        _ = try conversation.bob.decrypt(warmUp.bytes, now: now)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let message = try conversation.alice.encrypt(
                plaintext, now: now, entropy: &conversation.entropy, encapsulator: &conversation.encapsulator)
            blackHole(try conversation.bob.decrypt(message.bytes, now: now))
        }
    }

    Benchmark(
        "1 KiB message sent and received: ratchet, alternating direction (DH step each)", configuration: configuration
    ) {
        benchmark in
        var conversation = try Conversation()
        var fromAlice = true
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if fromAlice {
                let message = try conversation.alice.encrypt(
                    plaintext, now: now, entropy: &conversation.entropy, encapsulator: &conversation.encapsulator)
                blackHole(try conversation.bob.decrypt(message.bytes, now: now))
            } else {
                let message = try conversation.bob.encrypt(
                    plaintext, now: now, entropy: &conversation.entropy, encapsulator: &conversation.encapsulator)
                blackHole(try conversation.alice.decrypt(message.bytes, now: now))
            }
            fromAlice.toggle()
        }
    }

    Benchmark("1 KiB message sent and received: raw libsodium AEAD seal + open", configuration: configuration) {
        benchmark in
        let key = [UInt8](repeating: 3, count: 32)
        let nonce = [UInt8](repeating: 7, count: 24)
        var sealed = [UInt8](repeating: 0, count: messageByteCount + 16)
        var opened = [UInt8](repeating: 0, count: messageByteCount)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            sealed.withUnsafeMutableBufferPointer { sealed in
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                    sealed.baseAddress!, nil, plaintext, UInt64(plaintext.count), nil, 0, nil, nonce, key)
            }
            opened.withUnsafeMutableBufferPointer { opened in
                _ = crypto_aead_xchacha20poly1305_ietf_decrypt(
                    opened.baseAddress!, nil, nil, sealed, UInt64(sealed.count), nil, 0, nonce, key)
            }
            blackHole(opened[0])
        }
    }

    // MARK: - One X25519 agreement (the ratchet does three per DH step: a key pair and two agreements)

    let dhConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput], timeUnits: .nanoseconds, warmupIterations: 2,
        scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 10_000)

    Benchmark("X25519 agreement: raw libsodium crypto_scalarmult", configuration: dhConfiguration) { benchmark in
        let scalar = SecureRandom.bytes(count: 32)
        var peer = [UInt8](repeating: 0, count: 32)
        _ = crypto_scalarmult_base(&peer, SecureRandom.bytes(count: 32))
        var shared = [UInt8](repeating: 0, count: 32)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            _ = crypto_scalarmult(&shared, scalar, peer)
            blackHole(shared[0])
        }
    }

    Benchmark("X25519 agreement: swift-crypto Curve25519", configuration: dhConfiguration) { benchmark in
        let ours = Curve25519.KeyAgreement.PrivateKey()
        let peer = Curve25519.KeyAgreement.PrivateKey().publicKey
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try ours.sharedSecretFromKeyAgreement(with: peer))
        }
    }

    Benchmark("X25519 key pair: raw libsodium crypto_scalarmult_base", configuration: dhConfiguration) { benchmark in
        let scalar = SecureRandom.bytes(count: 32)
        var publicKey = [UInt8](repeating: 0, count: 32)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            _ = crypto_scalarmult_base(&publicKey, scalar)
            blackHole(publicKey[0])
        }
    }

    Benchmark("X25519 key pair: swift-crypto Curve25519", configuration: dhConfiguration) { benchmark in
        let scalar = Data(SecureRandom.bytes(count: 32))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: scalar).publicKey)
        }
    }

    // MARK: - One Ed25519 signature over a deposit receipt's 120-odd bytes (the relay signs one per deposit)

    Benchmark("Ed25519 sign a receipt: raw libsodium crypto_sign_detached", configuration: dhConfiguration) {
        benchmark in
        var publicKey = [UInt8](repeating: 0, count: 32)
        var secretKey = [UInt8](repeating: 0, count: 64)
        _ = crypto_sign_seed_keypair(&publicKey, &secretKey, SecureRandom.bytes(count: 32))
        let message = [UInt8](repeating: 0x52, count: 125)
        var signature = [UInt8](repeating: 0, count: 64)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            _ = crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey)
            blackHole(signature[0])
        }
    }

    Benchmark("Ed25519 sign a receipt: swift-crypto Curve25519.Signing", configuration: dhConfiguration) {
        benchmark in
        let key = Curve25519.Signing.PrivateKey()
        let message = [UInt8](repeating: 0x52, count: 125)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try key.signature(for: message))
        }
    }

    // MARK: - 16 deposit receipts: one tree under one signature (SPEC §8.4.1) against 16 signatures

    let receiptBatch = 16
    Benchmark("16 deposit receipts: raw libsodium crypto_sign_detached ×16", configuration: dhConfiguration) {
        benchmark in
        var publicKey = [UInt8](repeating: 0, count: 32)
        var secretKey = [UInt8](repeating: 0, count: 64)
        _ = crypto_sign_seed_keypair(&publicKey, &secretKey, SecureRandom.bytes(count: 32))
        let message = [UInt8](repeating: 0x52, count: 125)
        var signature = [UInt8](repeating: 0, count: 64)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for _ in 0..<receiptBatch {
                _ = crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey)
            }
            blackHole(signature[0])
        }
    }

    Benchmark("16 deposit receipts: DepositReceipt.signed, one tree", configuration: dhConfiguration) { benchmark in
        let key = Ed25519.PrivateKey()
        let deposits = (0..<receiptBatch).map { index in
            (
                mailbox: MailboxID.random(), digest: EnvelopeDigest(of: SecureRandom.bytes(count: 64)),
                time: UInt64(index)
            )
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(DepositReceipt.signed(deposits, by: key).count)
        }
    }

    // MARK: - KDF_RK: HKDF-SHA256 with 96 bytes of output (every DH step, twice per exchange)

    Benchmark("KDF_RK, 96 bytes: HKDFSHA256.deriveKeys", configuration: dhConfiguration) { benchmark in
        let salt = SecureRandom.bytes(count: 32)
        let ikm = SecureBytes(copying: SecureRandom.bytes(count: 36))
        let info = [UInt8](repeating: 0x61, count: 27)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(
                try HKDFSHA256.deriveKeys(
                    inputKeyMaterial: ikm, salt: salt, info: info, outputByteCounts: [32, 32, 32]))
        }
    }

    // RFC 5869 with libsodium's HMAC, no allocation: extract, then three expand blocks, each
    // HMAC(PRK, T(i-1) ‖ info ‖ i). The floor for the 96 bytes, not a replacement (DESIGN.md keeps
    // HKDF with swift-crypto).
    Benchmark("KDF_RK, 96 bytes: raw libsodium HMAC-SHA256 ×4 (RFC 5869 by hand)", configuration: dhConfiguration) {
        benchmark in
        let salt = SecureRandom.bytes(count: 32)
        let ikm = SecureRandom.bytes(count: 36)
        let info = [UInt8](repeating: 0x61, count: 27)
        var prk = [UInt8](repeating: 0, count: 32)
        var okm = [UInt8](repeating: 0, count: 96)
        var state = crypto_auth_hmacsha256_state()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            _ = crypto_auth_hmacsha256_init(&state, salt, salt.count)
            _ = crypto_auth_hmacsha256_update(&state, ikm, UInt64(ikm.count))
            _ = crypto_auth_hmacsha256_final(&state, &prk)
            okm.withUnsafeMutableBufferPointer { okm in
                for block in 0..<3 {
                    _ = crypto_auth_hmacsha256_init(&state, prk, prk.count)
                    if block > 0 {
                        _ = crypto_auth_hmacsha256_update(&state, okm.baseAddress! + (block - 1) * 32, 32)
                    }
                    _ = crypto_auth_hmacsha256_update(&state, info, UInt64(info.count))
                    var counter = UInt8(block + 1)
                    _ = crypto_auth_hmacsha256_update(&state, &counter, 1)
                    _ = crypto_auth_hmacsha256_final(&state, okm.baseAddress! + block * 32)
                }
            }
            blackHole(okm[0])
        }
    }

    // MARK: - Sealing an envelope (2 KiB bucket)

    // Both sides' keys and the message are made once, here, not in each sample: a handshake and
    // key generation just before a single timed seal would leave one side's caches colder.
    let sealing = try! SealingInputs()

    Benchmark("seal a 2 KiB envelope: SealedEnvelope", configuration: sealConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try SealedEnvelope.seal(
                    sealing.message, certificate: sealing.certificate, to: sealing.recipient, mailbox: sealing.mailbox))
        }
    }

    Benchmark("seal a 2 KiB envelope: reference swift-crypto HPKE of the same size", configuration: sealConfiguration) {
        benchmark in
        let padded = [UInt8](repeating: 0, count: 2048 - 1 - 1120 - 16)
        let suite = HPKE.Ciphersuite(kem: .XWingMLKEM768X25519, kdf: .HKDF_SHA256, aead: .chaChaPoly)
        for _ in benchmark.scaledIterations {
            var sender = try HPKE.Sender(recipientKey: sealing.referenceRecipient, ciphersuite: suite, info: Data())
            blackHole(try sender.seal(padded, authenticating: Data()))
        }
    }
}
