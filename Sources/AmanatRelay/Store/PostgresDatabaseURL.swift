// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import NIOSSL
import PostgresNIO

/// Where the PostgreSQL store connects: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?OPTIONS]`.
///
/// Options: `sslmode=disable` or `sslmode=verify-full` (the certificate must chain to the system's
/// roots, or to `sslrootcert=FILE`, and name the host); `host=/run/postgresql` (and `port=` when
/// it is not 5432) for a Unix socket directory. A TCP host that is not loopback gets `verify-full` unless told otherwise, and
/// `disable` with such a host is refused: envelopes, mailbox ids and keys would cross the network
/// in clear. Unverified TLS (libpq's `require`, `prefer`) is not offered: it does not stop an
/// attacker in the middle. The password never appears in ``description`` or in errors.
public struct PostgresDatabaseURL: Sendable, CustomStringConvertible {
    /// How the connection is protected.
    public enum Security: Sendable, Equatable {
        /// Plain TCP: loopback only.
        case disable
        /// TLS, with the server's certificate checked against the system's roots or `rootCertificate`.
        case verifyFull(rootCertificate: String?)
    }

    public let username: String
    let password: String?
    public let database: String
    /// The TCP host, or nil for a Unix socket.
    public let host: String?
    public let port: Int
    /// The Unix socket's directory, for `?host=/dir`.
    public let socketDirectory: String?
    public let security: Security

    /// Parses `text`.
    ///
    /// - Throws: ``RelaySetupError/invalidDatabaseURL(_:)`` naming what is wrong, or
    ///   ``RelaySetupError/databaseWithoutTLS(_:)`` for a plain connection to another machine.
    public init(_ text: String) throws(RelaySetupError) {
        guard let components = URLComponents(string: text),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else { throw .invalidDatabaseURL("it must start with postgres://") }
        guard let user = components.user, !user.isEmpty else {
            throw .invalidDatabaseURL("it must name a user: postgres://USER@HOST/DATABASE")
        }
        username = user
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : path
        guard !database.contains("/") else { throw .invalidDatabaseURL("the database name cannot contain /") }
        var options: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard let value = item.value else { throw .invalidDatabaseURL("option \(item.name) has no value") }
            options[item.name] = value
        }
        // As in libpq, ?port= serves when there is no host part (a socket's name ends in the port).
        port = components.port ?? options["port"].flatMap { Int($0) } ?? 5432
        guard (1...65_535).contains(port) else { throw .invalidDatabaseURL("the port must be 1-65535") }
        let unknown = Set(options.keys).subtracting(["sslmode", "sslrootcert", "host", "port"])
        guard unknown.isEmpty else {
            throw .invalidDatabaseURL("unknown option \(unknown.sorted().joined(separator: ", "))")
        }
        if let directory = options["host"] {
            guard directory.hasPrefix("/") else { throw .invalidDatabaseURL("host= must be a socket directory") }
            socketDirectory = directory
            host = nil
        } else {
            guard let host = components.host, !host.isEmpty else {
                throw .invalidDatabaseURL("it must name a host, or a socket directory with ?host=/dir")
            }
            socketDirectory = nil
            self.host = host
        }
        let local = socketDirectory != nil || host.map(RelaySafety.isLoopback) == true
        switch options["sslmode"] ?? (local ? "disable" : "verify-full") {
        case "disable":
            guard local else { throw .databaseWithoutTLS(host ?? "") }
            security = .disable
        case "verify-full":
            guard socketDirectory == nil else { throw .invalidDatabaseURL("a Unix socket does not use TLS") }
            security = .verifyFull(rootCertificate: options["sslrootcert"])
        case let mode:
            throw .invalidDatabaseURL("sslmode=\(mode) is not offered; use verify-full (or disable on loopback)")
        }
    }

    /// The URL without its password.
    public var description: String {
        let place = host.map { "\($0.contains(":") ? "[\($0)]" : $0):\(port)" } ?? ""
        let socket = socketDirectory.map { "?host=\($0)&port=\(port)" } ?? ""
        return "postgres://\(username)@\(place)/\(database)\(socket)"
    }

    /// The client configuration postgres-nio connects with.
    func clientConfiguration() throws(RelaySetupError) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory {
            configuration = PostgresClient.Configuration(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password,
                database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch security {
            case .disable:
                tls = .disable
            case .verifyFull(let rootCertificate):
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .fullVerification
                if let rootCertificate {
                    do {
                        settings.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificate))
                    } catch {
                        throw .invalidDatabaseURL("sslrootcert cannot be read as PEM certificates")
                    }
                }
                tls = .require(settings)
            }
            configuration = PostgresClient.Configuration(
                host: host ?? "localhost", port: port, username: username, password: password, database: database,
                tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}
