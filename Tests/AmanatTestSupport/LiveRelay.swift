// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatProtocol
import Foundation

/// A real `amanat-relay` executable, run as a child process on a free loopback port, with its
/// metrics on another: the one harness for every test that needs a live relay.
public final class LiveRelay: @unchecked Sendable {
    public let directory: URL
    public let port: Int
    public let metricsPort: Int
    /// The organisation root the relay trusts, unless it was made with another
    /// (``init(organisationRoot:)``).
    public let root: Ed25519.PrivateKey
    private let lock = NSLock()
    private var process: Process?

    /// The relay binary, beside the test bundle.
    public static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "amanat-relay")
    }

    /// Initialises a data directory; `prepare` may add files (a certificate) before `start`.
    public convenience init() throws {
        try self.init(organisationRoot: nil)
    }

    /// A relay that trusts `organisationRoot` (whose private key lives elsewhere, in an
    /// organisation profile) instead of ``root``.
    public init(organisationRoot: Ed25519.PublicKey?) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-relay-\(UUID().uuidString)")
        port = try freeLoopbackPort()
        metricsPort = try freeLoopbackPort()
        root = Ed25519.PrivateKey()
        let key = organisationRoot ?? root.publicKey
        let run = try runToolBlocking(
            "amanat-relay",
            ["init", "--data", directory.path, "--organisation-root=" + Base64URL.encode(key.rawRepresentation)])
        guard run.status == 0 else {
            // Say why, so that a failure on a loaded CI machine can be understood from its log.
            print("amanat-relay init failed: \(run)")
            throw LiveRelayError.didNotStart
        }
    }

    /// A second instance of `other`: a copy of its data directory (same relay key and settings),
    /// as an operator deploys one.
    public init(sharing other: LiveRelay) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-relay-\(UUID().uuidString)")
        port = try freeLoopbackPort()
        metricsPort = try freeLoopbackPort()
        root = other.root
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in ["relay.key", "relay.json"] {
            try FileManager.default.copyItem(
                at: other.directory.appendingPathComponent(file), to: directory.appendingPathComponent(file))
        }
    }

    /// Where `serve` writes its standard output and error, across restarts.
    public var logURL: URL { directory.appendingPathComponent("serve.log") }

    /// The running relay's process id.
    public var processIdentifier: Int32? { lock.withLock { process?.processIdentifier } }

    /// Starts `serve` (with `arguments` added, and over HTTPS with `tls`) and waits until
    /// `/healthz` answers (through curl, certificate not verified: the TLS tests check the pin).
    public func start(_ arguments: [String] = [], tls: (certificate: String, key: String)? = nil) async throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments =
            ["serve", "--data", directory.path, "--port", String(port), "--metrics-port", String(metricsPort)]
            + (tls.map { ["--tls-cert", $0.certificate, "--tls-key", $0.key] } ?? []) + arguments
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        lock.withLock { self.process = process }
        let scheme = tls == nil ? "http" : "https"
        // Up to 30 s, a margin for the first minute of a full run, when every suite starts at once
        // on two cores and tests take ten times as long. One that has exited is not waited for.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            if let (body, status) = try? runProgram("/usr/bin/curl", ["-sk", "\(scheme)://127.0.0.1:\(port)/healthz"]),
                status == 0 && body == "ok"
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        // Say why, with the end of its log (the folder is gone after the test), so that a failure
        // on a loaded CI machine can be understood from the run's output.
        let said = (try? String(contentsOf: logURL, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
        print(
            "amanat-relay serve did not answer /healthz (running: \(process.isRunning)"
                + (process.isRunning ? "" : ", exit status \(process.terminationStatus)") + "); its log ends:\n"
                + said)
        throw LiveRelayError.didNotStart
    }

    /// Kills the relay at once (SIGKILL), as a crash, a power cut or the OOM killer would.
    public func kill() {
        guard let process = lock.withLock({ self.process.take() }), process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops the relay with SIGINT and waits for its graceful exit; its exit status (-1 when it
    /// was not running).
    public func interrupt() -> Int32 {
        guard let process = lock.withLock({ self.process.take() }) else { return -1 }
        process.interrupt()
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if let process, process.isRunning {
            // Gracefully if it can within 5 s, else at once: a test never hangs on its relay.
            process.interrupt()
            for _ in 0..<100 where process.isRunning { usleep(50_000) }
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// A mailbox created with a fresh voucher: its id, owner key and deposit key.
    public func createMailbox(
        _ transport: CurlTransport
    ) async throws -> (id: MailboxID, owner: Ed25519.PrivateKey, depositKey: SecureBytes) {
        let id = MailboxID.random()
        let owner = Ed25519.PrivateKey()
        let depositKey = SecureBytes.random(count: 32)
        let voucher = Voucher(
            id: .random(), expiresAt: UInt64(Date().timeIntervalSince1970) + 3600, signedBy: root)
        let body = try JSONEncoder().encode(
            RelayAPI.CreateMailboxRequest(
                mailbox: id.base64URL, ownerKey: Base64URL.encode(owner.publicKey.rawRepresentation),
                depositKey: Base64URL.encode(depositKey.withUnsafeBytes { Array($0) }),
                voucher: Base64URL.encode(voucher.encoded)))
        _ = try CurlTransport.checked(
            try await transport.send(
                "POST", "/v1/mailboxes", headers: ["Content-Type": "application/json"], body: Array(body)))
        return (id, owner, depositKey)
    }
}

public enum LiveRelayError: Error {
    case didNotStart
}
