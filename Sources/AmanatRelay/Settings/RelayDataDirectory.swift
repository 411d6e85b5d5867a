// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation

/// The relay's data directory: its signing key (`relay.key`, mode 0600), its settings
/// (`relay.json`) and the SQLite database. Created by `amanat-relay init`.
public struct RelayDataDirectory: Sendable {
    /// The directory.
    public let url: URL

    /// What `relay.json` holds.
    public struct Settings: Codable, Sendable, Equatable {
        /// The organisation root public key, base64url: it signs mailbox vouchers.
        public var organisationRoot: String
        /// Days an unacknowledged envelope is kept.
        public var retentionDays: Int
        /// Limits that differ from the defaults, by name (``RelayLimits``); absent means none.
        public var limits: RelayLimits?
        /// Where `serve` listens when neither a flag nor the environment says (127.0.0.1:8787).
        public var host: String?
        public var port: Int?
        /// The metrics listener (127.0.0.1:9787; port 0 turns it off).
        public var metricsHost: String?
        public var metricsPort: Int?
        /// PEM files for serving HTTPS directly.
        public var tlsCertificate: String?
        public var tlsKey: String?
        /// A PostgreSQL URL to keep envelopes in instead of `relay.sqlite` (``PostgresDatabaseURL``).
        public var database: String?
    }

    /// A directory at `url` (not checked until used).
    public init(url: URL) {
        self.url = url
    }

    var keyURL: URL { url.appendingPathComponent("relay.key") }
    var settingsURL: URL { url.appendingPathComponent("relay.json") }
    /// The SQLite database's path.
    public var databasePath: String { url.appendingPathComponent("relay.sqlite").path }

    /// Creates the directory (mode 0700), a new relay signing key and the settings.
    ///
    /// - Throws: ``RelaySetupError`` if the directory was already initialised or cannot be written.
    public func initialise(organisationRoot: Ed25519.PublicKey, retentionDays: Int = 30) throws(RelaySetupError) {
        guard retentionDays >= 1 && retentionDays <= 365 else { throw .invalidSettings }
        guard !FileManager.default.fileExists(atPath: keyURL.path) else { throw .alreadyInitialised }
        do {
            try FileManager.default.createDirectory(
                at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let key = Ed25519.PrivateKey()
            let seed = key.seed.withUnsafeBytes { Data($0) }
            guard
                FileManager.default.createFile(
                    atPath: keyURL.path, contents: seed, attributes: [.posixPermissions: 0o600])
            else { throw RelaySetupError.unwritable }
            let settings = Settings(
                organisationRoot: Base64URL.encode(organisationRoot.rawRepresentation), retentionDays: retentionDays)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(settings).write(to: settingsURL, options: .withoutOverwriting)
        } catch let error as RelaySetupError {
            throw error
        } catch {
            throw .unwritable
        }
    }

    /// Reads the signing key and settings.
    public func load() throws(RelaySetupError) -> (signingKey: Ed25519.PrivateKey, settings: Settings) {
        guard FileManager.default.fileExists(atPath: keyURL.path) else { throw .notInitialised }
        guard let seed = FileManager.default.contents(atPath: keyURL.path),
            let settingsData = FileManager.default.contents(atPath: settingsURL.path)
        else { throw .unreadable }
        guard seed.count == Ed25519.seedByteCount,
            let key = try? Ed25519.PrivateKey(seed: SecureBytes(copying: seed)),
            let settings = try? JSONDecoder().decode(Settings.self, from: settingsData),
            (1...365).contains(settings.retentionDays), Self.organisationRootKey(settings) != nil
        else { throw .invalidSettings }
        return (key, settings)
    }

    /// The organisation root key the settings name.
    public static func organisationRootKey(_ settings: Settings) -> Ed25519.PublicKey? {
        Base64URL.decode(settings.organisationRoot).flatMap { try? Ed25519.PublicKey(rawRepresentation: $0) }
    }
}

/// Why the relay cannot start, in words an operator can act on.
public enum RelaySetupError: Error, Equatable, Sendable, CustomStringConvertible {
    case alreadyInitialised
    case notInitialised
    case unreadable
    case unwritable
    case invalidSettings
    case invalidLimit(String)
    case invalidTLS
    /// Serving in clear on an address other hosts can reach.
    case publicWithoutTLS(String)
    /// Metrics on an address other hosts can reach.
    case publicMetrics(String)
    /// The `--database` URL cannot be used; the text says why (never the password).
    case invalidDatabaseURL(String)
    /// A plain connection to a database on another machine.
    case databaseWithoutTLS(String)
    /// The database could not be reached or its schema brought up to date.
    case databaseUnavailable
    /// Another program listens on the address and port.
    case portInUse(String, Int)

    public var description: String {
        switch self {
        case .alreadyInitialised: "the data directory is already initialised; it keeps its relay key"
        case .notInitialised: "the data directory is not initialised; run `amanat-relay init` first"
        case .unreadable: "the relay key or settings cannot be read; check the files' owner and permissions"
        case .unwritable: "the data directory cannot be written"
        case .invalidSettings: "relay.json or relay.key is damaged or has a value out of range"
        case .invalidTLS:
            "the TLS certificate or key cannot be read or parsed; give PEM files (leaf certificate first)"
        case .invalidLimit(let text):
            "unknown limit or value out of range: \(text); `amanat-relay serve --help` lists the limits"
        case .publicWithoutTLS(let host):
            "refusing to serve plain HTTP on \(host), which other machines can reach: give --tls-cert and "
                + "--tls-key, or --behind-proxy when a TLS reverse proxy or a Tor onion service is in front"
        case .publicMetrics(let host):
            "refusing to serve metrics on \(host), which other machines can reach: keep them on 127.0.0.1 "
                + "(scrape through SSH or the local network namespace), or give --public-metrics on purpose"
        case .invalidDatabaseURL(let reason):
            "the --database URL cannot be used: \(reason) (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
                + "[?sslmode=verify-full|disable&sslrootcert=FILE&host=/socket/dir&port=PORT])"
        case .databaseWithoutTLS(let host):
            "refusing a plain connection to the database on \(host), which is another machine: use "
                + "sslmode=verify-full (the default there), or run PostgreSQL on loopback or a Unix socket"
        case .portInUse(let host, let port):
            "\(host):\(port) is in use by another program; choose another with --port (or stop the other relay)"
        case .databaseUnavailable:
            "the database cannot be reached or its schema brought up to date; check that PostgreSQL runs, "
                + "the URL, the user's rights, and the server's log"
        }
    }
}

/// Refuses settings that would expose the relay (issue #9): plain HTTP on a reachable address
/// unless a TLS proxy or onion service is declared in front, and metrics on a reachable address
/// unless asked for.
public enum RelaySafety {
    /// Whether `host` is a loopback address (names included).
    public static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Throws the first unsafe combination found.
    public static func check(
        host: String, tls: Bool, behindProxy: Bool, metricsHost: String?, publicMetrics: Bool
    ) throws(RelaySetupError) {
        if !isLoopback(host) && !tls && !behindProxy { throw .publicWithoutTLS(host) }
        if let metricsHost, !isLoopback(metricsHost), !publicMetrics { throw .publicMetrics(metricsHost) }
    }
}
