// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

// MARK: - seizure-orders.json

/// Seizure orders (SPEC.md §8.8): what a relay and a device accept, and what they refuse.
public struct SeizureOrderVectors: Codable, Equatable, Sendable {
    public struct Case: Codable, Equatable, Sendable {
        public let comment: String
        public let encoded: String
        /// The mailbox the order is checked against (the path's, or the device's own).
        public let mailbox: String
        /// The clock it is checked at.
        public let now: UInt64
        /// For an order that holds: its fields.
        public var issuedAt: UInt64?
        public var expiresAt: UInt64?
        public var wipe: Bool?
        /// For one that does not: the error decoding or verifying gives.
        public var error: String?
    }
    public let source: String
    public let rootSeed: String
    public let rootPublicKey: String
    /// The relay's receipt key: an order it signs is refused like any other signer's.
    public let relaySeed: String
    public let cases: [Case]

    public static func generate() -> Self {
        let root = try! Ed25519.PrivateKey(seed: SecureBytes(copying: seed("organisation-root")))
        let relay = try! Ed25519.PrivateKey(seed: SecureBytes(copying: seed("relay-key")))
        let mailbox = MailboxID(seed("defender-mailbox"))!
        let other = MailboxID(seed("other-mailbox"))!
        let issued: UInt64 = 1_800_000_000
        let expires = issued + SeizureOrder.defaultValidity
        let order = SeizureOrder(mailbox: mailbox, issuedAt: issued, expiresAt: expires, wipe: true, signedBy: root)
        let freezeOnly = SeizureOrder(
            mailbox: mailbox, issuedAt: issued, expiresAt: expires, wipe: false, signedBy: root)
        let byRelay = SeizureOrder(mailbox: mailbox, issuedAt: issued, expiresAt: expires, wipe: true, signedBy: relay)
        let byOther = SeizureOrder(
            mailbox: mailbox, issuedAt: issued, expiresAt: expires, wipe: true,
            signedBy: try! Ed25519.PrivateKey(seed: SecureBytes(copying: seed("another-organisation"))))
        var changed = order.encoded
        changed[1 + 32 + 8 + 8] = 0  // wipe 1 → 0 after signing
        var format = order.encoded
        format[0] = 2
        var wipeByte = order.encoded
        wipeByte[1 + 32 + 8 + 8] = 2

        func test(_ comment: String, _ bytes: [UInt8], mailbox checked: MailboxID = mailbox, now: UInt64 = issued + 60)
            -> Case
        {
            var test = Case(comment: comment, encoded: hex(bytes), mailbox: hex(checked.bytes), now: now)
            do {
                let decoded = try SeizureOrder(decoding: bytes)
                try decoded.verify(root: root.publicKey, mailbox: checked, now: now)
                test.issuedAt = decoded.issuedAt
                test.expiresAt = decoded.expiresAt
                test.wipe = decoded.wipe
            } catch {
                test.error = errorName(error)
            }
            return test
        }
        return Self(
            source: "AmanatProtocolVectors.SeizureOrderVectors (swift run amanat-vectors)",
            rootSeed: hex(seed("organisation-root")), rootPublicKey: hex(root.publicKey.rawRepresentation),
            relaySeed: hex(seed("relay-key")),
            cases: [
                test("freeze and wipe", order.encoded),
                test("freeze only", freezeOnly.encoded),
                test("one second before it expires", order.encoded, now: expires - 1),
                test("expired", order.encoded, now: expires),
                test("signed by the relay's key", byRelay.encoded),
                test("signed by another organisation's root", byOther.encoded),
                test("the order for one mailbox handed in for another", order.encoded, mailbox: other),
                test("the wipe byte changed after signing", changed),
                test("format 2", format),
                test("a wipe byte of 2", wipeByte),
                test("truncated", Array(order.encoded.dropLast())),
                test("a byte too many", order.encoded + [0]),
            ])
    }
}
