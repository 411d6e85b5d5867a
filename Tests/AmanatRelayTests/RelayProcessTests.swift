// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatProtocolVectors
import Foundation
import Testing

@testable import AmanatRelay

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `amanat-relay` executable, run as a child process on a loopback port.
final class RelayProcess: @unchecked Sendable {
    let directory: URL
    let port: Int
    let root = Ed25519.PrivateKey()
    private var process: Process?

    /// The binary SwiftPM built beside the test bundle.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "amanat-relay")
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-live-\(UUID().uuidString)")
        port = try Self.freePort()
        let initialise = Process()
        initialise.executableURL = Self.binary
        initialise.arguments = [
            "init", "--data", directory.path, "--organisation-root", Base64URL.encode(root.publicKey.rawRepresentation),
        ]
        initialise.standardOutput = FileHandle.nullDevice
        try initialise.run()
        initialise.waitUntilExit()
        guard initialise.terminationStatus == 0 else { throw RelayProcessError.initialisationFailed }
    }

    deinit {
        process?.terminate()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Where `serve` writes its standard output and error, across restarts.
    var logURL: URL { directory.appendingPathComponent("serve.log") }

    /// Starts `serve` and waits until `/healthz` answers.
    func start() async throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve", "--data", directory.path, "--port", String(port)]
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if let (_, status) = try? await request("GET", "/healthz"), status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RelayProcessError.didNotStart
    }

    /// Kills the relay at once, as a power cut or the OOM killer would (SIGKILL).
    func kill() {
        guard let process else { return }
        sendSignal(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Stops the relay with SIGINT and waits for its graceful exit.
    func interrupt() -> Int32 {
        guard let process else { return -1 }
        process.interrupt()
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    func request(
        _ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil
    ) async throws -> ([UInt8], Int) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 10
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = Data(body) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (Array(data), (response as? HTTPURLResponse)?.statusCode ?? 0)
    }

    /// A loopback port nobody listens on now.
    static func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(socket, address, length) == 0 && getsockname(socket, address, &length) == 0
            }
        }
        guard bound else { throw RelayProcessError.noPort }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Creates a mailbox through the API and returns its owner's secrets.
    func createMailbox() async throws -> RelayHarness.Owner {
        let owner = RelayHarness.Owner()
        let voucher = Voucher(
            id: SecureRandom.bytes(count: 32), expiresAt: UInt64(Date().timeIntervalSince1970) + 3600, signedBy: root)
        let body = try JSONSerialization.data(withJSONObject: [
            "mailbox": Base64URL.encode(owner.id), "ownerKey": Base64URL.encode(owner.key.publicKey.rawRepresentation),
            "depositKey": Base64URL.encode(owner.depositKey.withUnsafeBytes { Array($0) }),
            "voucher": Base64URL.encode(voucher.encoded),
        ])
        let (_, status) = try await request("POST", "/v1/mailboxes", body: Array(body))
        guard status == 201 else { throw RelayProcessError.unexpectedStatus(status) }
        return owner
    }

    /// Deposits an envelope; the HTTP status.
    func deposit(_ envelope: [UInt8], to owner: RelayHarness.Owner) async throws -> Int {
        let token = try DepositToken.make(
            depositKey: owner.depositKey, mailbox: owner.id, digest: SealedEnvelope.digest(of: envelope))
        return try await request(
            "PUT", owner.path + "/envelopes", headers: ["Amanat-Deposit-Token": Base64URL.encode(token)], body: envelope
        ).1
    }

    /// Every digest waiting in the owner's mailbox.
    func fetchAll(_ owner: RelayHarness.Owner) async throws -> Set<[UInt8]> {
        var digests = Set<[UInt8]>()
        var after: Int64 = 0
        while true {
            let path = owner.path + "/fetch"
            let body = Array(try JSONSerialization.data(withJSONObject: ["after": after, "limit": 100]))
            let nonce = SecureRandom.bytes(count: 16)
            let timestamp = UInt64(Date().timeIntervalSince1970)
            let signature = RequestSignature(
                method: "POST", path: path, body: body, mailbox: owner.id, timestamp: timestamp, nonce: nonce,
                mailboxKey: owner.key)
            let (data, status) = try await request(
                "POST", path,
                headers: [
                    "Amanat-Timestamp": String(timestamp), "Amanat-Nonce": Base64URL.encode(nonce),
                    "Amanat-Signature": Base64URL.encode(signature.signature),
                ], body: body)
            guard status == 200 else { throw RelayProcessError.unexpectedStatus(status) }
            let page = try JSONDecoder().decode(Relay.FetchResponse.self, from: Data(data))
            for envelope in page.envelopes { digests.insert(Base64URL.decode(envelope.digest) ?? []) }
            guard let last = page.envelopes.last else { return digests }
            after = last.sequence
        }
    }
}

