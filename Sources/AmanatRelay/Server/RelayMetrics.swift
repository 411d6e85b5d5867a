// SPDX-License-Identifier: AGPL-3.0-or-later

import Hummingbird
import Logging
import Metrics
import Prometheus

/// The relay's own metrics: aggregate counters and gauges only, never labelled with a mailbox,
/// blob, key or address. Per-route request counts and durations come from Hummingbird's
/// `MetricsMiddleware`, labelled with the route template (`/v1/mailboxes/{mailbox}/fetch`), not
/// the path. Without a metrics backend (tests, `--metrics-port 0`) they cost next to nothing.
enum RelayMetrics {
    static let depositsStored = Counter(label: "amanat_deposits_total", dimensions: [("outcome", "stored")])
    static let depositsDuplicate = Counter(label: "amanat_deposits_total", dimensions: [("outcome", "duplicate")])
    static let groupCommits = Counter(label: "amanat_group_commits_total")
    static let groupCommitDeposits = Counter(label: "amanat_group_commit_deposits_total")
    /// Receipt trees signed (SPEC.md §8.4.1): one Ed25519 signature each.
    static let receiptTrees = Counter(label: "amanat_receipt_trees_total")
    static let prekeyClaims = Counter(label: "amanat_prekey_claims_total")
    static let blobsCreated = Counter(label: "amanat_blobs_created_total")
    static let purgedEnvelopes = Counter(label: "amanat_purged_envelopes_total")
    static let purgedBlobs = Counter(label: "amanat_purged_blobs_total")
    static let rateLimited = Counter(label: "amanat_rate_limited_total")
    static let mailboxesFrozen = Counter(label: "amanat_mailboxes_frozen_total")
    static let waiters = Meter(label: "amanat_push_waiters")
}

extension RelayServer {
    /// The metrics listener: `GET /metrics` in the Prometheus text format, on its own address
    /// (127.0.0.1 by default), apart from the public API.
    static func metricsApplication(
        registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        var logger = logger
        logger[metadataKey: "listener"] = "metrics"
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            logger: logger)
    }
}
