// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatTestSupport
import Foundation
import Testing

@testable import AmanatClient

/// The device's side of a seizure order (SPEC.md §8.8; issue #20), with a relay that says the
/// mailbox is frozen and hands over whatever order the test gives it: the device obeys only the
/// organisation root's order for its own mailbox, before it expires, and wipes only if allowed.
@Suite("Account: a seizure order from the relay", .serialized)
struct SeizureOrderTests {
    @Test(
        "forged, relay-signed, misdirected and expired orders wipe nothing; the root's order shuts out or wipes as allowed",
        .timeLimit(.minutes(2)))
    func orders() async throws {
        var (organisation, _) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let hostile = try HostileRelay("frozen", in: organisation)
        defer { hostile.stop() }
        organisation.url = hostile.url
        let defender = try await organisation.enrolDefender("defender")
        let other = try await organisation.enrolDefender("other")
        let profile = organisation.directory("defender")
        let mailbox = try await defender.loadKeys().mailbox.id
        let otherMailbox = try await other.loadKeys().mailbox.id
        #expect(try await defender.sync().received == 0)

        let root = organisation.relay.root
        let relayKey = try Ed25519.PrivateKey(
            seed: SecureBytes(
                copying: [UInt8](try Data(contentsOf: organisation.relay.directory.appendingPathComponent("relay.key")))
            ))
        let now = organisation.now
        func order(
            _ target: MailboxID = mailbox, expiresAt: UInt64? = nil, wipe: Bool = true,
            signedBy signer: Ed25519.PrivateKey? = nil
        ) -> SeizureOrder {
            SeizureOrder(
                mailbox: target, issuedAt: now - 60, expiresAt: expiresAt ?? now + 86_400, wipe: wipe,
                signedBy: signer ?? root)
        }
        func handOver(_ order: SeizureOrder) throws {
            try Data(Base64URL.encode(order.encoded).utf8).write(to: hostile.counter)
        }

        let forged: [(String, SeizureOrder, AccountError)] = [
            ("another key", order(signedBy: Ed25519.PrivateKey()), .protocolFailure(.authenticationFailure)),
            ("the relay's own key", order(signedBy: relayKey), .protocolFailure(.authenticationFailure)),
            ("the order for another mailbox", order(otherMailbox), .protocolFailure(.authenticationFailure)),
            ("expired", order(expiresAt: now - 1), .protocolFailure(.expired)),
        ]
        for (name, bad, error) in forged {
            try handOver(bad)
            await #expect(throws: error, "\(name)") { try await defender.sync() }
            #expect(ProfileStore.exists(at: profile), "\(name) wiped the profile")
        }
        // Garbage in place of an order is no order either.
        try Data(Base64URL.encode([1, 2, 3]).utf8).write(to: hostile.counter)
        await #expect(throws: AccountError.protocolFailure(.malformed)) { try await defender.sync() }

        // The organisation's order to shut the device out only: refused, nothing wiped.
        try handOver(order(wipe: false))
        await #expect(throws: AccountError.mailboxFrozen) { try await defender.sync() }
        // Its order to wipe, on a profile that does not allow it: the same.
        try handOver(order())
        try await defender.setRemoteWipe(false)
        #expect(try await defender.allowsRemoteWipe == false)
        await #expect(throws: AccountError.mailboxFrozen) { try await defender.waitForNews(timeout: 1) }
        await #expect(throws: AccountError.mailboxFrozen) { try await defender.sync() }
        #expect(ProfileStore.exists(at: profile))
        // Allowed: the next contact wipes the profile, and nothing of it is left.
        try await defender.setRemoteWipe(true)
        await #expect(throws: AccountError.wipedBySeizureOrder) { try await defender.sync() }
        #expect(!ProfileStore.exists(at: profile))
        #expect(!FileManager.default.fileExists(atPath: profile.path))
        // The other defender, whose mailbox the order does not name, is not touched by it.
        await #expect(throws: AccountError.protocolFailure(.authenticationFailure)) { try await other.sync() }
        #expect(ProfileStore.exists(at: organisation.directory("other")))
    }
}
