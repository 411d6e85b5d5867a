// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation

/// Seed inputs for the fuzz targets in `Fuzz/`: valid encodings of everything they decode, so
/// the fuzzers start from deep inside each format.
public enum FuzzSeeds {
    /// Target name → seed inputs.
    public static func generate() throws -> [String: [[UInt8]]] {
        let bob = VectorDevice("bob")
        let alice = VectorDevice("alice")
        var bundleSeeds = [bob.bundle(withOneTimePrekeys: true).encoded, bob.bundle(withOneTimePrekeys: false).encoded]
        bundleSeeds.append(bob.identity.publicKey.encoded)
        bundleSeeds.append(bob.sealingKeyRecord.encoded)
        let certificate = SenderCertificate(selfSignedBy: alice.identity, expiresAt: VectorDevice.expiresAt)
        bundleSeeds.append(certificate.encoded)
        // An invite and a contact card (SPEC.md §16, §9.3), from the organisation vectors.
        let organisation = OrganisationVectors.generate()
        bundleSeeds += organisation.invites.compactMap { bytes(hex: $0.encoded) }
        let card = ContactCard(
            mailbox: seed("expert-mailbox") as MailboxID, depositKey: SecureBytes(copying: seed("expert-deposit-key")),
            directoryKey: SecureBytes(copying: seed("expert-directory-key")),
            devices: [
                ContactCard.Device(
                    identity: bob.identity.publicKey, sealingKey: bob.bundle(withOneTimePrekeys: false).sealingKey)
            ])
        bundleSeeds.append(try card.encoded)

        // A short conversation, keeping every message and the states along the way.
        var entropy = SeededEntropy(seed: seed("fuzz/alice"))
        var bobEntropy = SeededEntropy(seed: seed("fuzz/bob"))
        var encapsulator = SystemEncapsulator()
        let configuration = RatchetConfiguration(
            maximumSkippedKeys: 1000, skippedKeyLifetime: 86_400, postQuantumRefreshMessages: 2,
            postQuantumRefreshInterval: 86_400)
        var aliceSession = try Handshake.initiate(
            from: alice.identity, to: bob.bundle(withOneTimePrekeys: true), now: vectorNow,
            configuration: configuration,
            entropy: &entropy, encapsulator: &encapsulator)
        var messages: [SessionMessage] = []
        var states: [[UInt8]] = [aliceSession.serialized().withUnsafeBytes { Array($0) }]
        let first = try aliceSession.encrypt(
            Array("one".utf8), now: vectorNow, entropy: &entropy, encapsulator: &encapsulator)
        _ = try aliceSession.encrypt(
            Array("skipped".utf8), now: vectorNow, entropy: &entropy, encapsulator: &encapsulator)
        messages.append(first)
        var (bobSession, _) = try bob.respond(to: first.bytes, now: vectorNow, configuration: configuration)
        for round in 0..<3 {
            let reply = try bobSession.encrypt(
                Array("reply \(round)".utf8), now: vectorNow, entropy: &bobEntropy, encapsulator: &encapsulator)
            _ = try aliceSession.decrypt(reply.bytes, now: vectorNow)
            let next = try aliceSession.encrypt(
                Array("next \(round)".utf8), now: vectorNow, entropy: &entropy, encapsulator: &encapsulator)
            _ = try bobSession.decrypt(next.bytes, now: vectorNow)
            messages += [reply, next]
            states += [aliceSession, bobSession].map { $0.serialized().withUnsafeBytes { Array($0) } }
        }
        let envelopeContents = messages.map { message -> [UInt8] in
            let content = [1, message.kind.rawValue] + certificate.encoded + message.bytes
            let length = UInt32(content.count)
            return [
                UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF),
            ]
                + content + [UInt8](repeating: 0, count: 64)
        }
        let envelope = try SealedEnvelope.seal(
            messages[1], certificate: certificate, to: bob.sealingKey.publicKey, mailbox: seed("mailbox") as MailboxID)
        return [
            "FuzzEnvelope": envelopeContents + [envelope],
            "FuzzPayload": try PayloadVectors.samples().map { try $0.1.encoded() },
            "FuzzBundle": bundleSeeds,
            "FuzzSessionState": states,
            "FuzzSessionMessage": messages.map(\.bytes),
        ]
    }
}
