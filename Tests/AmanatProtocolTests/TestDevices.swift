// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

@testable import AmanatProtocol

/// A device with its identity and private prekeys, as a client would keep them.
struct TestDevice {
    let identity: DeviceIdentity
    let signedPrekey: X25519.PrivateKey
    let lastResortPrekey: XWing.PrivateKey
    let oneTimeXWingPrekey: XWing.PrivateKey
    let oneTimePrekey: X25519.PrivateKey
    let sealingKey: XWing.PrivateKey
    let expiresAt: UInt64

    init(entropy: inout some EntropySource, expiresAt: UInt64 = 2_000_000_000) {
        identity = DeviceIdentity.generate(using: &entropy)
        signedPrekey = entropy.x25519()
        lastResortPrekey = entropy.xWing()
        oneTimeXWingPrekey = entropy.xWing()
        oneTimePrekey = entropy.x25519()
        sealingKey = entropy.xWing()
        self.expiresAt = expiresAt
    }

    /// A bundle with one-time prekeys (ids 7 and 9) or, without them, the last-resort key.
    func bundle(withOneTimePrekeys: Bool = true) -> PrekeyBundle {
        PrekeyBundle(
            identity: identity.publicKey,
            signedPrekey: SignedPrekey(
                kind: .signedX25519, id: 1, expiresAt: expiresAt, publicKey: signedPrekey.publicKey.rawRepresentation,
                signedBy: identity),
            postQuantumPrekey: withOneTimePrekeys
                ? SignedPrekey(
                    kind: .oneTimeXWing, id: 9, expiresAt: expiresAt,
                    publicKey: oneTimeXWingPrekey.publicKey.rawRepresentation, signedBy: identity)
                : SignedPrekey(
                    kind: .lastResortXWing, id: 2, expiresAt: expiresAt,
                    publicKey: lastResortPrekey.publicKey.rawRepresentation, signedBy: identity),
            sealingKey: SignedPrekey(
                kind: .sealingXWing, id: 3, expiresAt: expiresAt, publicKey: sealingKey.publicKey.rawRepresentation,
                signedBy: identity),
            oneTimePrekey: withOneTimePrekeys
                ? SignedPrekey(
                    kind: .oneTimeX25519, id: 7, expiresAt: expiresAt,
                    publicKey: oneTimePrekey.publicKey.rawRepresentation, signedBy: identity)
                : nil)
    }

    /// Answers an initial message with the prekeys it names.
    func respond(
        to bytes: [UInt8], now: UInt64, configuration: RatchetConfiguration = .standard
    ) throws(ProtocolError) -> (session: RatchetSession, plaintext: [UInt8]) {
        let message = try InitialMessage(decoding: bytes)
        let postQuantum = message.postQuantumPrekeyKind == .oneTimeXWing ? oneTimeXWingPrekey : lastResortPrekey
        return try Handshake.respond(
            to: message, identity: identity, signedPrekey: signedPrekey, postQuantumPrekey: postQuantum,
            oneTimePrekey: message.oneTimePrekeyId == nil ? nil : oneTimePrekey, now: now, configuration: configuration)
    }
}

/// A seeded generator for one test.
func testEntropy(_ tag: UInt8) -> SeededEntropy {
    SeededEntropy(seed: [UInt8](repeating: tag, count: 32))
}

let testNow: UInt64 = 1_790_000_000
