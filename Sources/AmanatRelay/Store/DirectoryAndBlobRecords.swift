// SPDX-License-Identifier: AGPL-3.0-or-later

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
    public let id: [UInt8]
    /// BLAKE2b-256 of the upload key the relay handed the uploader.
    public let uploadKeyDigest: [UInt8]
    /// Its total size in bytes.
    public let size: Int
    /// Every chunk but the last has exactly this many bytes.
    public let chunkSize: Int
    /// How many confirmed downloads delete it.
    public let downloads: Int
    /// When it is deleted whatever happens, Unix seconds rounded up to the hour.
    public let expiresAt: UInt64

    /// A blob record.
    public init(id: [UInt8], uploadKeyDigest: [UInt8], size: Int, chunkSize: Int, downloads: Int, expiresAt: UInt64) {
        self.id = id
        self.uploadKeyDigest = uploadKeyDigest
        self.size = size
        self.chunkSize = chunkSize
        self.downloads = downloads
        self.expiresAt = expiresAt
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

    /// Whether every chunk is there, so it can be downloaded.
    public var isComplete: Bool { presentChunks.count == record.chunkCount }
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
