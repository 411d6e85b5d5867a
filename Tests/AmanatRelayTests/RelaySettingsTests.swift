// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Testing

@testable import AmanatRelay

/// `serve`'s settings, resolved once: flag, environment, relay.json, default (issue #19).
@Suite("Relay settings")
struct RelaySettingsTests {
    static let file = RelayDataDirectory.Settings(
        organisationRoot: "root", retentionDays: 30, limits: nil, host: "10.0.0.3", port: 8100, metricsHost: "10.0.0.4",
        metricsPort: 8101, tlsCertificate: "/etc/file.crt", tlsKey: "/etc/file.key", database: "postgres://file/db")

    @Test("each setting comes from its flag, else the environment, else relay.json, else the default")
    func precedence() throws {
        let none = try RelaySettings.resolve(RelaySettings.Flags(), environment: [:], file: nil)
        #expect(none.host == "127.0.0.1" && none.port == 8787 && none.metricsHost == "127.0.0.1")
        #expect(none.metricsPort == 9787 && none.tlsCertificate == nil && none.tlsKey == nil && none.database == nil)
        #expect(!none.behindProxy && !none.publicMetrics && none.limitAssignments.isEmpty)

        let fromFile = try RelaySettings.resolve(RelaySettings.Flags(), environment: [:], file: Self.file)
        #expect(fromFile.host == "10.0.0.3" && fromFile.port == 8100 && fromFile.metricsPort == 8101)
        #expect(fromFile.tlsKey == "/etc/file.key" && fromFile.database == "postgres://file/db")

        let environment = [
            "AMANAT_RELAY_HOST": "10.1.1.1", "AMANAT_RELAY_PORT": "9000", "AMANAT_RELAY_METRICS_PORT": "0",
            "AMANAT_RELAY_TLS_CERT": "/env.crt", "AMANAT_RELAY_TLS_KEY": "/env.key", "AMANAT_RELAY_BEHIND_PROXY": "1",
            "AMANAT_RELAY_DATABASE": "postgres://env/db", "AMANAT_RELAY_LIMITS": "contactPerSecond=5,mailboxWaiters=4",
        ]
        let fromEnvironment = try RelaySettings.resolve(
            RelaySettings.Flags(), environment: environment, file: Self.file)
        #expect(fromEnvironment.host == "10.1.1.1" && fromEnvironment.port == 9000 && fromEnvironment.metricsPort == 0)
        #expect(fromEnvironment.metricsHost == "10.0.0.4" && fromEnvironment.tlsCertificate == "/env.crt")
        #expect(fromEnvironment.behindProxy && fromEnvironment.database == "postgres://env/db")

        var flags = RelaySettings.Flags()
        flags.host = "0.0.0.0"
        flags.port = 443
        flags.metricsPort = 9999
        flags.tlsCertificate = "/flag.crt"
        flags.tlsKey = "/flag.key"
        flags.limits = ["contactPerSecond=9"]
        let fromFlags = try RelaySettings.resolve(flags, environment: environment, file: Self.file)
        #expect(fromFlags.host == "0.0.0.0" && fromFlags.port == 443 && fromFlags.metricsPort == 9999)
        #expect(fromFlags.tlsCertificate == "/flag.crt" && fromFlags.tlsKey == "/flag.key")
        // The flags' limits go after the environment's, so they win when applied in order.
        #expect(fromFlags.limitAssignments == ["contactPerSecond=5", "mailboxWaiters=4", "contactPerSecond=9"])
        // A port in the environment that is not a number leaves the next source to decide.
        let garbled = try RelaySettings.resolve(
            RelaySettings.Flags(), environment: ["AMANAT_RELAY_PORT": "eighty"], file: Self.file)
        #expect(garbled.port == 8100)
    }

