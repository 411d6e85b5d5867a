// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Prometheus
import ServiceLifecycle

/// Puts a relay together from its configuration: store, routes, purge service.
public enum RelayServer {
    /// The application to run with `runService()`; it shuts down gracefully on SIGINT and SIGTERM,
    /// finishing requests in flight, and every answered deposit is already committed.
    /// `configuration` is ``RelaySettings/configuration(_:)``'s, resolved once.
    /// With `metrics`, a second listener serves them at `metrics.host:metrics.port` (`GET /metrics`);
    /// the caller bootstraps swift-metrics with a factory on `metrics.registry`.
    /// With `database`, envelopes live in that PostgreSQL database (shared by every instance
    /// given the same URL and a copy of the same data directory) instead of the data directory's
    /// SQLite file; its schema is brought up to date here, before anything listens. `onRunning`
    /// is called once the API listener is bound.
    public static func application(
        configuration: RelayConfiguration, dataDirectory: RelayDataDirectory, host: String, port: Int,
        metrics: (registry: PrometheusCollectorRegistry, host: String, port: Int)? = nil, tls: RelayTLS? = nil,
        database: PostgresDatabaseURL? = nil, logger: Logger, onRunning: @escaping @Sendable () -> Void = {}
    ) async throws -> some ApplicationProtocol {
        let store: any MailboxStore
        var storeServices: [any Service] = []
        if let database {
            try await PostgresMailboxStore.prepare(database, logger: logger)
            let postgres = try PostgresMailboxStore(url: database, logger: logger)
            store = postgres
            storeServices.append(postgres)
        } else {
            store = try SQLiteMailboxStore(path: dataDirectory.databasePath)
        }
        let clock: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }
        let relay = Relay(store: store, configuration: configuration, clock: clock)
        let purge = PurgeService(store: store, retention: configuration.retention, clock: clock, logger: logger)
        let http = relay.httpServer(
            // A connection that sends nothing for this long is closed (Tor is slow, not silent).
            idleTimeout: .seconds(configuration.idleTimeoutSeconds),
            // Push connections: pings keep NATs and Tor circuits open and find dead peers.
            pingPeriod: .seconds(60))
        return Application(
            router: relay.router(),
            server: try tls.map { try .tls(http, tlsConfiguration: $0.configuration) } ?? http,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: storeServices + [purge, relay.pushFeed()]
                + (metrics.map { metrics in
                    [
                        metricsApplication(
                            registry: metrics.registry, host: metrics.host, port: metrics.port, logger: logger)
                    ]
                } ?? []),
            onServerRunning: { _ in onRunning() },
            logger: logger)
    }

    /// The relay key's public half, base64url: what operators publish and invites carry.
    public static func fingerprint(of dataDirectory: RelayDataDirectory) throws -> String {
        fingerprint(of: try dataDirectory.load().signingKey)
    }

    /// The public half of `signingKey`, base64url.
    public static func fingerprint(of signingKey: Ed25519.PrivateKey) -> String {
        Base64URL.encode(signingKey.publicKey.rawRepresentation)
    }
}
