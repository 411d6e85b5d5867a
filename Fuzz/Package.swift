// swift-tools-version: 6.1
// SPDX-License-Identifier: AGPL-3.0-or-later

// libFuzzer targets for every decoder of the protocol. Built apart from the main package because
// `swift build --sanitize=fuzzer` instruments every target it builds: see Fuzz/run.

import PackageDescription

let fuzzTargets = ["FuzzEnvelope", "FuzzPayload", "FuzzBundle", "FuzzSessionState", "FuzzSessionMessage"]

let package = Package(
    name: "AmanatFuzz",
    platforms: [.macOS(.v15)],
    products: fuzzTargets.map { .executable(name: $0, targets: [$0]) },
    dependencies: [.package(name: "Amanat", path: "..")],
    targets: fuzzTargets.map {
        .executableTarget(
            name: $0,
            dependencies: [
                .product(name: "AmanatProtocol", package: "Amanat"),
                .product(name: "AmanatCrypto", package: "Amanat"),
                .product(name: "AmanatProtocolVectors", package: "Amanat"),
            ]
        )
    }
)
