// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatTestSupport
import Foundation
import Testing

/// A scratch folder of expert profiles, and the real `amanat-inbox` run on them with each
/// profile's passphrase ("passphrase for <profile>") on standard input.
struct InboxWorkspace {
    let folder: URL

    init(_ name: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Runs `amanat` on the defender profile `defender` in this folder, in Russian, with its
    /// passphrase ("пароль <defender>") on standard input.
    func amanat(_ defender: String, _ arguments: [String]) async throws -> Run {
        try await runTool(
            "amanat",
            arguments + [
                "--profile", folder.appendingPathComponent(defender).path, "--passphrase-fd", "0", "--lang", "ru",
            ], input: "пароль \(defender)\n")
    }

    /// The JSON list a command printed (`--json`).
    static func list(_ run: Run) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]], "\(run)")
    }

    /// The start of every expert-side scenario: `org init` on `admin`'s profile, a relay that
    /// trusts the new organisation root, and `org connect` as `name`, the first expert. The two
    /// runs are returned for the tests that check what they print.
    func startOrganisation(admin: String, name: String, lang: String? = "en") async throws -> StartedOrganisation {
        let created = try await inbox(admin, ["org", "init"], lang: lang)
        let line = try #require(created.output.split(separator: "\n").dropFirst().first, "\(created)")
        let root = try Ed25519.PublicKey(rawRepresentation: try #require(Base64URL.decode(String(line))))
        let relay = try LiveRelay(organisationRoot: root)
        try await relay.start()
        let connected = try await inbox(admin, ["org", "connect", "--relay", relay.url, "--name", name], lang: lang)
        return StartedOrganisation(relay: relay, root: root, created: created, connected: connected)
    }

    /// Runs `amanat-inbox` on `profile`, in `lang` (nil: the default the environment gives).
    func inbox(_ profile: String, _ arguments: [String], lang: String? = "en") async throws -> Run {
        try await runTool(
            "amanat-inbox",
            arguments + ["--profile", folder.appendingPathComponent(profile).path, "--passphrase-fd", "0"]
                + (lang.map { ["--lang", $0] } ?? []),
            input: "passphrase for \(profile)\n")
    }
}

/// What ``InboxWorkspace/startOrganisation(admin:name:lang:)`` made.
struct StartedOrganisation {
    let relay: LiveRelay
    let root: Ed25519.PublicKey
    /// The `org init` and `org connect` runs.
    let created: Run
    let connected: Run
}

extension InboxWorkspace {
    /// `amanat-inbox serve` on `profile`, on a free port, with its one-time login link; stop it
    /// with `interrupt()`.
    func serve(_ profile: String) async throws -> (process: Process, login: String) {
        let serve = Process()
        serve.executableURL = LiveRelay.binary.deletingLastPathComponent().appendingPathComponent("amanat-inbox")
        serve.arguments = [
            "serve", "--port", "0", "--sync-every", "0", "--profile", folder.appendingPathComponent(profile).path,
            "--passphrase-fd", "0", "--lang", "en",
        ]
        serve.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C"]
        let input = Pipe()
        let output = Pipe()
        serve.standardInput = input
        serve.standardOutput = output
        serve.standardError = output
        try serve.run()
        input.fileHandleForWriting.offer(Data("passphrase for \(profile)\n".utf8))
        do {
            return (serve, try await InboxWebTests.loginURL(from: output.fileHandleForReading))
        } catch {
            serve.interrupt()
            throw error
        }
    }
}

extension InboxWorkspace {
    /// The bytes of every file of `profile` (the databases and their write-ahead logs).
    func profileBytes(_ profile: String) -> Int {
        let directory = folder.appendingPathComponent(profile)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.reduce(0) { total, name in
            let path = directory.appendingPathComponent(name).path
            return total + ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0)
        }
    }

    /// Runs `amanat-inbox` on `profile` and kills it with SIGKILL as soon as its files have grown
    /// by `growth` bytes (it has committed that much), if it is still running then. Returns
    /// whether it was killed, and its exit status otherwise.
    func inbox(_ profile: String, _ arguments: [String], killAfterGrowing growth: Int) async throws -> (
        killed: Bool, status: Int32
    ) {
        let process = Process()
        process.executableURL = LiveRelay.binary.deletingLastPathComponent().appendingPathComponent("amanat-inbox")
        process.arguments =
            arguments + ["--profile", folder.appendingPathComponent(profile).path, "--passphrase-fd", "0"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let before = profileBytes(profile)
        try process.run()
        input.fileHandleForWriting.offer(Data("passphrase for \(profile)\n".utf8))
        try input.fileHandleForWriting.close()
        var killed = false
        while process.isRunning {
            if profileBytes(profile) - before >= growth {
                kill(process.processIdentifier, SIGKILL)
                killed = true
                break
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        while process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        return (killed && process.terminationReason == .uncaughtSignal, process.terminationStatus)
    }
}
