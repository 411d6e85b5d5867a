// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// Where and how `amanat-relay serve` runs, resolved once: each setting from its flag, else its
/// environment variable (`AMANAT_RELAY_<NAME>`), else the data directory's `relay.json`, else the
/// default. The executable only parses its flags and hands them here.
public struct RelaySettings: Sendable, Equatable {
    /// What the command line gave: nil, false or empty where it gave nothing.
    public struct Flags: Sendable, Equatable {
        public var host: String?
        public var port: Int?
        public var metricsHost: String?
        public var metricsPort: Int?
        public var tlsCertificate: String?
        public var tlsKey: String?
        public var database: String?
        public var behindProxy = false
        public var publicMetrics = false
        /// `NAME=VALUE` limit assignments, in order.
        public var limits: [String] = []

        public init() {}
    }

    public let host: String
    public let port: Int
    public let metricsHost: String
    /// 0 turns the metrics listener off.
    public let metricsPort: Int
    /// PEM files for serving HTTPS directly: both or neither.
    public let tlsCertificate: String?
    public let tlsKey: String?
    /// A PostgreSQL URL (``PostgresDatabaseURL``), unparsed.
    public let database: String?
    /// A TLS reverse proxy or an onion service is in front (plain HTTP on a public address is allowed).
    public let behindProxy: Bool
    public let publicMetrics: Bool
    /// Limit assignments to apply over `relay.json`'s limits: the environment's, then the flags'.
    public let limitAssignments: [String]

    /// The settings from `flags`, then `environment`, then `file` (`relay.json`, when it could be
    /// read), then the defaults (127.0.0.1:8787, metrics on 127.0.0.1:9787).
    ///
    /// - Throws: ``RelaySettingsError`` for a port out of range or half a TLS pair.
    public static func resolve(
        _ flags: Flags, environment: [String: String], file: RelayDataDirectory.Settings?
    ) throws(RelaySettingsError) -> RelaySettings {
        let port = flags.port ?? environment["AMANAT_RELAY_PORT"].flatMap(Int.init) ?? file?.port ?? 8787
        guard (0...65_535).contains(port) else { throw .portOutOfRange("--port") }
        let metricsPort =
            flags.metricsPort ?? environment["AMANAT_RELAY_METRICS_PORT"].flatMap(Int.init) ?? file?.metricsPort ?? 9787
        guard (0...65_535).contains(metricsPort) else { throw .portOutOfRange("--metrics-port") }
        let certificate = flags.tlsCertificate ?? environment["AMANAT_RELAY_TLS_CERT"] ?? file?.tlsCertificate
        let key = flags.tlsKey ?? environment["AMANAT_RELAY_TLS_KEY"] ?? file?.tlsKey
        guard (certificate == nil) == (key == nil) else { throw .incompleteTLS }
        return RelaySettings(
            host: flags.host ?? environment["AMANAT_RELAY_HOST"] ?? file?.host ?? "127.0.0.1", port: port,
            metricsHost: flags.metricsHost ?? environment["AMANAT_RELAY_METRICS_HOST"] ?? file?.metricsHost
                ?? "127.0.0.1",
            metricsPort: metricsPort, tlsCertificate: certificate, tlsKey: key,
            database: flags.database ?? environment["AMANAT_RELAY_DATABASE"] ?? file?.database,
            behindProxy: flags.behindProxy || environment["AMANAT_RELAY_BEHIND_PROXY"] == "1",
            publicMetrics: flags.publicMetrics,
            limitAssignments: (environment["AMANAT_RELAY_LIMITS"].map { $0.split(separator: ",").map(String.init) }
                ?? []) + flags.limits)
    }

    /// The relay's configuration from its data directory's contents (relay key, organisation root,
    /// retention and limits of `relay.json`) with ``limitAssignments`` applied over them.
    ///
    /// - Throws: ``RelaySetupError/invalidSettings`` for a root key that does not decode,
    ///   ``RelaySetupError/invalidLimit(_:)`` for a limit that is unknown or out of range.
    public func configuration(
        _ contents: (signingKey: Ed25519.PrivateKey, settings: RelayDataDirectory.Settings)
    ) throws(RelaySetupError) -> RelayConfiguration {
        guard let root = RelayDataDirectory.organisationRootKey(contents.settings) else { throw .invalidSettings }
        var configuration = RelayConfiguration(signingKey: contents.signingKey, organisationRoot: root)
        configuration.retention = UInt64(contents.settings.retentionDays) * 86_400
        var limits = contents.settings.limits ?? RelayLimits()
        try limits.assign(limitAssignments)
        try limits.apply(to: &configuration)
        return configuration
    }

    /// The TLS identity the settings name, loaded; nil for plain HTTP.
    public func loadTLS() throws(RelaySetupError) -> RelayTLS? {
        guard let tlsCertificate, let tlsKey else { return nil }
        return try RelayTLS(certificatePath: tlsCertificate, keyPath: tlsKey)
    }

    /// Throws the first unsafe combination (``RelaySafety``): plain HTTP on a public address
    /// without a proxy in front, metrics on a public address without being told.
    public func checkSafety(tls: Bool) throws(RelaySetupError) {
        try RelaySafety.check(
            host: host, tls: tls, behindProxy: behindProxy, metricsHost: metricsPort == 0 ? nil : metricsHost,
            publicMetrics: publicMetrics)
    }
}

/// Why the relay's settings do not make sense together.
public enum RelaySettingsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The port named by the flag (or what stands for it) is not 0-65535.
    case portOutOfRange(String)
    /// A TLS certificate without its key, or a key without its certificate.
    case incompleteTLS

    public var description: String {
        switch self {
        case .portOutOfRange(let flag): "\(flag) must be 0-65535."
        case .incompleteTLS: "--tls-cert and --tls-key go together."
        }
    }
}
