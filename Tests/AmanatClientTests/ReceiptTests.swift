// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatTestSupport
import Foundation
import Testing

@testable import AmanatClient

@Suite("Account: delivery receipts", .serialized)
struct ReceiptTests {
    @Test(
        "a case update that arrives before the defender's card is receipted once the card arrives, and only once",
        .timeLimit(.minutes(2)))
    func updateBeforeCard() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let defender = try await organisation.enrolDefender("defender")
        // The defender's first message to the expert is two envelopes: its card, then the update.
        // The expert opens them the other way round (SPEC.md §9.3).
        let update = try await defender.sendCaseUpdate("Суд перенесён на пятницу")
        let reversed = try await expert.processMailboxReversed()
        #expect(reversed.received == 1 && reversed.sent == 1, "\(reversed)")
        #expect(try await expert.messages().map(\.text) == ["Суд перенесён на пятницу"])

        let synced = try await defender.sync()
        #expect(synced.receipts == 1, "\(synced)")
        #expect(try await defender.messages().first { $0.id == update.id }?.deliveryState == .delivered)

        // The next update is receipted as usual, once; nothing more comes for the first.
        let second = try await defender.sendCaseUpdate("Адвокат на месте")
        #expect(try await expert.sync().received == 1)
        #expect(try await defender.sync().receipts == 1)
        #expect(try await defender.messages().first { $0.id == second.id }?.deliveryState == .delivered)
        #expect(try await defender.sync().receipts == 0)
    }

    @Test(
        "twenty replies fetched in one sync are receipted in one envelope per expert device, every one of them delivered",
        .timeLimit(.minutes(3)))
    func groupedReceipts() async throws {
        let (organisation, author) = try await TestOrganisation.started(expertName: "Айгерим")
        defer { organisation.remove() }
        let colleague = try await organisation.enrolExpert("colleague")
        try await organisation.publishRoster([("Айгерим", author), ("Данияр", colleague)], version: 2)
        let defender = try await organisation.enrolDefender("defender")
        _ = try await defender.sync()
        let update = try await defender.sendCaseUpdate("Обыск в офисе")
        #expect(try await author.sync().received == 1)
        #expect(try await colleague.sync().received == 1)
        let sender = try IdentityKey(decoding: Array(try #require(try await author.messages().first?.sender)))
        for number in 1...20 {
            _ = try await author.reply(to: sender, text: "Ответ \(number)", inReplyTo: update.id)
        }
        let synced = try await defender.sync()
        #expect(synced.received == 20, "\(synced)")
        // One delivered receipt to the author, one to the colleague who holds the team copies.
        #expect(synced.sent == 2, "\(synced)")
        let authorSync = try await author.sync()
        #expect(authorSync.receipts == 1, "\(authorSync)")
        let replies = try await author.messages().filter { $0.kind == .reply }
        #expect(replies.count == 20 && replies.allSatisfy { $0.deliveryState == .delivered })
        let colleagueSync = try await colleague.sync()
        #expect(colleagueSync.receipts == 1, "\(colleagueSync)")
        let copies = try await colleague.messages().filter { $0.kind == .reply }
        #expect(
            copies.count == 20 && copies.allSatisfy { $0.deliveryState == .delivered }, "\(copies.map(\.deliveryState))"
        )
    }
}

extension Account {
    /// One page of this device's mailbox processed last envelope first, then acknowledged, and
    /// what that put in the outbox sent: envelopes arriving out of order.
    func processMailboxReversed() async throws -> SyncSummary {
        var summary = SyncSummary()
        let mailbox = try loadKeys().mailbox
        let page = try await api.fetch(mailbox, after: 0, limit: 100)
        try process(page.envelopes.reversed(), into: &summary)
        try await api.acknowledge(mailbox, digests: page.envelopes.map(\.digest), expiredUnreadSeen: page.expiredUnread)
        summary.sent = try await flushOutbox()
        return summary
    }
}
