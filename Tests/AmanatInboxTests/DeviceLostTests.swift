// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatProtocol
import AmanatTestSupport
import Foundation
import Testing

/// An expert device lost or seized (issue #20), through the real binaries: three experts (the
/// administrator Aigerim, Daniyar, and Saule, whose laptop is taken) and two defenders.
@Suite("An expert device lost: a new roster key, new deposit keys", .serialized)
struct DeviceLostTests {
    @Test(
        "after device-lost, the lost profile cannot open the next roster, its replies to defenders are refused (bad_deposit_token), its own mailbox wipes it, and both defenders still reach the two other experts",
        .timeLimit(.minutes(15)))
    func deviceLost() async throws {
        let workspace = try InboxWorkspace("device-lost")
        defer { workspace.remove() }
        let folder = workspace.folder
        let json = InboxWorkspace.list
        func devices(_ expert: String) async throws -> Set<String> {
            Set(
                try json(try await workspace.inbox(expert, ["org", "devices", "--json"])).compactMap {
                    $0["name"] as? String
                })
        }
        func found(_ expert: String, _ marker: String) async throws -> Bool {
            try !json(try await workspace.inbox(expert, ["search", marker, "--json"])).isEmpty
        }

        let started = try await workspace.startOrganisation(admin: "aigerim", name: "Aigerim")
        let relay = started.relay
        defer { relay.kill() }
        var invites: [String: Invite] = [:]
        for (profile, name) in [("daniyar", "Daniyar"), ("saule", "Saule")] {
            let invite = try #require(
                try await workspace.inbox("aigerim", ["org", "invite"]).output.split(separator: "\n").last)
            invites[profile] = try Invite(text: String(invite))
            let card = try #require(
                try await workspace.inbox(profile, ["enroll", String(invite)]).output.split(separator: "\n").last)
            #expect(try await workspace.inbox("aigerim", ["org", "add-expert", name, String(card)]).status == 0)
        }
        let defenders = ["asel", "bolat"]
        for defender in defenders {
            let invite = try #require(
                try await workspace.inbox("aigerim", ["org", "invite"]).output.split(separator: "\n").last)
            let file = folder.appendingPathComponent("\(defender).invite")
            try Data(invite.utf8).write(to: file)
            #expect(try await workspace.amanat(defender, ["enroll", file.path]).status == 0)
            #expect(
                try await workspace.amanat(defender, ["send", "\(defender.uppercased())-1 задержание"]).status == 0)
        }
        let experts = ["aigerim", "daniyar", "saule"]
        for expert in experts { #expect(try await workspace.inbox(expert, ["sync"]).status == 0) }
        for expert in experts {
            #expect(try await devices(expert) == ["Aigerim", "Daniyar", "Saule"], "\(expert)")
            let first = (try await found(expert, "ASEL-1"), try await found(expert, "BOLAT-1"))
            #expect(first.0 && first.1, "\(expert)")
        }
        let asel = try #require(
            try json(try await workspace.inbox("saule", ["search", "ASEL-1", "--json"])).first?["id"] as? String)

        // Saule's laptop is taken. Aigerim, the administrator, reports it.
        let lost = try await workspace.inbox("aigerim", ["org", "device-lost", "Saule"])
        #expect(lost.status == 0, "\(lost)")
        #expect(lost.output.contains("off the roster"), "\(lost)")
        #expect(try await devices("aigerim") == ["Aigerim", "Daniyar"])
        // The other devices take the new key from their mailboxes; defenders change their deposit
        // keys and send the new one to the remaining experts, who take it on their next sync.
        #expect(try await workspace.inbox("daniyar", ["sync"]).status == 0)
        #expect(try await devices("daniyar") == ["Aigerim", "Daniyar"])
        for defender in defenders {
            let synced = try await workspace.amanat(defender, ["sync"])
            #expect(synced.status == 0, "\(synced)")
            let list = try json(try await workspace.amanat(defender, ["experts", "--json"]))
            #expect(Set(list.compactMap { $0["name"] as? String }) == ["Aigerim", "Daniyar"], "\(defender): \(list)")
        }
        for expert in ["aigerim", "daniyar"] { #expect(try await workspace.inbox(expert, ["sync"]).status == 0) }

        // The roster the relay now serves does not open under the roster key the lost device
        // holds (the one from its invite): it cannot read who the experts are from now on.
        let published = try #require(
            try await RelayClient(transport: try CurlTransport(configuration: TransportConfiguration(relay: relay.url)))
                .roster())
        let saulesKey = try #require(invites["saule"]).rosterKey
        #expect(throws: ProtocolError.authenticationFailure) {
            try RosterContent(opening: try SignedRoster(decoding: published), rosterKey: saulesKey)
        }
        // Its reply to a defender is refused by the relay: the deposit key it holds is the old one.
        let refused = try await workspace.inbox("saule", ["reply", asel, "SAULE-REPLY пришлите адреса"])
        #expect(refused.status == 77, "\(refused)")
        #expect(refused.error.contains("The relay refused the reply"), "\(refused)")
        #expect(try await devices("saule") == ["Aigerim", "Daniyar", "Saule"], "it keeps only the old roster")
        // Its own mailbox was frozen with a wipe order: the next time it syncs, it is gone.
        let wiped = try await workspace.inbox("saule", ["sync"])
        #expect(wiped.status == 69, "\(wiped)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("saule").path))

        // Both defenders still reach the two other experts, and only them; replies still reach them.
        for defender in defenders {
            #expect(
                try await workspace.amanat(defender, ["send", "\(defender.uppercased())-2 после кражи ноутбука"]).status
                    == 0)
        }
        for expert in ["aigerim", "daniyar"] { #expect(try await workspace.inbox(expert, ["sync"]).status == 0) }
        for expert in ["aigerim", "daniyar"] {
            let second = (try await found(expert, "ASEL-2"), try await found(expert, "BOLAT-2"))
            #expect(second.0 && second.1, "\(expert)")
        }
        #expect(try await workspace.inbox("daniyar", ["reply", asel, "DANIYAR-REPLY адвокат на связи"]).status == 0)
        #expect(try await workspace.amanat("asel", ["sync"]).status == 0)
        let received = try await workspace.amanat("asel", ["inbox"]).output
        #expect(received.contains("DANIYAR-REPLY") && !received.contains("SAULE-REPLY"), "\(received)")
    }
}
