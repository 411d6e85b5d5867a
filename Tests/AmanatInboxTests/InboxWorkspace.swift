// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatTestSupport
import Foundation

/// A scratch folder of expert profiles, and the real `amanat-inbox` run on them with each
/// profile's passphrase ("passphrase for <profile>") on standard input.
struct InboxWorkspace {
    let folder: URL

    init(_ name: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Runs `amanat-inbox` on `profile`, in `lang` (nil: the default the environment gives).
    func inbox(_ profile: String, _ arguments: [String], lang: String? = "en") async throws -> Run {
        try await runTool(
            "amanat-inbox",
            arguments + ["--profile", folder.appendingPathComponent(profile).path, "--passphrase-fd", "0"]
                + (lang.map { ["--lang", $0] } ?? []),
            input: "passphrase for \(profile)\n")
    }
}
