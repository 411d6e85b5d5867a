// SPDX-License-Identifier: AGPL-3.0-or-later

import Logging
import ServiceLifecycle

/// Deletes envelopes older than the retention period, on a schedule, and counts them as expired
/// unread for their owners (DESIGN §4); deletes blobs past their expiry. Logs only aggregate counts.
/// Every instance on a shared PostgreSQL database runs it; the store makes that safe.
public struct PurgeService: Service {
    let store: any MailboxStore
    let retention: UInt64
    let interval: Duration
    let clock: @Sendable () -> UInt64
    let logger: Logger

    /// A service purging `store` every `interval`.
    public init(
        store: any MailboxStore, retention: UInt64, interval: Duration = .seconds(3600),
        clock: @escaping @Sendable () -> UInt64, logger: Logger
    ) {
        self.store = store
        self.retention = retention
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    /// Purges once: returns how many envelopes and blobs were deleted.
    public func purgeOnce() async throws(RelayError) -> (envelopes: Int, blobs: Int) {
        let now = clock()
        let envelopes = try await store.purge(arrivedBefore: now > retention ? now - retention : 0)
        let blobs = try await store.purgeBlobs(expiredAt: now)
        try await store.checkpoint()
        RelayMetrics.purgedEnvelopes.increment(by: envelopes)
        RelayMetrics.purgedBlobs.increment(by: blobs)
        return (envelopes, blobs)
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let deleted = try await purgeOnce()
                logger.info(
                    "retention purge done",
                    metadata: ["expired envelopes": "\(deleted.envelopes)", "expired blobs": "\(deleted.blobs)"])
            } catch {
                // A purge cut short by shutting down is not a failure worth an operator's attention.
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                logger.error("retention purge failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
