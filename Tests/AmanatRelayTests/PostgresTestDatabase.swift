// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import AmanatRelay

/// A fresh database on the throwaway PostgreSQL server `scripts/test` starts
/// (`AMANAT_TEST_POSTGRES_URL`), dropped afterwards, so every test starts from an empty schema.
enum PostgresTestDatabase {
    /// The server's URL; nil when no server was started (a developer's `swift test --filter`).
    static var serverURL: String? { ProcessInfo.processInfo.environment["AMANAT_TEST_POSTGRES_URL"] }

    /// Whether the PostgreSQL tests run: with a server, and always in CI, where a missing server
    /// must fail rather than skip them silently.
    static var enabled: Bool { serverURL != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    struct NoServer: Error, CustomStringConvertible {
        var description: String { "AMANAT_TEST_POSTGRES_URL is not set: run the tests through scripts/test" }
    }

    /// Errors only: postgres-nio warns when a call waits for a pool that is still starting.
    static let logger: Logger = {
        var logger = Logger(label: "amanat.tests.postgres")
        logger.logLevel = .error
        return logger
    }()

    /// Creates a database, passes its URL to `body`, and drops it (and its connections) afterwards.
    static func withDatabase<Value>(_ body: (String) async throws -> Value) async throws -> Value {
        guard let serverURL else { throw NoServer() }
        let server = try PostgresDatabaseURL(serverURL)
        let admin = PostgresClient(configuration: try server.clientConfiguration(), backgroundLogger: logger)
        let name = "amanat_test_" + Hex.encode(SecureRandom.bytes(count: 8))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            defer { group.cancelAll() }
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            var components = URLComponents(string: serverURL)!
            components.path = "/" + name
            do {
                let value = try await body(components.string!)
                try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger)
                return value
            } catch {
                _ = try? await admin.query(
                    PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger)
                throw error
            }
        }
    }

    /// A migrated store on a fresh database, running for the duration of `body`.
    static func withStore<Value>(_ body: (PostgresMailboxStore) async throws -> Value) async throws -> Value {
        try await withDatabase { url in
            let store = try PostgresMailboxStore(url: try PostgresDatabaseURL(url), logger: logger)
            return try await running(store) {
                try await store.migrate()
                return try await body(store)
            }
        }
    }

    /// Runs the stores' connection pools for the duration of `body`.
    static func running<Value>(
        _ stores: PostgresMailboxStore..., body: () async throws -> Value
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores {
                group.addTask { try await store.run() }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}
