// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

/// A mailbox as a group commit finds it: the deposit key its tokens are checked against, and how
/// much it holds.
struct MailboxUsage: Sendable {
    let depositKey: SecureBytes
    var count: Int
    var bytes: Int
}

/// An envelope in a mailbox: what makes a deposit the same deposit (SPEC.md §8.4).
struct StoredEnvelopeKey: Hashable, Sendable {
    let mailbox: MailboxID
    let digest: EnvelopeDigest
}

/// What a group commit does with its deposits: the one rule both stores follow (the stores only
/// load what it needs and write what it decides).
///
/// Each deposit, in arrival order, is checked in this order:
/// 1. its mailbox must exist (`unknown_mailbox`);
/// 2. its token must check against the mailbox's deposit key (`bad_deposit_token`);
/// 3. an envelope already stored is a duplicate, with its sequence number, even in a full mailbox
///    (a sender whose answer was lost must hear "stored", not "full");
/// 4. the same envelope earlier in this batch makes this one its duplicate;
/// 5. the mailbox's quota (count and bytes), counting what this batch adds before it
///    (`mailbox_full`);
/// 6. otherwise the envelope is inserted.
///
/// A refusal affects only its own deposit.
struct DepositBatch {
    /// What happens to one deposit.
    enum Decision: Equatable {
        case refused(RelayError)
        case duplicate(sequence: Int64)
        /// Stored by this batch (the first deposit of the envelope), or its duplicate (a later one).
        case insert(StoredEnvelopeKey)
    }

    /// One per deposit, in order.
    let decisions: [Decision]
    /// The envelopes to write, each once, in arrival order.
    let inserts: [PendingDeposit]
    /// The usage of every mailbox this batch adds to, as it is after the batch.
    let changedUsage: [MailboxID: MailboxUsage]

    /// Decides `deposits` against the `mailboxes` they name (those that exist) and the envelopes
    /// of theirs already `stored`, by sequence number.
    init(
        _ deposits: [PendingDeposit], mailboxes: [MailboxID: MailboxUsage], stored: [StoredEnvelopeKey: Int64]
    ) {
        var usage = mailboxes
        var changed = Set<MailboxID>()
        var inserting = Set<StoredEnvelopeKey>()
        var inserts: [PendingDeposit] = []
        decisions = deposits.map { deposit in
            guard var entry = usage[deposit.mailbox] else { return .refused(.unknownMailbox) }
            guard
                DepositToken.isValid(
                    deposit.token, depositKey: entry.depositKey, mailbox: deposit.mailbox,
                    digest: deposit.digest.bytes)
            else { return .refused(.badDepositToken) }
            let key = StoredEnvelopeKey(mailbox: deposit.mailbox, digest: deposit.digest)
            if let sequence = stored[key] { return .duplicate(sequence: sequence) }
            if inserting.contains(key) { return .insert(key) }
            guard entry.count + 1 <= deposit.quota.maximumEnvelopes,
                entry.bytes + deposit.envelope.count <= deposit.quota.maximumBytes
            else { return .refused(.mailboxFull) }
            entry.count += 1
            entry.bytes += deposit.envelope.count
            usage[deposit.mailbox] = entry
            changed.insert(deposit.mailbox)
            inserting.insert(key)
            inserts.append(deposit)
            return .insert(key)
        }
        self.inserts = inserts
        changedUsage = usage.filter { changed.contains($0.key) }
    }

    /// Each deposit's outcome, in order, once ``inserts`` are written under `sequences`: the first
    /// deposit of an inserted envelope is stored, a later one in the batch its duplicate.
    func outcomes(sequences: [StoredEnvelopeKey: Int64]) -> [Result<DepositOutcome, RelayError>] {
        var reported = Set<StoredEnvelopeKey>()
        return decisions.map { decision in
            switch decision {
            case .refused(let error): return .failure(error)
            case .duplicate(let sequence): return .success(.duplicate(sequence: sequence))
            case .insert(let key):
                guard let sequence = sequences[key] else { return .failure(.storageFailure) }
                return .success(
                    reported.insert(key).inserted ? .stored(sequence: sequence) : .duplicate(sequence: sequence))
            }
        }
    }
}
