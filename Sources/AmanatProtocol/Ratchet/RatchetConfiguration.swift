// SPDX-License-Identifier: AGPL-3.0-or-later

/// The limits and schedule of a ratchet session (SPEC.md §6.6). Stored with the session.
public struct RatchetConfiguration: Hashable, Sendable {
    /// The most skipped message keys a session keeps (DESIGN §3: 1,000).
    public var maximumSkippedKeys: Int
    /// How long a skipped message key is kept, in seconds (DESIGN §3: 30 days).
    public var skippedKeyLifetime: UInt64
    /// A post-quantum refresh is due after this many messages, sent and received...
    public var postQuantumRefreshMessages: UInt32
    /// ...or after this many seconds, whichever comes first (DESIGN §3: 50 messages, 7 days).
    public var postQuantumRefreshInterval: UInt64

    /// The values DESIGN §3 fixes for Amanat v1.
    public static let standard = RatchetConfiguration(
        maximumSkippedKeys: 1000, skippedKeyLifetime: 30 * 86_400, postQuantumRefreshMessages: 50,
        postQuantumRefreshInterval: 7 * 86_400)

    /// A configuration; tests and vectors shorten the schedule to make events happen sooner.
    public init(
        maximumSkippedKeys: Int, skippedKeyLifetime: UInt64, postQuantumRefreshMessages: UInt32,
        postQuantumRefreshInterval: UInt64
    ) {
        self.maximumSkippedKeys = maximumSkippedKeys
        self.skippedKeyLifetime = skippedKeyLifetime
        self.postQuantumRefreshMessages = postQuantumRefreshMessages
        self.postQuantumRefreshInterval = postQuantumRefreshInterval
    }
}
