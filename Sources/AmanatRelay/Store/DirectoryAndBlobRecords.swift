// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

// MARK: - Prekey directory (SPEC.md §8.6)

/// The two pools of one-time prekey entries a mailbox keeps.
public enum PrekeyPool: Int, Hashable, Sendable, CaseIterable {
    /// One-time X25519 prekeys (directory slot 2).
    case oneTime = 1
    /// One-time X-Wing prekeys (directory slot 3).
    case oneTimePostQuantum = 2
}

/// One sealed one-time entry, under an id its owner chose.
public struct PrekeyEntry: Hashable, Sendable {
    /// Which pool it belongs to.
    public let pool: PrekeyPool
    /// The owner's id for it, unique in its pool.
    public let id: UInt32
    /// The sealed entry; the relay cannot open it.
    public let entry: [UInt8]

    /// An entry.
    public init(pool: PrekeyPool, id: UInt32, entry: [UInt8]) {
        self.pool = pool
        self.id = id
        self.entry = entry
    }
}

/// How many one-time entries a mailbox has left in each pool.
public struct PrekeyCounts: Hashable, Sendable {
    /// One-time X25519 entries.
    public let oneTime: Int
    /// One-time X-Wing entries.
    public let oneTimePostQuantum: Int

    /// Counts.
    public init(oneTime: Int, oneTimePostQuantum: Int) {
        self.oneTime = oneTime
        self.oneTimePostQuantum = oneTimePostQuantum
    }
    /// The counts a store's `GROUP BY pool` gives, by ``PrekeyPool`` raw value (a pool without
    /// entries is absent: 0).
    init(byPool counts: [Int: Int]) {
        self.init(
            oneTime: counts[PrekeyPool.oneTime.rawValue] ?? 0,
            oneTimePostQuantum: counts[PrekeyPool.oneTimePostQuantum.rawValue] ?? 0)
    }
}

/// What one claim takes from a mailbox's directory.
public struct PrekeyClaim: Hashable, Sendable {
    /// The head entry (identity, signed prekey, last-resort and sealing keys).
    public let head: [UInt8]
    /// A one-time X25519 entry, removed from its pool, if there was one.
    public let oneTime: [UInt8]?
    /// A one-time X-Wing entry, removed from its pool, if there was one.
    public let oneTimePostQuantum: [UInt8]?
}

// MARK: - Attachment blobs

/// An attachment blob as created: its size is fixed and it is uploaded in fixed chunks.
///
/// Blobs are deliberately not linked to a mailbox in storage: the deposit token that created one
/// is checked and forgotten, so a seized database does not say who received which attachment.
public struct BlobRecord: Hashable, Sendable {
    /// 32 random bytes chosen by the relay; knowing it is what lets one download.
    public let id: BlobID
    /// BLAKE2b-256 of the upload key the relay handed the uploader.
    public let uploadKeyDigest: [UInt8]
    /// Its total size in bytes.
    public let size: Int
    /// Every chunk but the last has exactly this many bytes.
    public let chunkSize: Int
    /// The BLAKE2b-256 of each recipient device's confirmation key (SPEC.md §9.4), ascending:
    /// one confirmed download per entry deletes it.
    public let confirmations: [[UInt8]]
    /// When it is deleted whatever happens, Unix seconds rounded up to the hour.
    public let expiresAt: UInt64

    /// A blob record.
    public init(
        id: BlobID, uploadKeyDigest: [UInt8], size: Int, chunkSize: Int, confirmations: [[UInt8]], expiresAt: UInt64
    ) {
        self.id = id
        self.uploadKeyDigest = uploadKeyDigest
        self.size = size
        self.chunkSize = chunkSize
        self.confirmations = confirmations
        self.expiresAt = expiresAt
    }

    /// How many confirmed downloads delete it.
    public var downloads: Int { confirmations.count }

