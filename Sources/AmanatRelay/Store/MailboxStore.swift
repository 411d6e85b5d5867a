// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol

/// Where the relay keeps mailboxes and the envelopes waiting in them (DESIGN §4).
///
/// Every implementation passes the same conformance suite (`MailboxStoreConformance` in the
/// tests). What a store may hold is deliberately little: random mailbox ids, the owner's mailbox
/// key (not an identity key), the deposit key, redeemed voucher ids, and padded ciphertext with its
/// digest and the hour it arrived. No IP address, no sender, no exact time.
public protocol MailboxStore: Sendable {
    /// Creates a mailbox, redeeming `voucherId` in the same transaction: a voucher works once.
    ///
    /// - Throws: ``RelayError/voucherAlreadyUsed`` or ``RelayError/mailboxExists``.
    func createMailbox(_ mailbox: MailboxRecord, redeemingVoucher voucherId: VoucherID, now: UInt64)
        async throws(RelayError)

    /// The mailbox with `id`, if it exists.
    func mailbox(_ id: MailboxID) async throws(RelayError) -> MailboxRecord?

    /// Replaces a mailbox's deposit key, shutting out whoever held the old one.
    func rotateDepositKey(of mailbox: MailboxID, to depositKey: [UInt8]) async throws(RelayError)

    /// Freezes a mailbox on a verified seizure order (SPEC.md §8.8), in one transaction: records
    /// `order`, deletes every waiting envelope and the prekey directory, and sets the deposit key
    /// to `depositKey` (random bytes nobody holds). A mailbox already frozen keeps its first order
    /// and is left as it is. Returns whether this call froze it.
    ///
    /// - Throws: ``RelayError/unknownMailbox``.
    func freeze(_ mailbox: MailboxID, order: [UInt8], depositKey: [UInt8]) async throws(RelayError) -> Bool

    /// Checks `token` against the mailbox's deposit key (SPEC.md §8.1, in constant time) and
    /// stores the envelope, durably, before returning; the check and the write are one
    /// transaction, so a deposit key rotated meanwhile is never half-honoured. Depositing the same
    /// digest again returns the first deposit's sequence number and stores nothing.
    ///
    /// - Throws: ``RelayError/unknownMailbox``, ``RelayError/badDepositToken``,
    ///   ``RelayError/mailboxFull``.
    func deposit(
        _ envelope: [UInt8], digest: EnvelopeDigest, into mailbox: MailboxID, token: DepositTokenValue, now: UInt64,
        quota: MailboxQuota
    ) async throws(RelayError) -> DepositOutcome

    /// Up to `limit` envelopes after sequence `cursor` (0 for the start), oldest first, stopping
    /// before the envelopes' bytes would pass `maximumBytes` (but always at least one), and the
    /// number of envelopes that expired unread since the owner last confirmed seeing that count.
    func fetch(
        from mailbox: MailboxID, after cursor: Int64, limit: Int, maximumBytes: Int
    ) async throws(RelayError) -> FetchResult

    /// Deletes the envelopes with these digests from the mailbox, and takes `expiredUnreadSeen`
    /// off its expired-unread count. Returns how many envelopes were deleted.
    func acknowledge(
        _ digests: [EnvelopeDigest], in mailbox: MailboxID, expiredUnreadSeen: Int
    ) async throws(RelayError) -> Int

    /// Deletes every envelope that arrived before `cutoff` (Unix seconds), counting them as
    /// expired unread in their mailboxes. Returns how many were deleted.
    func purge(arrivedBefore cutoff: UInt64) async throws(RelayError) -> Int

    /// After a purge: makes deleted data unrecoverable from the store's own files where it can
    /// (SQLite copies its write-ahead log back and truncates it; PostgreSQL leaves dead rows to
    /// autovacuum, so it does nothing here).
    func checkpoint() async throws(RelayError)

    // MARK: Prekey directory (SPEC.md §8.6)

    /// Replaces the mailbox's head entry (when `head` is given) and adds or replaces one-time
    /// entries, in one transaction. Returns the counts afterwards.
    ///
    /// - Throws: ``RelayError/unknownMailbox``, or ``RelayError/prekeysFull`` if a pool would hold
    ///   more than `maximumPerPool` entries (nothing is stored then).
    func publishPrekeys(
        head: [UInt8]?, oneTime: [PrekeyEntry], for mailbox: MailboxID, maximumPerPool: Int
    ) async throws(RelayError) -> PrekeyCounts

    /// The head and, removed in the same transaction, one entry from each one-time pool that is
    /// not empty; nil if the mailbox has published no head. Two claims never get the same entry.
    ///
    /// - Throws: ``RelayError/unknownMailbox``.
    func claimPrekeys(from mailbox: MailboxID) async throws(RelayError) -> PrekeyClaim?

    /// How many one-time entries the mailbox has left.
    ///
    /// - Throws: ``RelayError/unknownMailbox``.
    func prekeyCounts(of mailbox: MailboxID) async throws(RelayError) -> PrekeyCounts

    // MARK: Attachment blobs

    /// Creates an empty blob.
    ///
    /// - Throws: ``RelayError/blobStorageFull`` if all blobs together would exceed `totalBytes`.
    func createBlob(_ blob: BlobRecord, totalBytes: Int) async throws(RelayError)

    /// The blob and which chunks it has, or nil if there is none (never was, deleted, expired).
    func blob(_ id: BlobID) async throws(RelayError) -> BlobStatus?

