// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocolVectors
import Testing

@testable import AmanatProtocol

/// Alice and Bob after a completed handshake (Bob has replied and Alice has read it).
struct Pair {
    var entropy: SeededEntropy
    var encapsulator = SystemEncapsulator()
    var alice: RatchetSession
    var bob: RatchetSession

    init(seed: UInt8, configuration: RatchetConfiguration = .standard) throws {
        entropy = testEntropy(seed)
        let aliceDevice = TestDevice(entropy: &entropy)
        let bobDevice = TestDevice(entropy: &entropy)
        var alice = try Handshake.initiate(
            from: aliceDevice.identity, to: bobDevice.bundle(), now: testNow, configuration: configuration,
            entropy: &entropy, encapsulator: &encapsulator)
        let first = try alice.encrypt([0], now: testNow, entropy: &entropy, encapsulator: &encapsulator)
        var (bob, _) = try bobDevice.respond(to: first.bytes, now: testNow, configuration: configuration)
        let reply = try bob.encrypt([1], now: testNow, entropy: &entropy, encapsulator: &encapsulator)
        _ = try alice.decrypt(reply.bytes, now: testNow)
        self.alice = alice
        self.bob = bob
    }

    mutating func aliceSends(_ text: String, now: UInt64 = testNow) throws -> [UInt8] {
        try alice.encrypt(Array(text.utf8), now: now, entropy: &entropy, encapsulator: &encapsulator).bytes
    }

    mutating func bobSends(_ text: String, now: UInt64 = testNow) throws -> [UInt8] {
        try bob.encrypt(Array(text.utf8), now: now, entropy: &entropy, encapsulator: &encapsulator).bytes
    }
}

@Suite("Ratchet limits, tampering and state")
struct RatchetTests {
    @Test("more than 1,000 skipped keys is refused, and the session is unchanged")
    func skippedKeyCap() throws {
        var pair = try Pair(seed: 10)
        var messages: [[UInt8]] = []
        for index in 0..<1002 {
            messages.append(try pair.aliceSends("m\(index)"))
        }
        let before = pair.bob.serialized()
        #expect(throws: ProtocolError.tooManySkippedMessages) { try pair.bob.decrypt(messages[1001], now: testNow) }
        #expect(pair.bob.serialized() == before)
        // Exactly at the cap is allowed: 1,000 skipped, then the 1,001st decrypts.
        #expect(try pair.bob.decrypt(messages[1000], now: testNow) == Array("m1000".utf8))
        #expect(pair.bob.skippedKeyCount == 1000)
        #expect(try pair.bob.decrypt(messages[3], now: testNow) == Array("m3".utf8))
        #expect(pair.bob.skippedKeyCount == 999)
        #expect(throws: ProtocolError.duplicateMessage) { try pair.bob.decrypt(messages[3], now: testNow) }
    }

    @Test("skipped keys expire after 30 days with their own error")
    func skippedKeyExpiry() throws {
        var pair = try Pair(seed: 11)
        let messages = try (0..<4).map { try pair.aliceSends("m\($0)") }
        #expect(try pair.bob.decrypt(messages[3], now: testNow) == Array("m3".utf8))
        let day: UInt64 = 86_400
        #expect(try pair.bob.decrypt(messages[1], now: testNow + 29 * day) == Array("m1".utf8))
        #expect(throws: ProtocolError.messageKeyExpired) { try pair.bob.decrypt(messages[0], now: testNow + 30 * day) }
        #expect(throws: ProtocolError.messageKeyExpired) { try pair.bob.decrypt(messages[2], now: testNow + 31 * day) }
        #expect(throws: ProtocolError.duplicateMessage) { try pair.bob.decrypt(messages[1], now: testNow + 31 * day) }
        // A failed decryption changes nothing; the next successful operation drops the keys.
        #expect(pair.bob.skippedKeyCount == 2)
        let reply = try pair.bobSends("still here", now: testNow + 31 * day)
        #expect(pair.bob.skippedKeyCount == 0)
        #expect(throws: ProtocolError.messageKeyExpired) { try pair.bob.decrypt(messages[0], now: testNow + 32 * day) }
        #expect(try pair.alice.decrypt(reply, now: testNow + 31 * day) == Array("still here".utf8))
    }

