// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocolVectors
import Testing

@testable import AmanatProtocol

enum Samples {
    static func attachment(_ tag: UInt8) -> AttachmentPointer {
        AttachmentPointer(
            blobId: BlobID([UInt8](repeating: tag, count: 32))!,
            key: SecureBytes(copying: [UInt8](repeating: tag &+ 1, count: 32)),
            size: 1_234_567, encryptedSize: 1_300_000, digest: [UInt8](repeating: tag &+ 2, count: 32),
            fileName: "решение суда.jpg", mimeType: "image/jpeg")
    }

    static func payloads() -> [Payload] {
        var entropy = testEntropy(50)
        let identity = DeviceIdentity.generate(using: &entropy)
        let sealing = entropy.xWing()
        let card = ContactCard(
            mailbox: MailboxID([UInt8](repeating: 7, count: 32))!,
            depositKey: SecureBytes(copying: [UInt8](repeating: 8, count: 32)),
            directoryKey: SecureBytes(copying: [UInt8](repeating: 9, count: 32)),
            devices: [
                .init(
                    identity: identity.publicKey,
                    sealingKey: SignedPrekey(
                        kind: .sealingXWing, id: 3, expiresAt: 2_000_000_000,
                        publicKey: sealing.publicKey.rawRepresentation, signedBy: identity))
            ])
        let id = [UInt8](repeating: 0x11, count: 16)
        return [
            Payload(id: id, sentAt: testNow, body: .caseUpdate(text: "Задержан у здания суда", attachments: [])),
            Payload(
                id: id, sentAt: testNow,
                body: .caseUpdate(text: "two photos", attachments: [attachment(1), attachment(2)])),
            Payload(
                id: id, sentAt: testNow,
                body: .reply(inReplyTo: [UInt8](repeating: 3, count: 16), text: "ok", attachments: [])),
            Payload(id: id, sentAt: testNow, body: .reply(inReplyTo: nil, text: "", attachments: [attachment(9)])),
            Payload(id: id, sentAt: testNow, body: .receipt(.read, messageIds: [[UInt8](repeating: 4, count: 16)])),
            Payload(id: id, sentAt: testNow, body: .contactCard(card)),
            Payload(id: id, sentAt: testNow, body: .sessionReset(.undecryptable)),
        ]
    }
}

@Suite("Payloads")
struct PayloadTests {
    @Test("every kind round-trips")
    func roundTrip() throws {
        for payload in Samples.payloads() {
            let encoded = try payload.encoded()
            #expect(try Payload(decoding: encoded) == payload)
        }
    }

    @Test("limits are enforced when encoding and decoding")
    func limits() throws {
        let id = [UInt8](repeating: 0, count: 16)
        let long = String(repeating: "x", count: Payload.maximumTextByteCount + 1)
        #expect(throws: ProtocolError.tooLarge) {
            try Payload(id: id, sentAt: 0, body: .caseUpdate(text: long, attachments: [])).encoded()
        }
        let many = (0..<17).map { Samples.attachment(UInt8($0)) }
        #expect(throws: ProtocolError.tooLarge) {
            try Payload(id: id, sentAt: 0, body: .caseUpdate(text: "", attachments: many)).encoded()
        }
        #expect(throws: ProtocolError.tooLarge) {
            try Payload(id: id, sentAt: 0, body: .receipt(.delivered, messageIds: [])).encoded()
        }
        // A length field that claims more than the limit is refused before reading.
        var encoded = try Payload(id: id, sentAt: 0, body: .caseUpdate(text: "hi", attachments: [])).encoded()
        encoded.replaceSubrange(26..<30, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: ProtocolError.malformed) { try Payload(decoding: encoded) }
        // Invalid UTF-8 in the text.
        var invalid = try Payload(id: id, sentAt: 0, body: .caseUpdate(text: "hi", attachments: [])).encoded()
        invalid[30] = 0xC3
        invalid[31] = 0x28
        #expect(throws: ProtocolError.malformed) { try Payload(decoding: invalid) }
        // Unknown type, trailing byte.
        var unknown = invalid
        unknown[1] = 9
        #expect(throws: ProtocolError.malformed) { try Payload(decoding: unknown) }
        let valid = try Payload(id: id, sentAt: 0, body: .sessionReset(.requested)).encoded()
        #expect(throws: ProtocolError.malformed) { try Payload(decoding: valid + [0]) }
    }
}

@Suite("Deposit tokens and request signatures")
struct RelayAuthorisationTests {
    let key = SecureBytes(copying: [UInt8](repeating: 5, count: 32))
    let mailbox = MailboxID([UInt8](repeating: 6, count: 32))!
    let digest = [UInt8](repeating: 7, count: 32)

