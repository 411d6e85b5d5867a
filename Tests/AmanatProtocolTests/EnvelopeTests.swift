// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Testing

@testable import AmanatProtocol

@Suite("Sealed envelopes")
struct EnvelopeTests {
    static let mailbox = MailboxID([UInt8](repeating: 0xAB, count: 32))!

    struct Setup {
        var pair: Pair
        let aliceIdentity: DeviceIdentity
        let bobSealingKey: XWing.PrivateKey
        let certificate: SenderCertificate

        init(seed: UInt8) throws {
            pair = try Pair(seed: seed)
            var entropy = testEntropy(seed &+ 100)
            aliceIdentity = DeviceIdentity.generate(using: &entropy)
            bobSealingKey = entropy.xWing()
            certificate = SenderCertificate(selfSignedBy: aliceIdentity, expiresAt: testNow + 86_400)
        }

        mutating func envelope(_ text: String) throws -> [UInt8] {
            let message = try pair.alice.encrypt(
                Array(text.utf8), now: testNow, entropy: &pair.entropy, encapsulator: &pair.encapsulator)
            return try SealedEnvelope.seal(
                message, certificate: certificate, to: bobSealingKey.publicKey, mailbox: EnvelopeTests.mailbox)
        }
    }

    @Test("a short text fits the 2 KiB bucket and opens to the same message")
    func roundTrip() throws {
        var setup = try Setup(seed: 30)
        let envelope = try setup.envelope("court hearing moved")
        #expect(try SealedEnvelope.bucket(of: envelope) == .small)
        let opened = try SealedEnvelope.open(envelope, with: setup.bobSealingKey, mailbox: Self.mailbox)
        #expect(opened.kind == .ratchet)
        #expect(opened.certificate == setup.certificate)
        try opened.certificate.verify(now: testNow, organisationRoot: nil)
        #expect(try setup.pair.bob.decrypt(opened.message.bytes, now: testNow) == Array("court hearing moved".utf8))
    }

