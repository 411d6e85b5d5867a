// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

// MARK: - organisation.json

/// Invites and sealed roster content (SPEC.md §16).
public struct OrganisationVectors: Codable, Equatable, Sendable {
    public struct InviteCase: Codable, Equatable, Sendable {
        public let comment: String
        public let encoded: String
        /// The text form, for the valid ones.
        public var text: String?
        /// The check code (§16.1), for the valid ones.
        public var checkCode: String?
        /// The error name decoding, or else verifying at 1,800,000,000, gives, for the invalid ones.
        public var error: String?
    }
    public struct RosterCase: Codable, Equatable, Sendable {
        public let comment: String
        /// The signed roster (§8.7) whose content is sealed.
        public let signedRoster: String
        /// The plaintext it opens to, or the error opening gives.
        public var plaintext: String?
        public var error: String?
    }
    public let source: String
    public let rootSeed: String
    public let rootPublicKey: String
    public let rosterKey: String
    public let voucherId: String
    public let voucherExpiresAt: UInt64
    public let invites: [InviteCase]
    public let expert: DeviceSecrets
    public let expertMailbox: String
    public let expertDepositKey: String
    public let expertDirectoryKey: String
    public let rosterNonceSeed: String
    public let rosters: [RosterCase]
    /// The expert's card as the administrator takes it (`amanat://card/`, SPEC.md §16.2).
    public let expertCardText: String

