// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatRelay
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus

/// `amanat-relay`: set up and run the relay. Every option also reads `AMANAT_RELAY_<NAME>`.
@main
struct AmanatRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amanat-relay",
        abstract: "The Amanat relay: mailboxes that hold only ciphertext.",
        version: AmanatVersion.current,
        subcommands: [Initialise.self, Serve.self, Fingerprint.self])
}

/// The TLS certificate and key, for serving HTTPS directly.
struct TLSOptions: ParsableArguments {
    @Option(help: "TLS certificate chain, PEM, leaf first (env AMANAT_RELAY_TLS_CERT). With --tls-key: serve HTTPS.")
    var tlsCert: String?

    @Option(help: "TLS private key, PEM (env AMANAT_RELAY_TLS_KEY).")
    var tlsKey: String?
}

extension RelaySettings {
    /// The settings from these flags, the environment and `file`, or the usage error saying why not.
    static func resolve(_ flags: Flags, file: RelayDataDirectory.Settings?) throws -> RelaySettings {
        do {
            return try resolve(flags, environment: ProcessInfo.processInfo.environment, file: file)
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// Options shared by the subcommands.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "The data directory (env AMANAT_RELAY_DATA; default ./amanat-relay-data).")
    var data: String?

    var directory: RelayDataDirectory {
        let path = data ?? ProcessInfo.processInfo.environment["AMANAT_RELAY_DATA"] ?? "amanat-relay-data"
        return RelayDataDirectory(url: URL(fileURLWithPath: path, isDirectory: true))
    }
}

extension AmanatRelayCommand {
    struct Initialise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init", abstract: "Create the data directory with a new relay key and the settings.")

        @OptionGroup var options: DataOptions

        @Option(help: "The organisation root public key, base64url (env AMANAT_RELAY_ORGANISATION_ROOT).")
        var organisationRoot: String?

        @Option(help: "Days an unacknowledged envelope is kept, 1-365 (default 30).")
        var retentionDays: Int = 30

        func run() async throws {
            guard
                let text = organisationRoot ?? ProcessInfo.processInfo.environment["AMANAT_RELAY_ORGANISATION_ROOT"],
                let key = Base64URL.decode(text).flatMap({ try? Ed25519.PublicKey(rawRepresentation: $0) })
            else {
                throw ValidationError(
                    "--organisation-root must be the organisation's 32-byte public key in base64url "
                        + "(write --organisation-root=KEY: a key may start with -).")
            }
            do {
                try options.directory.initialise(organisationRoot: key, retentionDays: retentionDays)
                print("Initialised \(options.directory.url.path)")
                print("Relay key: \(try RelayServer.fingerprint(of: options.directory))")
            } catch let error as RelaySetupError {
                throw relayExit(error)
            }
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the relay until SIGINT or SIGTERM, then shut down gracefully.")

        @OptionGroup var options: DataOptions

        @Option(help: "Address to listen on (env AMANAT_RELAY_HOST; default 127.0.0.1).")
        var host: String?

        @Option(help: "Port to listen on (env AMANAT_RELAY_PORT; default 8787).")
        var port: Int?

        @Option(help: "Log level: critical, error, warning, notice, info, debug (default notice).")
        var logLevel: String = "notice"

        @OptionGroup var tlsOptions: TLSOptions

        @Flag(
            help: ArgumentHelp(
                "A TLS reverse proxy (Caddy) or a Tor onion service is in front: allow plain HTTP on a non-loopback "
                    + "address (env AMANAT_RELAY_BEHIND_PROXY=1)."))
        var behindProxy = false

        @Flag(help: "Allow the metrics listener on a non-loopback address.")
        var publicMetrics = false

        @Option(help: "Metrics listener address (env AMANAT_RELAY_METRICS_HOST; default 127.0.0.1).")
        var metricsHost: String?

        @Option(
            help: "Metrics listener port, GET /metrics; 0 turns it off (env AMANAT_RELAY_METRICS_PORT; default 9787).")
        var metricsPort: Int?

        @Option(
            help: ArgumentHelp(
                "Keep envelopes in PostgreSQL instead of the data directory's SQLite file, so several instances "
                    + "(each with a copy of the data directory) can share them: postgres://USER[:PASSWORD]@HOST[:PORT]"
                    + "/DATABASE[?sslmode=verify-full|disable&sslrootcert=FILE&host=/socket/dir&port=PORT] (env "
                    + "AMANAT_RELAY_DATABASE, which keeps a password out of the process list)."))
        var database: String?

        @Option(
            name: .customLong("limit"),
            help: ArgumentHelp(
                "Override a limit, NAME=VALUE; repeatable. Also `limits` in relay.json and env AMANAT_RELAY_LIMITS "
                    + "(comma-separated); flags win over the environment, which wins over the file.",
                discussion: "Limits (default): " + RelayLimits.help + "."))
        var limits: [String] = []

        func run() async throws {
            var flags = RelaySettings.Flags()
            flags.host = host
            flags.port = port
            flags.metricsHost = metricsHost
            flags.metricsPort = metricsPort
            flags.tlsCertificate = tlsOptions.tlsCert
            flags.tlsKey = tlsOptions.tlsKey
            flags.database = database
            flags.behindProxy = behindProxy
            flags.publicMetrics = publicMetrics
            flags.limits = limits
            // Read once: its settings fill in what flags and environment leave open here, and its
            // error (not initialised, unreadable) is reported below, in its turn.
            let loaded = Result { () throws(RelaySetupError) in try options.directory.load() }
            let settings = try RelaySettings.resolve(flags, file: try? loaded.get().settings)
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw ValidationError("--log-level must be one of critical, error, warning, notice, info, debug.")
            }
            var logger = Logger(label: "amanat-relay")
            logger.logLevel = level
            do {
                var metrics: (registry: PrometheusCollectorRegistry, host: String, port: Int)?
                if settings.metricsPort != 0 {
                    let registry = PrometheusCollectorRegistry()
                    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
                    metrics = (registry, settings.metricsHost, settings.metricsPort)
                }
                let tls = try settings.loadTLS()
                try settings.checkSafety(tls: tls != nil)
                let database = try settings.database.map { try PostgresDatabaseURL($0) }
                let (host, port) = (settings.host, settings.port)
                let contents = try loaded.get()
                let configuration = try settings.configuration(contents)
                // Said once the port is really ours.
                var lines = ["Relay key: \(RelayServer.fingerprint(of: contents.signingKey))"]
                if let tls { lines.append("TLS pin for invites: \(tls.pin)") }
                lines.append("Listening on \(host):\(port)\(tls == nil ? "" : " (HTTPS)")")
                if let metrics { lines.append("Metrics on \(metrics.host):\(metrics.port)/metrics") }
                lines.append("Envelopes in \(database.map(\.description) ?? options.directory.databasePath)")
                let startup = lines
                let application = try await RelayServer.application(
                    configuration: configuration, dataDirectory: options.directory, host: host, port: port,
                    metrics: metrics, tls: tls, database: database, logger: logger,
                    onRunning: {
                        print(startup.joined(separator: "\n"))
                        fflush(nil)
                    })
                do {
                    try await application.runService()
                } catch let error as IOError where error.errnoCode == EADDRINUSE {
                    throw RelaySetupError.portInUse(host, port)
                }
            } catch let error as RelaySetupError {
                throw relayExit(error)
            }
        }
    }

    struct Fingerprint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the relay's public key for invites (and, with --tls-cert/--tls-key, its TLS pin).")

        @OptionGroup var options: DataOptions
        @OptionGroup var tlsOptions: TLSOptions

        func run() async throws {
            // The TLS pair from the flags or the environment only, as before relay.json held one.
            var flags = RelaySettings.Flags()
            flags.tlsCertificate = tlsOptions.tlsCert
            flags.tlsKey = tlsOptions.tlsKey
            let settings = try RelaySettings.resolve(flags, file: nil)
            do {
                print(try RelayServer.fingerprint(of: options.directory))
                if let tls = try settings.loadTLS() { print(tls.pin) }
            } catch let error as RelaySetupError {
                throw relayExit(error)
            }
        }
    }
}

/// Prints a setup error for the operator and exits with code 2, without a stack trace.
func relayExit(_ error: RelaySetupError) -> ExitCode {
    FileHandle.standardError.write(Data("amanat-relay: \(error)\n".utf8))
    return ExitCode(2)
}