    @Test("sizes go to the smallest bucket that holds them; too large is refused")
    func buckets() throws {
        var setup = try Setup(seed: 31)
        #expect(try SealedEnvelope.bucket(of: setup.envelope(String(repeating: "a", count: 590))) == .small)
        #expect(try SealedEnvelope.bucket(of: setup.envelope(String(repeating: "b", count: 700))) == .medium)
        #expect(try SealedEnvelope.bucket(of: setup.envelope(String(repeating: "c", count: 14_900))) == .medium)
        #expect(try SealedEnvelope.bucket(of: setup.envelope(String(repeating: "d", count: 16_000))) == .large)
        #expect(
            try SealedEnvelope.bucket(
                of: setup.envelope(String(repeating: "e", count: ProtocolLimits.maximumPlaintextByteCount))) == .large)
        #expect(throws: ProtocolError.tooLarge) {
            try setup.pair.alice.encrypt(
                [UInt8](repeating: 1, count: ProtocolLimits.maximumPlaintextByteCount + 1), now: testNow,
                entropy: &setup.pair.entropy, encapsulator: &setup.pair.encapsulator)
        }
        // An initial message with the largest plaintext still fits.
        var entropy = testEntropy(32)
        var encapsulator = SystemEncapsulator()
        let bob = TestDevice(entropy: &entropy)
        var session = try Handshake.initiate(
            from: setup.aliceIdentity, to: bob.bundle(), now: testNow, entropy: &entropy, encapsulator: &encapsulator)
        let initial = try session.encrypt(
            [UInt8](repeating: 2, count: ProtocolLimits.maximumPlaintextByteCount), now: testNow, entropy: &entropy,
            encapsulator: &encapsulator)
        let envelope = try SealedEnvelope.seal(
            initial, certificate: setup.certificate, to: bob.sealingKey.publicKey, mailbox: Self.mailbox)
        #expect(try SealedEnvelope.bucket(of: envelope) == .large)
        let opened = try SealedEnvelope.open(envelope, with: bob.sealingKey, mailbox: Self.mailbox)
        #expect(try bob.respond(to: opened.message.bytes, now: testNow).plaintext.count == 60_000)
    }

    @Test("the relay's view is the bucket only: no identity, ratchet key or counter bytes")
    func relayView() throws {
        var setup = try Setup(seed: 33)
        let envelopes = try (0..<3).map { try setup.envelope("m\($0)") }
        let secrets: [(String, [UInt8])] = [
            ("sender signing key", setup.aliceIdentity.publicKey.signingKey.rawRepresentation),
            ("sender agreement key", setup.aliceIdentity.publicKey.agreementKey.rawRepresentation),
            ("session identity", setup.pair.alice.remoteIdentity.keyBytes),
            ("ratchet key", setup.pair.alice.sendingRatchetKey.publicKey.rawRepresentation),
            ("certificate signature", setup.certificate.signature),
        ]
        for envelope in envelopes {
            #expect(try SealedEnvelope.bucket(of: envelope) == .small)
            #expect(envelope.count == 2048)
            for (name, secret) in secrets {
                for window in stride(from: 0, to: secret.count - 8, by: 4) {
                    let needle = Array(secret[window..<window + 8])
                    #expect(!contains(envelope, needle), "\(name) appears in the envelope")
                }
            }
        }
        // Three envelopes of the same session share no visible structure but the version byte.
        #expect(envelopes[0][1..<33] != envelopes[1][1..<33])
    }

    @Test("any changed byte of an envelope is refused with a typed error; both sessions go on")
    func tamperEveryByte() throws {
        var setup = try Setup(seed: 34)
        let envelope = try setup.envelope("the lawyer was denied access")
        let bobBefore = setup.pair.bob.serialized()
        for position in envelope.indices {
            var altered = envelope
            altered[position] ^= 0x01
            let error = #expect(throws: ProtocolError.self) {
                let opened = try SealedEnvelope.open(altered, with: setup.bobSealingKey, mailbox: Self.mailbox)
                _ = try setup.pair.bob.decrypt(opened.message.bytes, now: testNow)
            }
            #expect(error == .authenticationFailure || error == .unsupportedVersion, "byte \(position)")
        }
        #expect(setup.pair.bob.serialized() == bobBefore)
        let opened = try SealedEnvelope.open(envelope, with: setup.bobSealingKey, mailbox: Self.mailbox)
        #expect(
            try setup.pair.bob.decrypt(opened.message.bytes, now: testNow) == Array("the lawyer was denied access".utf8)
        )
        let reply = try setup.pair.bobSends("we are on it")
        #expect(try setup.pair.alice.decrypt(reply, now: testNow) == Array("we are on it".utf8))
    }

    @Test("wrong mailbox, wrong key, wrong sizes")
    func wrongContext() throws {
        var setup = try Setup(seed: 35)
        let envelope = try setup.envelope("x")
        #expect(throws: ProtocolError.authenticationFailure) {
            try SealedEnvelope.open(
                envelope, with: setup.bobSealingKey, mailbox: MailboxID([UInt8](repeating: 0, count: 32))!)
        }
        #expect(throws: ProtocolError.authenticationFailure) {
            try SealedEnvelope.open(envelope, with: XWing.PrivateKey(), mailbox: Self.mailbox)
        }
        for bad in [[], Array(envelope.dropLast()), envelope + [0], [UInt8](repeating: 2, count: 2048)] {
            #expect(throws: ProtocolError.self) { try SealedEnvelope.bucket(of: bad) }
        }
    }

    @Test("sender certificates: self-signed and organisation-signed, expiry, forgery")
    func certificates() throws {
        var entropy = testEntropy(36)
        let expert = DeviceIdentity.generate(using: &entropy)
        let root = entropy.ed25519()
        let certificate = SenderCertificate(for: expert.publicKey, expiresAt: testNow + 60, signedByOrganisation: root)
        let decoded = try SenderCertificate(decoding: certificate.encoded)
        try decoded.verify(now: testNow, organisationRoot: root.publicKey)
        #expect(throws: ProtocolError.authenticationFailure) { try decoded.verify(now: testNow, organisationRoot: nil) }
        #expect(throws: ProtocolError.authenticationFailure) {
            try decoded.verify(now: testNow, organisationRoot: entropy.ed25519().publicKey)
        }
        #expect(throws: ProtocolError.expired) {
            try decoded.verify(now: testNow + 60, organisationRoot: root.publicKey)
        }
        var forged = certificate.encoded
        forged[140] ^= 1  // the expiry
        #expect(throws: ProtocolError.authenticationFailure) {
            try SenderCertificate(decoding: forged).verify(now: testNow, organisationRoot: root.publicKey)
        }
    }
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
}