/// `kill(2)`, named apart from ``RelayProcess/kill()``.
private func sendSignal(_ pid: Int32, _ signal: Int32) {
    _ = kill(pid, signal)
}

enum RelayProcessError: Error {
    case initialisationFailed
    case didNotStart
    case noPort
    case unexpectedStatus(Int)
}

@Suite("The real relay process", .serialized)
struct RelayProcessTests {
    @Test("a full exchange through the running binary, then a graceful Ctrl-C")
    func exchange() async throws {
        let relay = try RelayProcess()
        try await relay.start()
        let owner = try await relay.createMailbox()
        let envelopes = (0..<5).map { _ in RelayHarness.envelope() }
        for envelope in envelopes {
            #expect(try await relay.deposit(envelope, to: owner) == 201)
        }
        #expect(try await relay.fetchAll(owner) == Set(envelopes.map { SealedEnvelope.digest(of: $0) }))
        #expect(relay.interrupt() == 0)
        // Restarted, it still has them.
        try await relay.start()
        #expect(try await relay.fetchAll(owner).count == 5)
        #expect(relay.interrupt() == 0)

        // At the default level the relay logs nothing per request: only its two start-up lines,
        // so no mailbox id, envelope digest, token or client address reaches its output.
        let log = try String(contentsOf: relay.logURL, encoding: .utf8)
        let lines = log.split(separator: "\n")
        #expect(lines.count == 4, "\(lines)")
        #expect(lines.allSatisfy { $0.hasPrefix("Relay key: ") || $0.hasPrefix("Listening on 127.0.0.1:") })
        #expect(!log.contains(Base64URL.encode(owner.id)))
        for envelope in envelopes {
            #expect(!log.contains(Base64URL.encode(SealedEnvelope.digest(of: envelope))))
        }
    }

    @Test("killed with SIGKILL during concurrent deposits, it loses none it answered 201 (20 seeded rounds)")
    func durability() async throws {
        let relay = try RelayProcess()
        try await relay.start()
        let owner = try await relay.createMailbox()
        var generator = ScheduleRandom(seed: 20_261_125)
        var acknowledged = Set<[UInt8]>()
        var attempted = 0
        var unanswered = 0
        for _ in 0..<20 {
            let killAfter = Duration.milliseconds(Int64(generator.next() % 200 + 20))
            // Eight depositors send envelopes back to back until the relay dies under them.
            let results = await withTaskGroup(of: (stored: [[UInt8]], failed: Int).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var stored: [[UInt8]] = []
                        while true {
                            let envelope = RelayHarness.envelope()
                            guard let status = try? await relay.deposit(envelope, to: owner), status == 201 else {
                                return (stored, 1)
                            }
                            stored.append(SealedEnvelope.digest(of: envelope))
                        }
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: killAfter)
                    relay.kill()
                    return ([], 0)
                }
                return await group.reduce(into: (stored: [[UInt8]](), failed: 0)) {
                    $0.stored += $1.stored
                    $0.failed += $1.failed
                }
            }
            attempted += results.stored.count + results.failed
            unanswered += results.failed
            acknowledged.formUnion(results.stored)
            try await relay.start()
            let present = try await relay.fetchAll(owner)
            #expect(
                acknowledged.isSubset(of: present), "\(acknowledged.subtracting(present).count) answered deposits lost")
        }
        _ = relay.interrupt()
        #expect(acknowledged.count > 100 && unanswered == 20 * 8)
        print(
            "durability: \(attempted) deposits attempted, \(acknowledged.count) answered 201 and all found after",
            "restart, \(unanswered) cut off unanswered by 20 kills")
    }
}
