// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Testing

@testable import AmanatRelay

/// The deposit decision both stores make (``DepositBatch``), on its own: the order of its checks,
/// duplicates within a batch and against what is stored, the quota counted across a batch.
@Suite struct DepositBatchTests {
    static let quota = MailboxQuota(maximumEnvelopes: 3, maximumBytes: 5000)

    /// A mailbox with its deposit key.
    struct Box {
        let id = MailboxID.random()
        let key = SecureRandom.bytes(count: 32)

        func usage(count: Int = 0, bytes: Int = 0) -> MailboxUsage {
            MailboxUsage(depositKey: SecureBytes(copying: key), count: count, bytes: bytes)
        }

        /// A deposit of `envelope` into this mailbox, its token made with `key` (this mailbox's by
        /// default).
        func deposit(_ envelope: [UInt8], key: [UInt8]? = nil) throws -> PendingDeposit {
            let digest = EnvelopeDigest(of: envelope)
            let token = try DepositToken.make(
                depositKey: SecureBytes(copying: key ?? self.key), mailbox: id, digest: digest.bytes)
            return PendingDeposit(
                envelope: envelope, digest: digest, mailbox: id, token: token, now: 0,
                quota: quota)
        }

        func key(of envelope: [UInt8]) -> StoredEnvelopeKey {
            StoredEnvelopeKey(mailbox: id, digest: EnvelopeDigest(of: envelope))
        }
    }

    static func envelope(_ size: Int = 1000) -> [UInt8] { SecureRandom.bytes(count: size) }

    @Test func refusalsInOrderAndEachOnlyItsOwn() throws {
        let box = Box()
        let unknown = Box()
        let envelope = Self.envelope()
        let deposits = [
            try unknown.deposit(envelope),  // no such mailbox, although its token is right
            try box.deposit(envelope, key: SecureRandom.bytes(count: 32)),  // wrong key
            try box.deposit(envelope),  // fine
        ]
        let batch = DepositBatch(deposits, mailboxes: [box.id: box.usage()], stored: [:])
        #expect(
            batch.decisions == [
                .refused(.unknownMailbox), .refused(.badDepositToken), .insert(box.key(of: envelope)),
            ])
        #expect(batch.inserts.map(\.digest) == [EnvelopeDigest(of: envelope)])
        #expect(batch.changedUsage[box.id]?.count == 1 && batch.changedUsage[box.id]?.bytes == 1000)
        #expect(batch.changedUsage[unknown.id] == nil)
    }

    @Test func aStoredEnvelopeIsADuplicateEvenInAFullMailbox() throws {
        let box = Box()
        let stored = Self.envelope()
        let new = Self.envelope()
        let batch = DepositBatch(
            [try box.deposit(stored), try box.deposit(new)], mailboxes: [box.id: box.usage(count: 3, bytes: 3000)],
            stored: [box.key(of: stored): 41])
        #expect(batch.decisions == [.duplicate(sequence: 41), .refused(.mailboxFull)])
        #expect(batch.inserts.isEmpty && batch.changedUsage.isEmpty)
        #expect(batch.outcomes(sequences: [:]) == [.success(.duplicate(sequence: 41)), .failure(.mailboxFull)])
    }

    @Test func theSameEnvelopeTwiceInABatchIsStoredOnce() throws {
        let box = Box()
        let envelope = Self.envelope()
        let batch = DepositBatch(
            [try box.deposit(envelope), try box.deposit(envelope)], mailboxes: [box.id: box.usage()], stored: [:])
        #expect(batch.inserts.count == 1)
        #expect(batch.changedUsage[box.id]?.count == 1)
        #expect(
            batch.outcomes(sequences: [box.key(of: envelope): 7]) == [
                .success(.stored(sequence: 7)), .success(.duplicate(sequence: 7)),
            ])
        // An insert the store did not write back is a failure, never a made-up sequence.
        #expect(batch.outcomes(sequences: [:]) == [.failure(.storageFailure), .failure(.storageFailure)])
    }

    @Test func theQuotaCountsWhatTheBatchAddsBeforeEachDeposit() throws {
        let box = Box()
        let other = Box()
        // By count: one stored already, room for two more.
        let envelopes = (0..<4).map { _ in Self.envelope(100) }
        let byCount = DepositBatch(
            try envelopes.map { try box.deposit($0) } + [try other.deposit(Self.envelope(100))],
            mailboxes: [box.id: box.usage(count: 1, bytes: 100), other.id: other.usage()], stored: [:])
        #expect(
            byCount.decisions.map { if case .refused = $0 { false } else { true } } == [true, true, false, false, true])
        #expect(byCount.changedUsage[box.id]?.count == 3 && byCount.changedUsage[box.id]?.bytes == 300)
        #expect(byCount.changedUsage[other.id]?.count == 1)
        // By bytes: 4,000 held, a 2,000-byte envelope does not fit, a 1,000-byte one after it does.
        let large = Self.envelope(2000)
        let small = Self.envelope(1000)
        let byBytes = DepositBatch(
            [try box.deposit(large), try box.deposit(small)], mailboxes: [box.id: box.usage(count: 1, bytes: 4000)],
            stored: [:])
        #expect(byBytes.decisions == [.refused(.mailboxFull), .insert(box.key(of: small))])
        #expect(byBytes.changedUsage[box.id]?.bytes == 5000)
    }
}
