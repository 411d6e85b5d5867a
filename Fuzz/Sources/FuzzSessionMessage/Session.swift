// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

/// A session that received one message and can take more: every input goes through the initial-
/// message decoder and through `decrypt`, which parses the message and tries its header keys.
let session: RatchetSession = {
    var entropy = SeededEntropy(seed: [UInt8](repeating: 1, count: 32))
    var encapsulator = SystemEncapsulator()
    let alice = DeviceIdentity.generate(using: &entropy)
    let bob = DeviceIdentity.generate(using: &entropy)
    let signedPrekey = try! X25519.PrivateKey(rawRepresentation: SecureBytes(copying: entropy.bytes(count: 32)))
    let postQuantum = try! XWing.PrivateKey(seed: SecureBytes(copying: entropy.bytes(count: 32)))
    let sealing = try! XWing.PrivateKey(seed: SecureBytes(copying: entropy.bytes(count: 32)))
    let bundle = PrekeyBundle(
        identity: bob.publicKey,
        signedPrekey: SignedPrekey(
            kind: .signedX25519, id: 1, expiresAt: .max, publicKey: signedPrekey.publicKey.rawRepresentation,
            signedBy: bob),
        postQuantumPrekey: SignedPrekey(
            kind: .lastResortXWing, id: 2, expiresAt: .max, publicKey: postQuantum.publicKey.rawRepresentation,
            signedBy: bob),
        sealingKey: SignedPrekey(
            kind: .sealingXWing, id: 3, expiresAt: .max, publicKey: sealing.publicKey.rawRepresentation, signedBy: bob),
        oneTimePrekey: nil)
    var initiator = try! Handshake.initiate(
        from: alice, to: bundle, now: 1, entropy: &entropy, encapsulator: &encapsulator)
    let first = try! initiator.encrypt([1], now: 1, entropy: &entropy, encapsulator: &encapsulator)
    return try! Handshake.respond(
        to: InitialMessage(decoding: first.bytes), identity: bob, signedPrekey: signedPrekey,
        postQuantumPrekey: postQuantum, oneTimePrekey: nil, now: 1
    ).session
}()