    @Test("a deposit token is bound to its key, mailbox, digest and purpose")
    func depositTokens() throws {
        let token = try DepositToken.make(depositKey: key, mailbox: mailbox, digest: digest)
        #expect(DepositToken.isValid(token, depositKey: key, mailbox: mailbox, digest: digest))
        #expect(!DepositToken.isValid(token, depositKey: key, mailbox: mailbox, digest: digest, purpose: .blob))
        #expect(
            !DepositToken.isValid(
                token, depositKey: SecureBytes(copying: [UInt8](repeating: 9, count: 32)), mailbox: mailbox,
                digest: digest))
        #expect(!DepositToken.isValid(token, depositKey: key, mailbox: MailboxID(digest)!, digest: digest))
        #expect(!DepositToken.isValid(token, depositKey: key, mailbox: mailbox, digest: mailbox.bytes))
        // A truncated token or a short mailbox id is refused where it is parsed.
        #expect(DepositTokenValue(Array(token.bytes.dropLast())) == nil)
        #expect(MailboxID([1]) == nil)
        #expect(throws: ProtocolError.malformed) {
            try DepositToken.make(depositKey: key, mailbox: mailbox, digest: [1])
        }
    }

    @Test("a request signature covers method, path, body, time, nonce and mailbox")
    func requestSignatures() throws {
        var entropy = testEntropy(60)
        let mailboxKey = entropy.ed25519()
        let nonce = entropy.bytes(count: 16)
        let body = Array("{\"after\":null}".utf8)
        let signed = RequestSignature(
            method: "post", path: "/v1/mailboxes/ab/fetch?limit=50", body: body, mailbox: mailbox, timestamp: testNow,
            nonce: nonce, mailboxKey: mailboxKey)
        let received = RequestSignature(mailbox: mailbox, timestamp: testNow, nonce: nonce, signature: signed.signature)
        try received.verify(
            method: "POST", path: "/v1/mailboxes/ab/fetch?limit=50", body: body, mailboxKey: mailboxKey.publicKey,
            now: testNow + 299)
        for (method, path, changedBody) in [
            ("GET", "/v1/mailboxes/ab/fetch?limit=50", body), ("POST", "/v1/mailboxes/ab/fetch?limit=51", body),
            ("POST", "/v1/mailboxes/ab/fetch?limit=50", body + [0x20]),
        ] {
            #expect(throws: ProtocolError.authenticationFailure) {
                try received.verify(
                    method: method, path: path, body: changedBody, mailboxKey: mailboxKey.publicKey, now: testNow)
            }
        }
        #expect(throws: ProtocolError.expired) {
            try received.verify(
                method: "POST", path: "/v1/mailboxes/ab/fetch?limit=50", body: body, mailboxKey: mailboxKey.publicKey,
                now: testNow + 301)
        }
        #expect(throws: ProtocolError.expired) {
            try received.verify(
                method: "POST", path: "/v1/mailboxes/ab/fetch?limit=50", body: body, mailboxKey: mailboxKey.publicKey,
                now: testNow - 301)
        }
        let otherNonce = RequestSignature(
            mailbox: mailbox, timestamp: testNow, nonce: [UInt8](repeating: 0, count: 16), signature: signed.signature)
        #expect(throws: ProtocolError.authenticationFailure) {
            try otherNonce.verify(
                method: "POST", path: "/v1/mailboxes/ab/fetch?limit=50", body: body, mailboxKey: mailboxKey.publicKey,
                now: testNow)
        }
    }
}

@Suite("Safety numbers")
struct SafetyNumberTests {
    @Test("both sides see the same 60 digits; another identity changes them")
    func symmetric() throws {
        var entropy = testEntropy(70)
        let alice = DeviceIdentity.generate(using: &entropy).publicKey
        let bob = DeviceIdentity.generate(using: &entropy).publicKey
        let mallory = DeviceIdentity.generate(using: &entropy).publicKey
        let number = SafetyNumber(local: alice, remote: bob)
        #expect(number == SafetyNumber(local: bob, remote: alice))
        #expect(number.digits.count == 60 && number.digits.allSatisfy(\.isNumber))
        #expect(number.groups.count == 12 && number.groups.joined() == number.digits)
        #expect(number.qrPayload.count == 65)
        #expect(number.matches(scanned: SafetyNumber(local: bob, remote: alice).qrPayload))
        let substituted = SafetyNumber(local: alice, remote: mallory)
        #expect(substituted.digits != number.digits)
        #expect(!number.matches(scanned: substituted.qrPayload))
    }
}

