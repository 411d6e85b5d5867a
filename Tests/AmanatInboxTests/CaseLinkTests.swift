// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatProtocol
import Foundation
import Testing

@testable import AmanatInbox

/// Cases of a re-enrolled defender (SPEC §16.3, field 9): links merge cases, the same way on
/// every device, and never make one disappear.
@Suite("Linked cases")
struct CaseLinkTests {
    let expert = Ed25519.PrivateKey()

    func identities(_ count: Int) -> [IdentityKey] {
        var entropy = SystemEntropy()
        return (0..<count).map { _ in DeviceIdentity.generate(using: &entropy).publicKey }
            .sorted { $0.signingKey.rawRepresentation.lexicographicallyPrecedes($1.signingKey.rawRepresentation) }
    }

    func link(_ from: IdentityKey, _ to: IdentityKey, lamport: UInt64) throws -> TriageEvent {
        try TriageEvent(
            caseKey: from.signingKey.rawRepresentation, lamport: lamport, time: 1_800_000_000,
            change: .link(to.signingKey.rawRepresentation, present: true), signedBy: expert)
    }

    func cases(_ people: [IdentityKey], _ events: [TriageEvent]) -> [InboxCase] {
        let grouped = Dictionary(grouping: events) { Data($0.caseKey) }.mapValues { CaseTriage(merging: $0) }
        return InboxCase.make(
            contacts: people.map { ($0, CaseID(defender: $0)) }, messages: [], triage: grouped)
    }

    @Test("a link merges two cases under the old id; the newest device gets the replies; a chain follows")
    func chain() throws {
        let people = identities(3)
        let (old, first, second) = (people[0], people[1], people[2])
        let merged = cases(people, [try link(old, first, lamport: 1), try link(first, second, lamport: 2)])
        #expect(merged.count == 1)
        #expect(merged.first?.id == CaseID(defender: old) && merged.first?.identities == [old, first, second])
        #expect(merged.first?.identity == second)
    }

    @Test("two cases linked each way (two experts before they synced): one case, nothing lost, on every device alike")
    func circle() throws {
        let people = identities(2)
        let events = [try link(people[0], people[1], lamport: 1), try link(people[1], people[0], lamport: 1)]
        for order in [events, events.reversed()] {
            let merged = cases(people, Array(order))
            #expect(merged.count == 1, "\(merged.map(\.id))")
            #expect(merged.first?.id == CaseID(defender: people[0]) && merged.first?.identities.count == 2)
        }
    }
}