    @Test("any changed byte of a message is refused and both sessions go on")
    func tamperEveryByte() throws {
        var pair = try Pair(seed: 12)
        let message = try pair.aliceSends("the hearing is on Monday")
        let before = pair.bob.serialized()
        for position in message.indices {
            var altered = message
            altered[position] ^= 0x01
            let error = #expect(throws: ProtocolError.self) { try pair.bob.decrypt(altered, now: testNow) }
            #expect(
                error == .authenticationFailure || error == .malformed || error == .unsupportedVersion,
                "byte \(position): \(String(describing: error))")
        }
        #expect(pair.bob.serialized() == before)
        #expect(try pair.bob.decrypt(message, now: testNow) == Array("the hearing is on Monday".utf8))
        let reply = try pair.bobSends("understood")
        #expect(try pair.alice.decrypt(reply, now: testNow) == Array("understood".utf8))
    }

    @Test("every reply reverses direction: altered ones are refused, refreshes included, and nothing moves")
    func alternatingTampering() throws {
        var pair = try Pair(seed: 15)
        var refreshesSeen = 0
        for round in 0..<120 {
            let fromAlice = round.isMultiple(of: 2)
            let text = "round \(round)"
            let message = fromAlice ? try pair.aliceSends(text) : try pair.bobSends(text)
            if fromAlice ? pair.alice.isRefreshingPostQuantum : pair.bob.isRefreshingPostQuantum { refreshesSeen += 1 }
            var receiver = fromAlice ? pair.bob : pair.alice
            let before = receiver.serialized()
            // A byte of the encrypted header past its nonce (bytes 3-26), and the body's last byte
            // (its tag): the header then opens under no key; the body fails after the new chain's
            // keys are made.
            for position in [40, message.count - 1] {
                var altered = message
                altered[position] ^= 0x80
                #expect(throws: ProtocolError.authenticationFailure) { try receiver.decrypt(altered, now: testNow) }
                #expect(receiver.serialized() == before, "round \(round), byte \(position)")
            }
            #expect(try receiver.decrypt(message, now: testNow) == Array(text.utf8))
            #expect(throws: ProtocolError.duplicateMessage) { try receiver.decrypt(message, now: testNow) }
            if fromAlice { pair.bob = receiver } else { pair.alice = receiver }
        }
        // 50 messages between refreshes, each a new chain: at least two refreshed chains.
        #expect(refreshesSeen >= 2)
    }

    @Test(
        "a forged first message of a new chain is refused before anything moves: wrong refresh target, weak key, bad body"
    )
    func forgedNewChain() throws {
        var pair = try Pair(seed: 16)
        let before = pair.bob.serialized()
        func forged(ratchetKey: X25519.PublicKey, refresh: RatchetHeader.Refresh?, body: [UInt8]) throws -> [UInt8] {
            let header = RatchetHeader(
                ratchetKey: ratchetKey, previousChainLength: 0, messageNumber: 0, acknowledgedPeerKeyId: 0,
                announcement: nil, refresh: refresh)
            let nonce = SecureRandom.bytes(count: XChaCha20Poly1305.nonceByteCount)
            // Sealed under the header key Bob expects for Alice's next chain: it opens.
            let sealed = try XChaCha20Poly1305.seal(
                header.encoded, key: pair.bob.nextReceivingHeaderKey, nonce: nonce,
                associatedData: pair.bob.associatedData)
            return RatchetMessage(encryptedHeader: nonce + sealed, ciphertext: body).encoded
        }
        let someKey = X25519.PrivateKey().publicKey
        let cases: [([UInt8], ProtocolError)] = [
            // An encapsulation to an X-Wing key id Bob never announced.
            (
                try forged(
                    ratchetKey: someKey,
                    refresh: RatchetHeader.Refresh(
                        targetId: 0xFFFF, ciphertext: [UInt8](repeating: 7, count: XWing.encapsulationByteCount)),
                    body: [UInt8](repeating: 1, count: 48)), .authenticationFailure
            ),
            // A ratchet key of small order: the agreement is all zeros.
            (
                try forged(
                    ratchetKey: try X25519.PublicKey(rawRepresentation: [UInt8](repeating: 0, count: 32)),
                    refresh: nil, body: [UInt8](repeating: 1, count: 48)), .weakKey
            ),
            // Everything right but the body, which no key opens.
            (
                try forged(ratchetKey: someKey, refresh: nil, body: [UInt8](repeating: 1, count: 48)),
                .authenticationFailure
            ),
        ]
        for (message, error) in cases {
            #expect(throws: error) { try pair.bob.decrypt(message, now: testNow) }
            #expect(pair.bob.serialized() == before)
        }
        let genuine = try pair.aliceSends("after the forgeries")
        #expect(try pair.bob.decrypt(genuine, now: testNow) == Array("after the forgeries".utf8))
    }

    @Test("a message from another session is refused")
    func foreignMessage() throws {
        var first = try Pair(seed: 13)
        var second = try Pair(seed: 14)
        let message = try first.aliceSends("hello")
        #expect(throws: ProtocolError.authenticationFailure) { try second.bob.decrypt(message, now: testNow) }
    }

    @Test("serialized state restores a session that carries on mid-conversation")
    func serializationRoundTrip() throws {
        var pair = try Pair(
            seed: 15,
            configuration: .init(
                maximumSkippedKeys: 1000, skippedKeyLifetime: 86_400, postQuantumRefreshMessages: 3,
                postQuantumRefreshInterval: 86_400))
        var late: [[UInt8]] = []
        for round in 0..<6 {
            late.append(try pair.aliceSends("skipped \(round)"))
            let delivered = try pair.aliceSends("round \(round)")
            #expect(try pair.bob.decrypt(delivered, now: testNow) == Array("round \(round)".utf8))
            let reply = try pair.bobSends("reply \(round)")
            #expect(try pair.alice.decrypt(reply, now: testNow) == Array("reply \(round)".utf8))
        }
        #expect(pair.bob.skippedKeyCount == 6)
        let state = pair.bob.serialized()
        var restored = try RatchetSession(serialized: state)
        #expect(restored.serialized() == state)
        for (round, message) in late.enumerated() {
            #expect(try restored.decrypt(message, now: testNow + 10) == Array("skipped \(round)".utf8))
        }
        let reply = try restored.encrypt(
            Array("from restored".utf8), now: testNow, entropy: &pair.entropy, encapsulator: &pair.encapsulator)
        #expect(try pair.alice.decrypt(reply.bytes, now: testNow) == Array("from restored".utf8))
        var aliceRestored = try RatchetSession(serialized: pair.alice.serialized())
        let next = try aliceRestored.encrypt(
            Array("and back".utf8), now: testNow, entropy: &pair.entropy, encapsulator: &pair.encapsulator)
        #expect(try restored.decrypt(next.bytes, now: testNow) == Array("and back".utf8))
    }

    @Test("serialized state has one encoding: skipped numbers out of order or repeated are refused")
    func canonicalState() throws {
        var pair = try Pair(seed: 17)
        _ = try pair.aliceSends("skipped 0")
        _ = try pair.aliceSends("skipped 1")
        #expect(try pair.bob.decrypt(try pair.aliceSends("delivered"), now: testNow) == Array("delivered".utf8))
        let state = pair.bob.serialized().withUnsafeBytes { Array($0) }
        // u16 skippedCount = 2, then (u32 number ‖ [32] key ‖ u64 storedAt) for numbers 0 and 1.
        let entry = 4 + 32 + 8
        let starts = (0..<(state.count - 2 - 2 * entry)).filter { start in
            Array(state[start..<start + 6]) == [0, 2, 0, 0, 0, 0]
                && Array(state[start + 2 + entry..<start + 6 + entry]) == [0, 0, 0, 1]
        }
        try #require(starts.count == 1)
        let first = starts[0] + 2
        let entries = Array(state[first..<first + 2 * entry])
        #expect(try RatchetSession(serialized: SecureBytes(copying: state)).serialized() == pair.bob.serialized())

        var swapped = state
        swapped.replaceSubrange(first..<first + 2 * entry, with: entries[entry...] + entries[..<entry])
        #expect(throws: ProtocolError.malformed) { try RatchetSession(serialized: SecureBytes(copying: swapped)) }

        var repeated = state
        repeated.replaceSubrange(first + entry..<first + entry + 4, with: [0, 0, 0, 0])
        #expect(throws: ProtocolError.malformed) { try RatchetSession(serialized: SecureBytes(copying: repeated)) }
    }

    @Test("serialized state survives truncation and random bytes with a typed error")
    func hostileState() throws {
        var pair = try Pair(seed: 16)
        _ = try pair.aliceSends("x")
        let state = pair.bob.serialized().withUnsafeBytes { Array($0) }
        for length in stride(from: 0, to: state.count, by: 7) {
            #expect(throws: ProtocolError.self) {
                try RatchetSession(serialized: SecureBytes(copying: state.prefix(length)))
            }
        }
        #expect(throws: ProtocolError.self) { try RatchetSession(serialized: SecureBytes(copying: state + [0])) }
        var random = ScheduleRandom(seed: 99)
        for _ in 0..<200 {
            let count = Int.random(in: 0..<2000, using: &random)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(throws: ProtocolError.self) { try RatchetSession(serialized: SecureBytes(copying: bytes)) }
        }
        #expect(String(describing: pair.bob) == "RatchetSession(redacted)")
        var dumped = ""
        dump(pair.bob, to: &dumped)
        #expect(!dumped.contains("rootKey") && !dumped.contains("Key"))
        let rootKey = pair.bob.rootKey.withUnsafeBytes { Array($0) }
        #expect(!dumped.contains(rootKey.hex) && !String(reflecting: pair.bob).contains(rootKey.hex))
    }
}
