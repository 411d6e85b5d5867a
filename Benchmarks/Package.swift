// swift-tools-version: 6.1
// SPDX-License-Identifier: AGPL-3.0-or-later

// The benchmarks, a package of their own (as swift-nio keeps its own): a plain build or test of
// Amanat neither resolves nor builds package-benchmark, and the benchmarks build Amanat's
// libraries as a dependency. Run them from here: `swift package benchmark`, or through
// scripts/benchmark-ratios and Benchmarks/relay-load.

import PackageDescription

/// Warnings are errors here too, as in the main package.
let ourSwiftSettings: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

let package = Package(
    name: "AmanatBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Amanat", path: ".."),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        // The default traits pull in a runtime interposer that the package mirror does not carry.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        benchmark("CryptoBenchmarks", ["AmanatCrypto"]),
        benchmark("ClientBenchmarks", ["AmanatClient", "AmanatCrypto"]),
        benchmark(
            "ProtocolBenchmarks", ["AmanatProtocol", "AmanatProtocolVectors", "AmanatCrypto"],
            [.product(name: "Crypto", package: "swift-crypto")]),
        // The relay's load benchmark driver (Benchmarks/relay-load runs it with wrk and nginx).
        .executableTarget(
            name: "relay-load",
            dependencies: [
                .product(name: "AmanatRelay", package: "Amanat"),
                .product(name: "AmanatProtocol", package: "Amanat"),
                .product(name: "AmanatCrypto", package: "Amanat"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "WSClient", package: "swift-websocket"),
            ],
            path: "RelayLoad",
            swiftSettings: ourSwiftSettings
        ),
    ]
)

/// A package-benchmark target in the folder of its name: Amanat's `libraries` and libsodium (the
/// reference calls), plus `others`.
func benchmark(_ name: String, _ libraries: [String], _ others: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: libraries.map { .product(name: $0, package: "Amanat") } + others + [
            .product(name: "CSodium", package: "Amanat"), .product(name: "Benchmark", package: "benchmark"),
        ],
        path: name,
        swiftSettings: ourSwiftSettings,
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