    @Test("ports out of range and half a TLS pair are refused with the flag's name")
    func refusals() {
        var flags = RelaySettings.Flags()
        flags.port = 70_000
        #expect(throws: RelaySettingsError.portOutOfRange("--port")) {
            try RelaySettings.resolve(flags, environment: [:], file: nil)
        }
        #expect(throws: RelaySettingsError.portOutOfRange("--metrics-port")) {
            try RelaySettings.resolve(
                RelaySettings.Flags(), environment: ["AMANAT_RELAY_METRICS_PORT": "-1"], file: nil)
        }
        var half = RelaySettings.Flags()
        half.tlsCertificate = "/only.crt"
        #expect(throws: RelaySettingsError.incompleteTLS) {
            try RelaySettings.resolve(half, environment: [:], file: nil)
        }
        // The flag's certificate with relay.json's key is a pair.
        #expect(throws: Never.self) { try RelaySettings.resolve(half, environment: [:], file: Self.file) }
        #expect(RelaySettingsError.portOutOfRange("--port").description == "--port must be 0-65535.")
        #expect(RelaySettingsError.incompleteTLS.description == "--tls-cert and --tls-key go together.")
    }

    @Test("the safety check sees the resolved settings: a public address needs TLS or a proxy, public metrics a flag")
    func safety() throws {
        var flags = RelaySettings.Flags()
        flags.host = "0.0.0.0"
        let open = try RelaySettings.resolve(flags, environment: [:], file: nil)
        #expect(throws: RelaySetupError.self) { try open.checkSafety(tls: false) }
        try open.checkSafety(tls: true)
        let proxied = try RelaySettings.resolve(flags, environment: ["AMANAT_RELAY_BEHIND_PROXY": "1"], file: nil)
        try proxied.checkSafety(tls: false)
        var metrics = RelaySettings.Flags()
        metrics.metricsHost = "0.0.0.0"
        #expect(throws: RelaySetupError.self) {
            try RelaySettings.resolve(metrics, environment: [:], file: nil).checkSafety(tls: false)
        }
        metrics.publicMetrics = true
        try RelaySettings.resolve(metrics, environment: [:], file: nil).checkSafety(tls: false)
        metrics.publicMetrics = false
        metrics.metricsPort = 0
        try RelaySettings.resolve(metrics, environment: [:], file: nil).checkSafety(tls: false)
    }

    @Test("the configuration takes relay.json's retention and limits, then the environment's, then the flags'")
    func configuration() throws {
        let root = Ed25519.PrivateKey().publicKey
        var file = Self.file
        file.organisationRoot = Base64URL.encode(root.rawRepresentation)
        file.retentionDays = 30
        file.limits = RelayLimits()
        file.limits?.values = ["contactPerSecond": 3, "mailboxWaiters": 2]
        let key = Ed25519.PrivateKey()
        let plain = try RelaySettings.resolve(RelaySettings.Flags(), environment: [:], file: file)
            .configuration((key, file))
        #expect(plain.retention == 30 * 86_400 && plain.contactRate.perSecond == 3 && plain.maximumMailboxWaiters == 2)
        #expect(plain.organisationRoot.rawRepresentation == root.rawRepresentation)
        #expect(plain.signingKey.publicKey.rawRepresentation == key.publicKey.rawRepresentation)

        var flags = RelaySettings.Flags()
        flags.limits = ["contactPerSecond=9"]
        let layered = try RelaySettings.resolve(
            flags, environment: ["AMANAT_RELAY_LIMITS": "retentionDays=7,contactPerSecond=5"], file: file
        ).configuration((key, file))
        #expect(layered.retention == 7 * 86_400 && layered.contactRate.perSecond == 9)
        #expect(layered.maximumMailboxWaiters == 2)

        flags.limits = ["retentionDays=400"]
        #expect(throws: RelaySetupError.invalidLimit("retentionDays=400.0")) {
            try RelaySettings.resolve(flags, environment: [:], file: file).configuration((key, file))
        }
        flags.limits = ["noSuchLimit=1"]
        #expect(throws: RelaySetupError.invalidLimit("noSuchLimit")) {
            try RelaySettings.resolve(flags, environment: [:], file: file).configuration((key, file))
        }
        file.organisationRoot = "not a key"
        #expect(throws: RelaySetupError.invalidSettings) {
            try RelaySettings.resolve(RelaySettings.Flags(), environment: [:], file: file).configuration((key, file))
        }
    }
}
