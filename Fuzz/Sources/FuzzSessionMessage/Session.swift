// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatProtocolVectors

/// A session that received one message and can take more: every input goes through the initial-
/// message decoder and through `decrypt`, which parses the message and tries its header keys.
let session: RatchetSession = {
    var entropy = SeededEntropy(seed: [UInt8](repeating: 1, count: 32))
    var encapsulator = SystemEncapsulator()
    let alice = VectorDevice("alice")
    let bob = VectorDevice("bob")
    var initiator = try! Handshake.initiate(
        from: alice.identity, to: bob.bundle(withOneTimePrekeys: false), now: 1, entropy: &entropy,
        encapsulator: &encapsulator)
    let first = try! initiator.encrypt([1], now: 1, entropy: &entropy, encapsulator: &encapsulator)
    return try! bob.respond(to: first.bytes, now: 1, configuration: .standard).session
}()
