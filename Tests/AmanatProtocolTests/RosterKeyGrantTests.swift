// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Testing

@testable import AmanatProtocol

@Suite("Roster key grants (SPEC §16.2)")
struct RosterKeyGrantTests {
    @Test(
        "a grant verifies only under its root, round-trips in a payload and in secret memory, and any changed byte fails"
    )
    func grants() throws {
        let root = Ed25519.PrivateKey()
        let grant = RosterKeyGrant(version: 12, rosterKey: SecureBytes.random(count: 32), signedBy: root)
        try grant.verify(root: root.publicKey)
        #expect(throws: ProtocolError.authenticationFailure) { try grant.verify(root: Ed25519.PrivateKey().publicKey) }
        #expect(try RosterKeyGrant(decoding: grant.encoded) == grant)
        #expect(throws: ProtocolError.malformed) { try RosterKeyGrant(decoding: SecureBytes.random(count: 40)) }
        let payload = Payload(id: [UInt8](repeating: 3, count: 16), sentAt: 9, body: .rosterKey(grant))
        let encoded = try payload.encoded()
        #expect(try Payload(decoding: encoded) == payload)
        // Every byte of the grant inside the payload (after the 26-byte header) is covered.
        for index in 26..<encoded.count {
            var changed = encoded
            changed[index] ^= 0x01
            guard case .rosterKey(let altered) = try Payload(decoding: changed).body else {
                Issue.record("not a roster key grant any more")
                continue
            }
            #expect(throws: ProtocolError.authenticationFailure) { try altered.verify(root: root.publicKey) }
        }
    }
}
