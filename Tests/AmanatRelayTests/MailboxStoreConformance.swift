// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation
import Testing

@testable import AmanatRelay

/// The behaviour every `MailboxStore` must have (STYLE §12). Each implementation's suite runs all
/// of it; the PostgreSQL store (#9) will run the same.
struct MailboxStoreConformance {
    let store: any MailboxStore
    let quota = MailboxQuota(maximumEnvelopes: 5, maximumBytes: 10_000)
    let now: UInt64 = 1_800_000_000

    static func random(_ count: Int = 32) -> [UInt8] { SecureRandom.bytes(count: count) }

    static func envelope(_ size: Int = 2048) -> (bytes: [UInt8], digest: [UInt8]) {
        let bytes = random(size)
        return (bytes, try! BLAKE2b.hash(bytes))
    }

    func newMailbox() async throws -> MailboxRecord {
        let mailbox = MailboxRecord(id: Self.random(), ownerKey: Self.random(), depositKey: Self.random())
        try await store.createMailbox(mailbox, redeemingVoucher: Self.random(), now: now)
        return mailbox
    }

    func mailboxes() async throws {
        let mailbox = MailboxRecord(id: Self.random(), ownerKey: Self.random(), depositKey: Self.random())
        let voucher = Self.random()
        try await store.createMailbox(mailbox, redeemingVoucher: voucher, now: now)
        #expect(try await store.mailbox(mailbox.id) == mailbox)
        #expect(try await store.mailbox(Self.random()) == nil)
        let other = MailboxRecord(id: Self.random(), ownerKey: Self.random(), depositKey: Self.random())
        await #expect(throws: RelayError.voucherAlreadyUsed) {
            try await store.createMailbox(other, redeemingVoucher: voucher, now: now)
        }
        #expect(try await store.mailbox(other.id) == nil)
        await #expect(throws: RelayError.mailboxExists) {
            try await store.createMailbox(mailbox, redeemingVoucher: Self.random(), now: now)
        }
        await #expect(throws: RelayError.invalidRequest) {
            try await store.createMailbox(
                MailboxRecord(id: [1], ownerKey: Self.random(), depositKey: Self.random()),
                redeemingVoucher: Self.random(), now: now)
        }
        let key = Self.random()
        try await store.rotateDepositKey(of: mailbox.id, to: key)
        #expect(try await store.mailbox(mailbox.id)?.depositKey == key)
        await #expect(throws: RelayError.unknownMailbox) {
            try await store.rotateDepositKey(of: Self.random(), to: key)
        }
    }

    func depositFetchAcknowledge() async throws {
        let mailbox = try await newMailbox()
        let envelopes = (0..<4).map { _ in Self.envelope() }
        var sequences: [Int64] = []
        for envelope in envelopes {
            let outcome = try await store.deposit(
                envelope.bytes, digest: envelope.digest, into: mailbox.id, now: now, quota: quota)
            guard case .stored(let sequence) = outcome else {
                Issue.record("first deposit was not stored")
                return
            }
            sequences.append(sequence)
        }
        #expect(sequences == sequences.sorted() && Set(sequences).count == 4)
        // Idempotent: the same envelope again stores nothing and names the same sequence.
        let again = try await store.deposit(
            envelopes[1].bytes, digest: envelopes[1].digest, into: mailbox.id, now: now + 10, quota: quota)
        #expect(again == .duplicate(sequence: sequences[1]))
        // Cursor paging, oldest first.
        let first = try await store.fetch(from: mailbox.id, after: 0, limit: 3)
        #expect(first.envelopes.map(\.envelope) == envelopes.prefix(3).map(\.bytes))
        #expect(first.envelopes.map(\.digest) == envelopes.prefix(3).map(\.digest))
        #expect(first.envelopes.allSatisfy { $0.arrivedHour == now - now % 3600 })
        let second = try await store.fetch(from: mailbox.id, after: first.envelopes.last!.sequence, limit: 3)
        #expect(second.envelopes.map(\.envelope) == [envelopes[3].bytes])
        // Acknowledging deletes; unknown digests are ignored; other mailboxes are untouched.
        let other = try await newMailbox()
        _ = try await store.deposit(
            envelopes[0].bytes, digest: envelopes[0].digest, into: other.id, now: now, quota: quota)
        let deleted = try await store.acknowledge(
            [envelopes[0].digest, envelopes[2].digest, Self.random()], in: mailbox.id, expiredUnreadSeen: 0)
        #expect(deleted == 2)
        let left = try await store.fetch(from: mailbox.id, after: 0, limit: 10)
        #expect(left.envelopes.map(\.envelope) == [envelopes[1].bytes, envelopes[3].bytes])
        #expect(try await store.fetch(from: other.id, after: 0, limit: 10).envelopes.count == 1)
        // After an ack, the same envelope can be deposited again as new.
        let redeposit = try await store.deposit(
            envelopes[0].bytes, digest: envelopes[0].digest, into: mailbox.id, now: now, quota: quota)
        #expect(redeposit.sequence > sequences[3])
    }

    func quotas() async throws {
        let mailbox = try await newMailbox()
        var digests: [[UInt8]] = []
        for _ in 0..<5 {
            let envelope = Self.envelope(1000)
            digests.append(envelope.digest)
            _ = try await store.deposit(
                envelope.bytes, digest: envelope.digest, into: mailbox.id, now: now, quota: quota)
        }
        let extra = Self.envelope(1000)
        await #expect(throws: RelayError.mailboxFull) {
            try await store.deposit(extra.bytes, digest: extra.digest, into: mailbox.id, now: now, quota: quota)
        }
        // A duplicate of a stored envelope is still answered when full.
        let existing = try await store.fetch(from: mailbox.id, after: 0, limit: 1).envelopes[0]
        #expect(
            try await store.deposit(
                existing.envelope, digest: existing.digest, into: mailbox.id, now: now, quota: quota)
                == .duplicate(sequence: existing.sequence))
        _ = try await store.acknowledge([digests[0]], in: mailbox.id, expiredUnreadSeen: 0)
        _ = try await store.deposit(extra.bytes, digest: extra.digest, into: mailbox.id, now: now, quota: quota)
        // The byte quota, separately.
        let small = try await newMailbox()
        let tight = MailboxQuota(maximumEnvelopes: 100, maximumBytes: 3000)
        for _ in 0..<2 {
            let envelope = Self.envelope(1500)
            _ = try await store.deposit(envelope.bytes, digest: envelope.digest, into: small.id, now: now, quota: tight)
        }
        let over = Self.envelope(1)
        await #expect(throws: RelayError.mailboxFull) {
            try await store.deposit(over.bytes, digest: over.digest, into: small.id, now: now, quota: tight)
        }
    }

    func unknownMailboxes() async throws {
        let envelope = Self.envelope()
        let nobody = Self.random()
        await #expect(throws: RelayError.unknownMailbox) {
            try await store.deposit(envelope.bytes, digest: envelope.digest, into: nobody, now: now, quota: quota)
        }
        await #expect(throws: RelayError.unknownMailbox) { try await store.fetch(from: nobody, after: 0, limit: 10) }
        await #expect(throws: RelayError.unknownMailbox) {
            try await store.acknowledge([envelope.digest], in: nobody, expiredUnreadSeen: 0)
        }
        await #expect(throws: RelayError.invalidRequest) {
            try await store.deposit(envelope.bytes, digest: [1, 2], into: nobody, now: now, quota: quota)
        }
    }

    func retention() async throws {
        let mailbox = try await newMailbox()
        let hour: UInt64 = 3600
        let start = now - now % hour
        let old = Self.envelope()
        let late = Self.envelope()
        let fresh = Self.envelope()
        _ = try await store.deposit(old.bytes, digest: old.digest, into: mailbox.id, now: start + 10, quota: quota)
        _ = try await store.deposit(
            late.bytes, digest: late.digest, into: mailbox.id, now: start + hour - 1, quota: quota)
        _ = try await store.deposit(
            fresh.bytes, digest: fresh.digest, into: mailbox.id, now: start + 2 * hour, quota: quota)
        // A cutoff inside the first hour purges nothing: an envelope is never purged early.
        #expect(try await store.purge(arrivedBefore: start + hour - 1) == 0)
        // Once the whole first hour is before the cutoff, both of its envelopes go.
        #expect(try await store.purge(arrivedBefore: start + hour) == 2)
        let page = try await store.fetch(from: mailbox.id, after: 0, limit: 10)
        #expect(page.envelopes.map(\.envelope) == [fresh.bytes])
        #expect(page.expiredUnread == 2)
        // The count stays until the owner confirms having seen it.
        _ = try await store.acknowledge([], in: mailbox.id, expiredUnreadSeen: 1)
        #expect(try await store.fetch(from: mailbox.id, after: 0, limit: 10).expiredUnread == 1)
        _ = try await store.acknowledge([fresh.digest], in: mailbox.id, expiredUnreadSeen: 5)
        #expect(try await store.fetch(from: mailbox.id, after: 0, limit: 10).expiredUnread == 0)
        // The quota counts follow purges: the mailbox has room for five again.
        for _ in 0..<5 {
            let envelope = Self.envelope(100)
            _ = try await store.deposit(
                envelope.bytes, digest: envelope.digest, into: mailbox.id, now: now, quota: quota)
        }
    }

    func concurrentDeposits() async throws {
        let mailbox = try await newMailbox()
        let envelopes = (0..<40).map { _ in Self.envelope(512) }
        let big = MailboxQuota(maximumEnvelopes: 1000, maximumBytes: 1 << 24)
        let outcomes = try await withThrowingTaskGroup(of: DepositOutcome.self) { group in
            for envelope in envelopes + envelopes {
                group.addTask {
                    try await store.deposit(
                        envelope.bytes, digest: envelope.digest, into: mailbox.id, now: now, quota: big)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { if case .stored = $0 { true } else { false } }.count == 40)
        #expect(Set(outcomes.map(\.sequence)).count == 40)
        #expect(try await store.fetch(from: mailbox.id, after: 0, limit: 100).envelopes.count == 40)
    }
}