    /// Whether the record is well formed: 32-byte digests, a positive chunk size, and
    /// distinct confirmations in ascending order, at most 64 (one bit each in ``BlobStatus/confirmed``).
    public var isValid: Bool {
        uploadKeyDigest.count == 32 && size >= 0 && chunkSize > 0
            && confirmations.count <= 64 && confirmations.allSatisfy { $0.count == 32 }
            && zip(confirmations, confirmations.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) }
    }

    /// The confirmations as the stores keep them: concatenated.
    public var joinedConfirmations: [UInt8] { confirmations.flatMap { $0 } }

    /// Confirmations from their concatenation; a length that is not a multiple of 32 keeps none.
    public static func confirmations(joined: [UInt8]) -> [[UInt8]] {
        guard joined.count % 32 == 0 else { return [] }
        return stride(from: 0, to: joined.count, by: 32).map { Array(joined[$0..<$0 + 32]) }
    }

    /// How many chunks it has (at least one).
    public var chunkCount: Int { max(1, (size + chunkSize - 1) / chunkSize) }

    /// The exact size of chunk `index`, or nil if there is no such chunk.
    public func sizeOfChunk(_ index: Int) -> Int? {
        guard (0..<chunkCount).contains(index) else { return nil }
        return index == chunkCount - 1 ? size - (chunkCount - 1) * chunkSize : chunkSize
    }
}

/// A blob and its upload progress.
public struct BlobStatus: Hashable, Sendable {
    /// The blob.
    public let record: BlobRecord
    /// The chunks uploaded so far, ascending.
    public let presentChunks: [Int]
    /// Downloads still to be confirmed before it is deleted.
    public let downloadsLeft: Int
    /// Which of ``BlobRecord/confirmations`` were presented: bit i for entry i.
    public let confirmed: UInt64

    /// A blob's state.
    public init(record: BlobRecord, presentChunks: [Int], downloadsLeft: Int, confirmed: UInt64) {
        self.record = record
        self.presentChunks = presentChunks
        self.downloadsLeft = downloadsLeft
        self.confirmed = confirmed
    }

    /// Whether every chunk is there, so it can be downloaded.
    public var isComplete: Bool { presentChunks.count == record.chunkCount }

    /// What presenting a confirmation key whose digest is `digest` does (SPEC.md §9.4), decided
    /// here once for every store: the first presentation of a registered key counts one
    /// download, the same key again counts nothing (a retried request), anything else is refused.
    ///
    /// - Throws: ``RelayError/blobIncomplete``, ``RelayError/badConfirmation``.
    public func confirming(_ digest: [UInt8]) throws(RelayError) -> DownloadConfirmationOutcome {
        guard isComplete else { throw .blobIncomplete }
        // Every registered digest is compared, in constant time, whichever matches.
        var match = -1
        for (index, registered) in record.confirmations.enumerated() {
            let equal = ConstantTime.equals(registered, digest)
            match = equal ? index : match
        }
        guard match >= 0 else { throw .badConfirmation }
        let bit = UInt64(1) << UInt64(match)
        guard confirmed & bit == 0 else { return .repeated(downloadsLeft: downloadsLeft) }
        return .counted(confirmed: confirmed | bit, downloadsLeft: max(0, downloadsLeft - 1))
    }
}

/// What one confirmation does to a blob.
public enum DownloadConfirmationOutcome: Hashable, Sendable {
    /// A download counted: the new set of presented confirmations and the downloads left (none:
    /// the blob is deleted).
    case counted(confirmed: UInt64, downloadsLeft: Int)
    /// That recipient had confirmed before: nothing changes.
    case repeated(downloadsLeft: Int)
}

// MARK: - Organisation roster

/// The organisation roster as the relay keeps it: a version and the signed bytes, opaque beyond
/// the signature the relay checked.
public struct StoredRoster: Hashable, Sendable {
    /// Its version; a new one must be higher.
    public let version: UInt64
    /// The signed roster (SPEC.md §8.7).
    public let encoded: [UInt8]

    /// A stored roster.
    public init(version: UInt64, encoded: [UInt8]) {
        self.version = version
        self.encoded = encoded
    }
}
