// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatProtocol
import Foundation

/// A real `amanat-relay` on a free loopback port, for the transport to talk to.
public final class LiveRelay: @unchecked Sendable {
    public let directory: URL
    public let port: Int
    public let root = Ed25519.PrivateKey()
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
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-client-\(UUID().uuidString)")
        port = try freeLoopbackPort()
        let key = organisationRoot ?? root.publicKey
        let run = try runToolBlocking(
            "amanat-relay",
            ["init", "--data", directory.path, "--organisation-root=" + Base64URL.encode(key.rawRepresentation)])
        guard run.status == 0 else {
            print("amanat-relay init failed: \(run)")
            throw LiveRelayError.didNotStart
        }
    }

    /// Starts `serve` with `arguments` added and waits for `/healthz` (through curl, so TLS works).
    public func start(_ arguments: [String] = [], scheme: String = "http") async throws {
        let process = Process()
        lock.withLock { self.process = process }
        process.executableURL = Self.binary
        process.arguments =
            ["serve", "--data", directory.path, "--port", String(port), "--metrics-port", "0"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if let (body, status) = try? runProgram("/usr/bin/curl", ["-sk", "\(scheme)://127.0.0.1:\(port)/healthz"]),
                status == 0 && body == "ok"
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        print("amanat-relay serve did not answer /healthz within 10 s (running: \(process.isRunning))")
        throw LiveRelayError.didNotStart
    }

    /// Kills the relay at once (SIGKILL), as a crash or a pulled cable would.
    public func kill() {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if let process, process.isRunning {
            process.interrupt()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// A mailbox created with a fresh voucher: its id, owner key and deposit key.
    public func createMailbox(
        _ transport: CurlTransport
    ) async throws -> (id: [UInt8], owner: Ed25519.PrivateKey, depositKey: SecureBytes) {
        let id = SecureRandom.bytes(count: 32)
        let owner = Ed25519.PrivateKey()
        let depositKey = SecureBytes.random(count: 32)
        let voucher = Voucher(
            id: SecureRandom.bytes(count: 32), expiresAt: UInt64(Date().timeIntervalSince1970) + 3600, signedBy: root)
        let body = try JSONSerialization.data(withJSONObject: [
            "mailbox": Base64URL.encode(id), "ownerKey": Base64URL.encode(owner.publicKey.rawRepresentation),
            "depositKey": Base64URL.encode(depositKey.withUnsafeBytes { Array($0) }),
            "voucher": Base64URL.encode(voucher.encoded),
        ])
        _ = try CurlTransport.checked(
            try await transport.send(
                "POST", "/v1/mailboxes", headers: ["Content-Type": "application/json"], body: Array(body)))
        return (id, owner, depositKey)
    }
}

public enum LiveRelayError: Error {
    case didNotStart
}
