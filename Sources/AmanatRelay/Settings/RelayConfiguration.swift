// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// What a relay needs to answer requests: its keys and its limits.
public struct RelayConfiguration: Sendable {
    /// The relay's Ed25519 key: it signs deposit receipts and never decrypts anything.
    public let signingKey: Ed25519.PrivateKey
    /// The organisation root public key: it signs mailbox vouchers.
    public let organisationRoot: Ed25519.PublicKey
    /// How much one mailbox may hold.
    public var quota = MailboxQuota(maximumEnvelopes: 10_000, maximumBytes: 256 << 20)
    /// The most envelopes one fetch returns.
    public var maximumFetchLimit = 1000
    /// A fetch stops before its envelopes pass this many bytes (it always returns at least one).
    public var maximumFetchBytes = 8 << 20
    /// The most digests one acknowledgement names.
    public var maximumAcknowledgements = 1000
    /// The largest JSON request body.
    public var maximumJSONBodyBytes = 256 * 1024
    /// How long an unacknowledged envelope is kept, in seconds (DESIGN §4: 30 days).
    public var retention: UInt64 = 30 * 86_400
    /// How many request nonces are remembered for replay detection.
    public var nonceCacheCapacity = 100_000
    /// The most one-time entries in each prekey pool of a mailbox.
    public var maximumPrekeysPerPool = 200
    /// Below this many entries in a pool, fetches tell the owner to upload more.
    public var prekeyLowWaterMark = 20
    /// The largest sealed prekey directory entry (a head is about 2.9 KB).
    public var maximumPrekeyEntryBytes = 4096
    /// The largest attachment blob.
    public var maximumBlobBytes = 100 << 20
    /// Blob chunk size: every chunk but the last has exactly this many bytes.
    public var blobChunkSize = 256 << 10
    /// The most downloads an uploader may ask a blob to survive.
    public var maximumBlobDownloads = 64
    /// How long a blob is kept at most, in seconds.
    public var blobRetention: UInt64 = 30 * 86_400
    /// All blobs together may take this many bytes.
    public var maximumBlobStorageBytes = 20 << 30
    /// A blob must be uploaded whole within this many seconds of its creation, or it is deleted
    /// (its reserved space free again); once whole it is kept for ``blobRetention``.
    public var blobUploadWindow: UInt64 = 3 * 3600
    /// The bytes of blobs one mailbox's contacts may create within one upload window (kept in
    /// memory only: the database never links a blob to a mailbox).
    public var blobReservationBytesPerMailbox = 1 << 30
    /// The most push connections and long-poll requests open at once.
    public var maximumWaiters = 20_000
    /// Open push connections and long-polls of one mailbox (its owner's devices, each with a few).
    public var maximumMailboxWaiters = 16
    /// The longest a long-poll request may wait, in seconds.
    public var maximumWaitSeconds = 30
    /// An HTTP connection idle this long is closed, in seconds.
    public var idleTimeoutSeconds = 90
    /// A request body must arrive within this many seconds (64 KiB over a slow Tor circuit fits);
    /// held below the idle timeout, so that a body that does not come is answered 408.
    public var requestTimeoutSeconds = 60
    /// Requests per second the whole relay serves, and the burst above that rate.
    public var globalRate = RateLimit(perSecond: 2000, burst: 4000)
    /// Per mailbox: deposits, prekey claims and blob creations by its contacts together.
    public var contactRate = RateLimit(perSecond: 20, burst: 200)
    /// Per mailbox: signed requests by its owner.
    public var ownerRate = RateLimit(perSecond: 10, burst: 100)

    /// A configuration with the default limits.
    public init(signingKey: Ed25519.PrivateKey, organisationRoot: Ed25519.PublicKey) {
        self.signingKey = signingKey
        self.organisationRoot = organisationRoot
    }
}

/// A token-bucket rate: `perSecond` on average, up to `burst` at once.
public struct RateLimit: Hashable, Sendable {
    /// Sustained requests per second.
    public var perSecond: Double
    /// Requests allowed at once after a quiet spell.
    public var burst: Int

    /// A rate.
    public init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }
}