    public static func generate() -> Self {
        let root = try! Ed25519.PrivateKey(seed: SecureBytes(copying: seed("organisation-root")))
        let rosterKey = SecureBytes(copying: seed("roster-key"))
        let voucher = Voucher(id: seed("voucher"), expiresAt: 1_900_000_000, signedBy: root)
        let pin = seed("relay-spki-sha256")
        let withPin = try! Invite(
            relay: "https://relay.example.org", pin: pin, rosterKey: rosterKey, voucher: voucher, signedBy: root)
        let onion = try! Invite(
            relay: "http://amanatrelayexampleonionaddressxxxxxxxxxxxxxxxxxxxx.onion", pin: nil, rosterKey: rosterKey,
            voucher: voucher, signedBy: root)
        let onionAddress = "http://amanatrelayexampleonionaddressxxxxxxxxxxxxxxxxxxxx.onion"
        let bridge =
            "obfs4 192.0.2.7:443 4C4D4E4F505152535455565758595A5B5C5D5E5F "
            + "cert=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A iat-mode=0"
        let several = try! Invite(
            addresses: [
                RelayAddress(url: onionAddress), RelayAddress(url: "https://relay.example.org", pin: pin),
                RelayAddress(url: "https://mirror.example.net", pin: pin),
            ],
            bridges: [bridge], rosterKey: rosterKey, voucher: voucher, signedBy: root)
        /// A version 3 body as written by hand (so that forms the encoder refuses can be shown),
        /// signed like a real one.
        func version3(_ urls: [String], bridges lines: [[UInt8]]) -> [UInt8] {
            var writer = ByteWriter()
            writer.u8(3)
            writer.u8(UInt8(urls.count))
            for url in urls {
                writer.vector8(Array(url.utf8))
                writer.vector8([UInt8]())
            }
            writer.u8(UInt8(lines.count))
            for line in lines { writer.vector16(line) }
            writer.fixed(root.publicKey.rawRepresentation)
            writer.fixed(rosterKey)
            writer.fixed(voucher.encoded)
            return writer.bytes + root.signature(for: lengthPrefixed("amanat/v1/invite".bytes, writer.bytes))
        }
        func invalid(_ comment: String, _ bytes: [UInt8]) -> InviteCase {
            var test = InviteCase(comment: comment, encoded: hex(bytes))
            do {
                try Invite(decoding: bytes).verify(now: 1_800_000_000)
                test.text = "unexpectedly valid"
            } catch {
                test.error = errorName(error)
            }
            return test
        }
        var wrongVersion = withPin.encoded
        wrongVersion[0] = 4
        var unsigned = withPin.encoded.dropLast(64)
        unsigned[unsigned.startIndex] = 1
        var otherRelay = withPin.encoded
        otherRelay[10] ^= 0x01
        var otherRosterKey = withPin.encoded
        otherRosterKey[2 + withPin.relay.utf8.count + 1 + 32 + 32 + 5] ^= 0x20
        var otherSignature = withPin.encoded
        otherSignature[otherSignature.count - 1] ^= 0x01
        var shortPin = onion.encoded
        let pinOffset = 2 + onion.relay.utf8.count
        shortPin.replaceSubrange(pinOffset..<(pinOffset + 1), with: [5, 1, 2, 3, 4, 5])

        let device = VectorDevice("expert")
        let bundle = device.bundle(withOneTimePrekeys: false)
        let card = ContactCard(
            mailbox: seed("expert-mailbox") as MailboxID, depositKey: SecureBytes(copying: seed("expert-deposit-key")),
            directoryKey: SecureBytes(copying: seed("expert-directory-key")),
            devices: [ContactCard.Device(identity: bundle.identity, sealingKey: bundle.sealingKey)])
        let certificate = SenderCertificate(for: bundle.identity, expiresAt: 1_900_000_000, signedByOrganisation: root)
        let content = try! RosterContent(
            entries: [RosterContent.Entry(name: "Expert Айгерим", card: card, certificate: certificate)])
        var entropy = SeededEntropy(seed: seed("roster-nonces"))
        let sealed = try! content.sealed(version: 3, rosterKey: rosterKey, entropy: &entropy)
        let signed = try! SignedRoster(version: 3, content: sealed, signedBy: root)
        var flipped = sealed
        flipped[40] ^= 1
        func roster(_ comment: String, _ roster: SignedRoster) -> RosterCase {
            var test = RosterCase(comment: comment, signedRoster: hex(roster.encoded))
            do {
                _ = try RosterContent(opening: roster, rosterKey: rosterKey)
            } catch {
                test.error = errorName(error)
                return test
            }
            var version = ByteWriter()
            version.u64(roster.version)
            let nonceCount = XChaCha20Poly1305.nonceByteCount
            test.plaintext = hex(
                try! XChaCha20Poly1305.open(
                    Array(roster.content[nonceCount...]), key: rosterKey, nonce: Array(roster.content[..<nonceCount]),
                    associatedData: lengthPrefixed("amanat/v1/roster-content".bytes, version.bytes)))
            return test
        }
        return Self(
            source: "SPEC.md §16; the roster content's nonce is the first 24 bytes of SeededEntropy(rosterNonceSeed)",
            rootSeed: hex(seed("organisation-root")), rootPublicKey: hex(root.publicKey.rawRepresentation),
            rosterKey: hex(rosterKey), voucherId: hex(seed("voucher")), voucherExpiresAt: 1_900_000_000,
            invites: [
                InviteCase(
                    comment: "https relay with a pin", encoded: hex(withPin.encoded), text: withPin.text,
                    checkCode: withPin.checkCode),
                InviteCase(
                    comment: "onion relay without a pin", encoded: hex(onion.encoded), text: onion.text,
                    checkCode: onion.checkCode),
                InviteCase(
                    comment:
                        "version 3: an onion address, then two https addresses with their pin, and an obfs4 bridge",
                    encoded: hex(several.encoded), text: several.text, checkCode: several.checkCode),
                invalid("unknown version", wrongVersion),
                invalid(
                    "version 3 with one address and no bridge (that invite is written as version 2)",
                    version3([onionAddress], bridges: [])),
                invalid(
                    "version 3 with five addresses",
                    version3((1...5).map { "https://relay\($0).example.org" }, bridges: [])),
                invalid(
                    "version 3 with the same address twice",
                    version3(["https://relay.example.org", "https://relay.example.org"], bridges: [])),
                invalid(
                    "version 3 with a line break in a bridge line",
                    version3([onionAddress], bridges: [Array("obfs4 192.0.2.7:443\nExitNodes x".utf8)])),
                invalid(
                    "version 3 with a bridge line ending in a backslash (a continuation in a torrc)",
                    version3([onionAddress], bridges: [Array("obfs4 192.0.2.7:443 \\".utf8)])),
                invalid("version 3 with an empty bridge line", version3([onionAddress], bridges: [[]])),
                invalid(
                    "version 3 with five bridge lines",
                    version3([onionAddress], bridges: Array(repeating: Array("192.0.2.7:443".utf8), count: 5))),
                invalid("a version 1 invite (unsigned)", Array(unsigned)),
                invalid("one bit of the relay changed", otherRelay),
                invalid("one bit of the roster key changed", otherRosterKey),
                invalid("one bit of the signature changed", otherSignature),
                invalid("a 5-byte pin", shortPin),
                invalid("a trailing byte", withPin.encoded + [0]),
                invalid("the last byte missing", Array(withPin.encoded.dropLast())),
            ],
            expert: device.secrets, expertMailbox: hex(card.mailbox), expertDepositKey: hex(card.depositKey),
            expertDirectoryKey: hex(card.directoryKey), rosterNonceSeed: hex(seed("roster-nonces")),
            rosters: [
                roster("version 3, one expert device", signed),
                roster(
                    "the same content signed as version 4: the version is bound in",
                    try! SignedRoster(version: 4, content: sealed, signedBy: root)),
                roster(
                    "a ciphertext byte flipped (and signed again)",
                    try! SignedRoster(version: 3, content: flipped, signedBy: root)),
            ],
            expertCardText: "amanat://card/" + Base64URL.encode(try! card.encoded))
    }
}