@Suite("Decoders never trap")
struct HostileInputTests {
    /// Every decoder, fed the same bytes; each must return or throw a ProtocolError.
    static func decodeEverything(_ bytes: [UInt8]) {
        _ = try? IdentityKey(decoding: bytes)
        _ = try? SignedPrekey(decoding: bytes)
        _ = try? PrekeyBundle(decoding: bytes)
        _ = try? InitialMessage(decoding: bytes)
        _ = try? RatchetMessage(decoding: bytes)
        _ = try? RatchetHeader(decoding: bytes)
        _ = try? SenderCertificate(decoding: bytes)
        _ = try? SealedEnvelope.bucket(of: bytes)
        _ = try? Payload(decoding: bytes)
        _ = try? RatchetSession(serialized: SecureBytes(copying: bytes))
    }

    @Test("truncations and extensions of valid encodings, and random bytes")
    func hostileBytes() throws {
        var entropy = testEntropy(80)
        let device = TestDevice(entropy: &entropy)
        var valid: [[UInt8]] = [
            device.bundle().encoded, device.identity.publicKey.encoded, device.bundle().signedPrekey.encoded,
        ]
        valid += try Samples.payloads().map { try $0.encoded() }
        var pair = try Pair(seed: 81)
        valid.append(try pair.aliceSends("hello"))
        valid.append(pair.bob.serialized().withUnsafeBytes { Array($0) })
        for bytes in valid {
            for length in 0...bytes.count {
                Self.decodeEverything(Array(bytes.prefix(length)))
            }
            Self.decodeEverything(bytes + [0])
            Self.decodeEverything(bytes + [UInt8](repeating: 0xFF, count: 70_000))
        }
        var random = ScheduleRandom(seed: 7)
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<3000, using: &random)
            Self.decodeEverything((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
        // Valid encodings still decode.
        #expect(try PrekeyBundle(decoding: device.bundle().encoded) == device.bundle())
    }
}

@Suite("Deposit receipt trees")
struct ReceiptTreeTests {
    static let relay = Ed25519.PrivateKey()

    static func deposits(_ count: Int) -> [(mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64)] {
        (0..<count).map { index in
            (MailboxID.random(), EnvelopeDigest(of: SecureRandom.bytes(count: 64)), 1_800_000_000 + UInt64(index))
        }
    }

    @Test("a full tree: 256 receipts under one signature, one slot each, every one verifying")
    func fullTree() {
        let receipts = DepositReceipt.signed(Self.deposits(256), by: Self.relay)
        #expect(Set(receipts.map(\.signature)).count == 1)
        #expect(Set(receipts.compactMap { $0.proof?.index }).count == 256)
        #expect(receipts.allSatisfy { $0.isValid(relayKey: Self.relay.publicKey) })
        // Each proof is its own: another receipt's proof does not verify this one.
        let swapped = DepositReceipt(
            mailbox: receipts[0].mailbox, digest: receipts[0].digest, time: receipts[0].time,
            signature: receipts[0].signature, proof: receipts[1].proof)
        #expect(!swapped.isValid(relayKey: Self.relay.publicKey))
    }

    @Test("a receipt does not tell how many shared its tree: same size, slots and salts drawn at random")
    func nothingAboutTheOthers() {
        let one = (0..<64).map { _ in DepositReceipt.signed(Self.deposits(1), by: Self.relay)[0] }
        let many = DepositReceipt.signed(Self.deposits(200), by: Self.relay)
        #expect(Set((one + many).map { $0.proof?.encoded.count }) == [DepositReceipt.Proof.byteCount])
        // A lone deposit is not always in slot 0 (64 draws all 0 would be a broken generator).
        #expect(Set(one.compactMap { $0.proof?.index }).count > 1)
        #expect(Set(one.compactMap { $0.proof?.salt }).count == 64)
        #expect(one.allSatisfy { $0.isValid(relayKey: Self.relay.publicKey) })
        // Not under another relay's key.
        #expect(!one[0].isValid(relayKey: Ed25519.PrivateKey().publicKey))
    }

    @Test("proofs that are not 290 bytes of version 1 are refused when decoded")
    func proofSize() {
        let proof = DepositReceipt.signed(Self.deposits(1), by: Self.relay)[0].proof!
        #expect(DepositReceipt.Proof(encoded: proof.encoded) == proof)
        #expect(proof.encoded.count == 290 && proof.encoded[0] == 1)
        #expect(DepositReceipt.Proof(encoded: [2] + proof.encoded.dropFirst()) == nil)
        #expect(DepositReceipt.Proof(encoded: Array(proof.encoded.dropLast())) == nil)
        #expect(DepositReceipt.Proof(encoded: proof.encoded + [0]) == nil)
    }
}
