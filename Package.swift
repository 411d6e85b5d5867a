// swift-tools-version: 6.1
// SPDX-License-Identifier: AGPL-3.0-or-later

import PackageDescription

/// Our own targets build with warnings as errors, so a warning can never land ("no warnings in
/// our code"); dependencies keep their own settings.
let ourSwiftSettings: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

let package = Package(
    name: "Amanat",
    platforms: [.macOS(.v15)],
    products: [
        // libsodium itself, for the benchmarks' reference calls (Benchmarks/ is a package of its own).
        .library(name: "CSodium", targets: ["CSodium"]),
        .library(name: "AmanatCrypto", targets: ["AmanatCrypto"]),
        .library(name: "AmanatProtocol", targets: ["AmanatProtocol"]),
        .library(name: "AmanatProtocolVectors", targets: ["AmanatProtocolVectors"]),
        .library(name: "AmanatRelay", targets: ["AmanatRelay"]),
        .library(name: "AmanatClient", targets: ["AmanatClient"]),
        .executable(name: "amanat", targets: ["amanat"]),
        .executable(name: "amanat-inbox", targets: ["amanat-inbox"]),
        .executable(name: "amanat-relay", targets: ["amanat-relay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Tests only: reads Protocol/openapi.yaml to check the relay API's types against it.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // MARK: - C at the edge
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        // memfd_create(2) for files that must never reach a disk (web uploads).
        .systemLibrary(name: "CMemoryFile"),
        // QR codes in the terminal for invites and safety numbers.
        .systemLibrary(
            name: "CQRencode",
            pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]
        ),
        // Line editing for the interactive shells (history in memory only).
        .systemLibrary(
            // Not through pkg-config: readline.pc's flags (-D_XOPEN_SOURCE) are ones SwiftPM refuses.
            name: "CReadline",
            providers: [.apt(["libreadline-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // MARK: - Libraries
        .target(
            name: "AmanatCrypto",
            dependencies: [
                "CSodium",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: ourSwiftSettings
        ),

        .target(
            name: "AmanatProtocol",
            dependencies: ["AmanatCrypto"],
            swiftSettings: ourSwiftSettings
        ),

        .target(
            name: "AmanatRelay",
            dependencies: [
                "AmanatProtocol",
                "AmanatCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: ourSwiftSettings
        ),

        // The client library both apps are built on (DESIGN §5).
        .target(
            name: "AmanatClient",
            dependencies: [
                "AmanatProtocol",
                "AmanatCrypto",
                "CCurl",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: ourSwiftSettings
        ),

        // What the terminal tools share: passphrase prompts, progress bars, languages.
        .target(
            name: "AmanatTerminal",
            dependencies: [
                "AmanatClient", "AmanatProtocol", "AmanatCrypto", "CReadline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: ourSwiftSettings
        ),
        // The defender's terminal client: commands, strings in English and Russian.
        .target(
            name: "AmanatDefender",
            dependencies: [
                "AmanatTerminal",
                "AmanatClient",
                "AmanatProtocol",
                "AmanatCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: ourSwiftSettings
        ),
        .executableTarget(
            name: "amanat",
            dependencies: ["AmanatDefender"],
            swiftSettings: ourSwiftSettings
        ),
        // The experts' inbox and the organisation's administration: the CLI and its local web UI.
        .target(
            name: "AmanatInbox",
            dependencies: [
                "AmanatTerminal",
                "AmanatClient",
                "AmanatProtocol",
                "AmanatCrypto",
                "CQRencode",
                "CMemoryFile",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: ourSwiftSettings
        ),
        .executableTarget(
            name: "amanat-inbox",
            dependencies: ["AmanatInbox"],
            swiftSettings: ourSwiftSettings
        ),

        // Test-vector generation, shared by `amanat-vectors` and the protocol tests.
        .target(
            name: "AmanatProtocolVectors",
            dependencies: ["AmanatProtocol", "AmanatCrypto"],
            swiftSettings: ourSwiftSettings
        ),
        .executableTarget(
            name: "amanat-relay",
            dependencies: [
                "AmanatRelay",
                "AmanatCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: ourSwiftSettings
        ),
        // Release signing: SHA256SUMS signed with an Ed25519 key in signify's format (scripts/release-sign).
        .target(
            name: "AmanatRelease",
            dependencies: ["AmanatCrypto", "AmanatProtocol", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: ourSwiftSettings
        ),
        .executableTarget(
            name: "amanat-release",
            dependencies: [
                "AmanatRelease", "AmanatTerminal", "AmanatCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: ourSwiftSettings
        ),
        .executableTarget(
            name: "amanat-vectors",
            dependencies: ["AmanatProtocolVectors"],
            swiftSettings: ourSwiftSettings
        ),

        // MARK: - Tests
        .testTarget(
            name: "AmanatCryptoTests",
            dependencies: [
                "AmanatCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Vectors")],
            swiftSettings: ourSwiftSettings
        ),
        .testTarget(
            name: "AmanatProtocolTests",
            dependencies: [
                "AmanatProtocol", "AmanatCrypto", "AmanatProtocolVectors",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: ourSwiftSettings
        ),
        .testTarget(
            name: "AmanatRelayTests",
            dependencies: [
                "AmanatRelay", "AmanatProtocol", "AmanatCrypto", "AmanatProtocolVectors", "AmanatTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: ourSwiftSettings
        ),
        // Helpers the test targets share (processes, loopback ports, a live relay, a test
        // organisation); not shipped.
        .target(
            name: "AmanatTestSupport",
            dependencies: ["AmanatClient", "AmanatProtocol", "AmanatCrypto"],
            path: "Tests/AmanatTestSupport",
            swiftSettings: ourSwiftSettings
        ),
        .testTarget(
            name: "AmanatClientTests",
            dependencies: [
                "AmanatClient", "AmanatRelay", "AmanatProtocol", "AmanatProtocolVectors", "AmanatCrypto",
                "AmanatTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: ourSwiftSettings
        ),
        .testTarget(
            name: "AmanatDefenderTests",
            dependencies: [
                "AmanatDefender", "AmanatTerminal", "AmanatClient", "AmanatProtocol", "AmanatCrypto",
                "AmanatTestSupport",
            ],
            swiftSettings: ourSwiftSettings
        ),
        .testTarget(
            name: "AmanatInboxTests",
            dependencies: [
                "AmanatInbox", "AmanatDefender", "AmanatTerminal", "AmanatClient", "AmanatProtocol", "AmanatCrypto",
                "AmanatTestSupport",
            ],
            swiftSettings: ourSwiftSettings
        ),
        .testTarget(
            name: "AmanatReleaseTests",
            dependencies: ["AmanatRelease", "AmanatCrypto"],
            swiftSettings: ourSwiftSettings
        ),
        .testTarget(
            name: "CCurlTests",
            dependencies: ["CCurl"],
            swiftSettings: ourSwiftSettings
        ),
    ]
)