    /// Stores chunk `index`, which must have the size ``BlobRecord/sizeOfChunk(_:)`` gives. Storing a
    /// chunk again replaces it while the blob is incomplete; once complete, the same bytes again are
    /// accepted and different bytes refused. The chunk that makes the blob whole moves its expiry
    /// to `expiry` (until then it expires at the end of its upload window).
    ///
    /// - Throws: ``RelayError/unknownBlob``, ``RelayError/invalidRequest`` for a wrong index or
    ///   size, ``RelayError/blobComplete``.
    func putChunk(_ data: [UInt8], index: Int, of blob: BlobID, retainingWholeUntil expiry: UInt64)
        async throws(RelayError) -> BlobStatus

    /// Chunk `index` of a complete blob.
    ///
    /// - Throws: ``RelayError/unknownBlob``, ``RelayError/blobIncomplete``,
    ///   ``RelayError/invalidRequest`` for a wrong index.
    func chunk(_ index: Int, of blob: BlobID) async throws(RelayError) -> [UInt8]

    /// Counts the download of the recipient whose confirmation key has the BLAKE2b-256 `digest`,
    /// as ``BlobStatus/confirming(_:)`` decides: once per registered confirmation, the blob
    /// deleted with the last. Returns downloads left.
    ///
    /// - Throws: ``RelayError/unknownBlob``, ``RelayError/blobIncomplete``,
    ///   ``RelayError/badConfirmation``.
    func confirmDownload(of blob: BlobID, presenting digest: [UInt8]) async throws(RelayError) -> Int

    /// Deletes every blob whose expiry is at or before `now`. Returns how many.
    func purgeBlobs(expiredAt now: UInt64) async throws(RelayError) -> Int

    // MARK: Organisation roster (SPEC.md §8.7)

    /// Stores `roster` if its version is higher than the stored one's.
    ///
    /// - Throws: ``RelayError/staleRoster`` otherwise.
    func publishRoster(_ roster: StoredRoster) async throws(RelayError)

    /// The current roster, if one was published.
    func roster() async throws(RelayError) -> StoredRoster?

    // MARK: Several instances

    /// Until cancelled, calls `deposited` with each mailbox that any relay instance sharing this
    /// store stored a new envelope in, so each instance can wake its own push waiters; `nil` means
    /// news may have been missed (a lost connection) and every waiter should look. A store that
    /// only one process can use returns at once: that process's own deposits wake its waiters.
    func followDeposits(_ deposited: @escaping @Sendable (MailboxID?) -> Void) async
}

// No default for `checkpoint` or `followDeposits`: a store whose method's signature drifted
// would silently get a default that does nothing instead of failing to compile.
extension MailboxStore {
    /// Up to `limit` envelopes after `cursor`, whatever their size.
    public func fetch(from mailbox: MailboxID, after cursor: Int64, limit: Int) async throws(RelayError) -> FetchResult
    {
        try await fetch(from: mailbox, after: cursor, limit: limit, maximumBytes: .max)
    }
}

/// A mailbox as the relay knows it.
public struct MailboxRecord: Hashable, Sendable {
    /// 32 random bytes chosen by the owner.
    public let id: MailboxID
    /// The owner's Ed25519 mailbox key (32 bytes), which signs fetch, ack and upload requests.
    public let ownerKey: [UInt8]
    /// The 32-byte key deposit tokens are made with.
    public let depositKey: [UInt8]
    /// The seizure order that froze the mailbox (SPEC.md §8.8), if one did.
    public let seizureOrder: [UInt8]?

    /// A mailbox record.
    public init(id: MailboxID, ownerKey: [UInt8], depositKey: [UInt8], seizureOrder: [UInt8]? = nil) {
        self.id = id
        self.ownerKey = ownerKey
        self.depositKey = depositKey
        self.seizureOrder = seizureOrder
    }
}

/// How much one mailbox may hold.
public struct MailboxQuota: Hashable, Sendable {
    /// The most envelopes waiting at once.
    public var maximumEnvelopes: Int
    /// The most bytes waiting at once.
    public var maximumBytes: Int

    /// A quota.
    public init(maximumEnvelopes: Int, maximumBytes: Int) {
        self.maximumEnvelopes = maximumEnvelopes
        self.maximumBytes = maximumBytes
    }
}

/// What a deposit did.
public enum DepositOutcome: Hashable, Sendable {
    /// The envelope was stored under this sequence number.
    case stored(sequence: Int64)
    /// The same envelope was already stored, under this sequence number.
    case duplicate(sequence: Int64)

    /// The envelope's sequence number either way.
    public var sequence: Int64 {
        switch self {
        case .stored(let sequence), .duplicate(let sequence): sequence
        }
    }
}

/// An envelope waiting in a mailbox.
public struct StoredEnvelope: Hashable, Sendable {
    /// Its position in the mailbox; fetch cursors are sequence numbers.
    public let sequence: Int64
    /// BLAKE2b-256 of the envelope: its id.
    public let digest: EnvelopeDigest
    /// The sealed envelope.
    public let envelope: [UInt8]
    /// The hour it arrived, as Unix seconds rounded down to the hour.
    public let arrivedHour: UInt64
}

/// One page of a mailbox.
public struct FetchResult: Hashable, Sendable {
    /// The envelopes, oldest first.
    public let envelopes: [StoredEnvelope]
    /// Envelopes deleted unread by the retention purge, not yet confirmed seen by the owner.
    public let expiredUnread: Int
}
