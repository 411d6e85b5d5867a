// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Testing

@testable import AmanatProtocol

@Suite("Handshake and ratchet basics")
struct HandshakeTests {
    @Test("a session starts with and without one-time prekeys, and both sides talk", arguments: [true, false])
    func conversation(withOneTimePrekeys: Bool) throws {
        var entropy = testEntropy(1)
        var encapsulator = SystemEncapsulator()
        let alice = TestDevice(entropy: &entropy)
        let bob = TestDevice(entropy: &entropy)
        var aliceSession = try Handshake.initiate(
            from: alice.identity, to: bob.bundle(withOneTimePrekeys: withOneTimePrekeys), now: testNow,
            entropy: &entropy, encapsulator: &encapsulator)
        #expect(aliceSession.isAwaitingFirstReply)
        let first = try aliceSession.encrypt(
            Array("hello".utf8), now: testNow, entropy: &entropy, encapsulator: &encapsulator)
        let second = try aliceSession.encrypt(
            Array("again".utf8), now: testNow, entropy: &entropy, encapsulator: &encapsulator)
        #expect(first.kind == .initial && second.kind == .initial)

        var (bobSession, plaintext) = try bob.respond(to: second.bytes, now: testNow)
        #expect(plaintext == Array("again".utf8))
        #expect(bobSession.remoteIdentity == alice.identity.publicKey)
        // The same session also reads the other initial message.
        let firstRatchet = try InitialMessage(decoding: first.bytes).ratchetMessage
        #expect(try bobSession.decrypt(firstRatchet, now: testNow) == Array("hello".utf8))
        #expect(throws: ProtocolError.duplicateMessage) { try bobSession.decrypt(firstRatchet, now: testNow) }

        let reply = try bobSession.encrypt(
            Array("hi alice".utf8), now: testNow, entropy: &entropy, encapsulator: &encapsulator)
        #expect(reply.kind == .ratchet)
        #expect(try aliceSession.decrypt(reply.bytes, now: testNow) == Array("hi alice".utf8))
        #expect(!aliceSession.isAwaitingFirstReply)
        let after = try aliceSession.encrypt(
            Array("ok".utf8), now: testNow, entropy: &entropy, encapsulator: &encapsulator)
        #expect(after.kind == .ratchet)
        #expect(try bobSession.decrypt(after.bytes, now: testNow) == Array("ok".utf8))
    }

    @Test("a responder cannot send first, and a tampered bundle or expired prekey is refused")
    func refusals() throws {
        var entropy = testEntropy(2)
        var encapsulator = SystemEncapsulator()
        let alice = TestDevice(entropy: &entropy)
        let bob = TestDevice(entropy: &entropy, expiresAt: testNow + 10)
        #expect(throws: ProtocolError.expired) {
            try Handshake.initiate(
                from: alice.identity, to: bob.bundle(), now: testNow + 10, entropy: &entropy,
                encapsulator: &encapsulator)
        }
        var encoded = bob.bundle().encoded
        encoded[200] ^= 1
        let tampered = try PrekeyBundle(decoding: encoded)
        #expect(throws: ProtocolError.authenticationFailure) {
            try Handshake.initiate(
                from: alice.identity, to: tampered, now: testNow, entropy: &entropy, encapsulator: &encapsulator)
        }
        var session = try Handshake.initiate(
            from: alice.identity, to: bob.bundle(), now: testNow, entropy: &entropy, encapsulator: &encapsulator)
        let message = try session.encrypt([1], now: testNow, entropy: &entropy, encapsulator: &encapsulator)
        var (bobSession, _) = try bob.respond(to: message.bytes, now: testNow)
        _ = try bobSession.encrypt([2], now: testNow, entropy: &entropy, encapsulator: &encapsulator)

        // A fresh responder session, before any message: cannot send.
        let other = TestDevice(entropy: &entropy)
        #expect(throws: ProtocolError.unknownPrekey) {
            let initial = try InitialMessage(decoding: message.bytes)
            _ = try Handshake.respond(
                to: initial, identity: other.identity, signedPrekey: other.signedPrekey,
                postQuantumPrekey: other.oneTimeXWingPrekey, oneTimePrekey: nil, now: testNow)
        }
        #expect(throws: ProtocolError.authenticationFailure) {
            // The wrong device's keys cannot open it.
            _ = try other.respond(to: message.bytes, now: testNow)
        }
    }
}
