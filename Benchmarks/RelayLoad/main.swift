// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatRelay
import ArgumentParser
import Foundation
import GRDB
import HTTPTypes
import Logging
import Synchronization
import WSClient

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Drives the relay load benchmark (`Benchmarks/relay-load`): prepares real signed deposits for
/// wrk, measures SQLite's own batched-insert ceiling, times a fetch of 1,000 queued envelopes, and
/// holds idle push connections open. Loopback only.
@main
struct RelayLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay-load", abstract: "Load-benchmark helpers for amanat-relay (loopback only).",
        subcommands: [Prepare.self, RawSQLite.self, Fetch.self, Idle.self])
}

/// A mailbox's secrets as the benchmark keeps them between steps.
struct OwnerFile: Codable {
    let mailbox: String
    let ownerKeySeed: String
    let depositKey: String
}

struct RelayOptions: ParsableArguments {
    @Option(help: "The relay's base URL (loopback).")
    var relay: String = "http://127.0.0.1:8787"

    @Option(help: "The organisation root key's 32-byte seed, hex (the benchmark made the relay with it).")
    var rootSeed: String

    var root: Ed25519.PrivateKey {
        get throws { try Ed25519.PrivateKey(seed: SecureBytes(copying: hexBytes(rootSeed))) }
    }
}

func hexBytes(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex, let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex) {
        bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
        index = next
    }
    return bytes
}

func request(_ method: String, _ url: String, headers: [String: String] = [:], body: [UInt8]? = nil) async throws
    -> ([UInt8], Int)
{
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    request.timeoutInterval = 60
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    if let body { request.httpBody = Data(body) }
    let (data, response) = try await URLSession.shared.data(for: request)
    return (Array(data), (response as? HTTPURLResponse)?.statusCode ?? 0)
}

/// Creates a mailbox with a fresh voucher; its secrets.
func createMailbox(relay: String, root: Ed25519.PrivateKey) async throws -> (OwnerFile, Ed25519.PrivateKey) {
    let id = SecureRandom.bytes(count: 32)
    let ownerKey = Ed25519.PrivateKey()
    let depositKey = SecureRandom.bytes(count: 32)
    let voucher = Voucher(
        id: .random(), expiresAt: UInt64(Date().timeIntervalSince1970) + 3600, signedBy: root)
    let body = try JSONEncoder().encode(
        RelayAPI.CreateMailboxRequest(
            mailbox: Base64URL.encode(id), ownerKey: Base64URL.encode(ownerKey.publicKey.rawRepresentation),
            depositKey: Base64URL.encode(depositKey), voucher: Base64URL.encode(voucher.encoded)))
    let (_, status) = try await request("POST", relay + "/v1/mailboxes", body: Array(body))
    guard status == 201 else { throw ValidationError("creating the mailbox answered \(status)") }
    let seed = ownerKey.seed.withUnsafeBytes { Array($0) }
    return (
        OwnerFile(
            mailbox: Base64URL.encode(id), ownerKeySeed: seed.map { String(format: "%02x", $0) }.joined(),
            depositKey: Base64URL.encode(depositKey)),
        ownerKey
    )
}

/// A deposit: its token (base64url, 43 characters) and the envelope.
func makeDeposit(size: Int, mailbox: MailboxID, depositKey: SecureBytes) throws -> (String, [UInt8]) {
    var envelope = SecureRandom.bytes(count: size)
    envelope[0] = 1
    let token = try DepositToken.make(
        depositKey: depositKey, mailbox: mailbox, digest: SealedEnvelope.digest(of: envelope))
    return (token.base64URL, envelope)
}

func signedHeaders(
    method: String, path: String, body: [UInt8], mailbox: MailboxID, key: Ed25519.PrivateKey
) -> [String: String] {
    let nonce = SecureRandom.bytes(count: 16)
    let timestamp = UInt64(Date().timeIntervalSince1970)
    let signature = RequestSignature(
        method: method, path: path, body: body, mailbox: mailbox, timestamp: timestamp, nonce: nonce, mailboxKey: key)
    return [
        "Amanat-Timestamp": String(timestamp), "Amanat-Nonce": Base64URL.encode(nonce),
        "Amanat-Signature": Base64URL.encode(signature.signature),
    ]
}

extension RelayLoad {
    /// Writes fixed-size records for wrk's Lua script: 43 bytes of token, then the envelope.
    struct Prepare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a mailbox and write signed deposits, one file per wrk thread.")

        @OptionGroup var options: RelayOptions
        @Option(help: "Directory for owner.json and deposits-N.bin.") var out: String
        @Option(help: "Deposits in all.") var count: Int = 20_000
        @Option(help: "Envelope size: 2048, 16384 or 65536.") var size: Int = 2048
        @Option(help: "Files (one per wrk thread).") var files: Int = 2

        func run() async throws {
            let (owner, _) = try await createMailbox(relay: options.relay, root: try options.root)
            let directory = URL(fileURLWithPath: out, isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try JSONEncoder().encode(owner).write(to: directory.appendingPathComponent("owner.json"))
            let mailbox = MailboxID(base64URL: owner.mailbox)!
            let key = SecureBytes(copying: Base64URL.decode(owner.depositKey)!)
            for file in 0..<files {
                var data = Data(capacity: (count / files) * (43 + size))
                for _ in 0..<(count / files) {
                    let (token, envelope) = try makeDeposit(size: size, mailbox: mailbox, depositKey: key)
                    data.append(contentsOf: Array(token.utf8))
                    data.append(contentsOf: envelope)
                }
                try data.write(to: directory.appendingPathComponent("deposits-\(file).bin"))
            }
            print("mailbox \(owner.mailbox): \(count) deposits of \(size) bytes in \(files) files")
        }
    }

    /// SQLite's own ceiling for the relay's write: rows like the relay's envelope rows, in
    /// transactions of `batch`, WAL and synchronous=FULL, as the relay runs it.
    struct RawSQLite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sqlite", abstract: "Measure SQLite's batched-insert rate with the relay's settings.")

        @Option(help: "A directory for the scratch database.") var dir: String
        @Option(help: "Rows to insert.") var rows: Int = 20_000
        @Option(help: "Envelope size.") var size: Int = 2048
        @Option(help: "Rows per transaction.") var batch: Int = 64

        func run() async throws {
            let path = URL(fileURLWithPath: dir).appendingPathComponent("raw-\(UUID().uuidString).sqlite").path
            defer {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            var configuration = Configuration()
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.execute(sql: "PRAGMA secure_delete = ON")
                try db.execute(sql: "PRAGMA cache_size = -16384")
            }
            let database = try DatabasePool(path: path, configuration: configuration)
            try await database.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE envelopes (sequence INTEGER PRIMARY KEY AUTOINCREMENT, mailbox BLOB NOT NULL,
                            digest BLOB NOT NULL, body BLOB NOT NULL, arrived_hour INTEGER NOT NULL,
                            UNIQUE (mailbox, digest))
                        """)
            }
            let mailbox = SecureRandom.bytes(count: 32)
            let bodies = (0..<min(rows, 4096)).map { _ in SecureRandom.bytes(count: size) }
            let start = ContinuousClock.now
            var inserted = 0
            while inserted < rows {
                let count = min(batch, rows - inserted)
                let first = inserted
                try await database.write { db in
                    for index in first..<(first + count) {
                        let body = bodies[index % bodies.count]
                        var digest = Array(try BLAKE2b.hash(body))
                        withUnsafeBytes(of: index) { digest.replaceSubrange(0..<8, with: $0) }
                        try db.execute(
                            sql: "INSERT INTO envelopes (mailbox, digest, body, arrived_hour) VALUES (?, ?, ?, ?)",
                            arguments: [Data(mailbox), Data(digest), Data(body), 0])
                    }
                }
                inserted += count
            }
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            print(String(format: "sqlite batch=%d size=%d: %.0f rows/s", batch, size, Double(rows) / seconds))
        }
    }

    /// Times fetching 1,000 queued envelopes (ten signed pages of 100).
    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Time a fetch of 1,000 queued envelopes.")

        @OptionGroup var options: RelayOptions
        @Option(help: "Rounds to time.") var rounds: Int = 5
        @Option(help: "Envelopes per fetch request (the relay allows up to 1000).") var page: Int = 1000

        func run() async throws {
            let (owner, ownerKey) = try await createMailbox(relay: options.relay, root: try options.root)
            let mailbox = MailboxID(base64URL: owner.mailbox)!
            let key = SecureBytes(copying: Base64URL.decode(owner.depositKey)!)
            let path = "/v1/mailboxes/\(owner.mailbox)"
            for _ in 0..<1000 {
                let (token, envelope) = try makeDeposit(size: 2048, mailbox: mailbox, depositKey: key)
                let (_, status) = try await request(
                    "PUT", options.relay + path + "/envelopes", headers: ["Amanat-Deposit-Token": token],
                    body: envelope)
                guard status == 201 else { throw ValidationError("deposit answered \(status)") }
            }
            var timings: [Double] = []
            for _ in 0..<rounds {
                let start = ContinuousClock.now
                var after: Int64 = 0
                var fetched = 0
                while true {
                    let body = Array(try JSONEncoder().encode(RelayAPI.FetchRequest(after: after, limit: page)))
                    let (data, status) = try await request(
                        "POST", options.relay + path + "/fetch",
                        headers: signedHeaders(
                            method: "POST", path: path + "/fetch", body: body, mailbox: mailbox, key: ownerKey),
                        body: body)
                    guard status == 200 else { throw ValidationError("fetch answered \(status)") }
                    let envelopes = try JSONDecoder().decode(RelayAPI.FetchResponse.self, from: Data(data)).envelopes
                    guard let last = envelopes.last else { break }
                    fetched += envelopes.count
                    after = last.sequence
                }
                guard fetched == 1000 else { throw ValidationError("fetched \(fetched), not 1000") }
                timings.append((ContinuousClock.now - start) / .milliseconds(1))
            }
            timings.sort()
            print(
                String(
                    format: "fetch of 1000 queued envelopes (pages of %d): median %.1f ms, best %.1f ms", page,
                    timings[timings.count / 2], timings[0]))
        }
    }

    /// Opens idle push connections and holds them until standard input closes.
    struct Idle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Open N WebSocket push connections over as many mailboxes as the relay's per-mailbox cap needs, "
                + "print 'ready N', then deposit once into every mailbox and print how many heard of it "
                + "('woken N'), and hold them until stdin closes.")

        @OptionGroup var options: RelayOptions
        @Option(help: "Connections.") var connections: Int = 10_000
        @Option(help: "Connections opened at once.") var parallel: Int = 200
        @Option(help: "Connections per mailbox: the relay's maximumMailboxWaiters (16 unless changed).")
        var perMailbox: Int = 16

        func run() async throws {
            // The relay holds at most `perMailbox` push connections for one mailbox (#18), so
            // 10,000 connections need 625 mailboxes.
            let root = try options.root
            var mailboxes: [(owner: OwnerFile, key: Ed25519.PrivateKey, id: MailboxID)] = []
            for _ in 0..<(connections + perMailbox - 1) / perMailbox {
                let (owner, key) = try await createMailbox(relay: options.relay, root: root)
                mailboxes.append((owner, key, MailboxID(base64URL: owner.mailbox)!))
            }
            let host = options.relay.replacingOccurrences(of: "http://", with: "ws://")
            let counts = Counts()
            let release = AsyncStream<Void>.makeStream()
            let hold = Mutex<[AsyncStream<Void>.Continuation]>([])
            // Standard input closing releases every connection (read on a thread of its own, so
            // no task of the cooperative pool blocks).
            let continuation = release.continuation
            Thread.detachNewThread {
                while readLine() != nil {}
                continuation.finish()
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                var started = 0
                func open() {
                    let (owner, ownerKey, mailbox) = mailboxes[started / perMailbox]
                    let path = "/v1/mailboxes/\(owner.mailbox)/push"
                    var fields = HTTPFields()
                    for (name, value) in signedHeaders(
                        method: "GET", path: path, body: [], mailbox: mailbox, key: ownerKey)
                    {
                        fields[HTTPField.Name(name)!] = value
                    }
                    let headers = fields
                    let (waiter, continuation) = AsyncStream<Void>.makeStream()
                    hold.withLock { $0.append(continuation) }
                    group.addTask {
                        do {
                            _ = try await WebSocketClient.connect(
                                url: host + path, configuration: .init(additionalHeaders: headers),
                                logger: Logger(label: "idle")
                            ) { inbound, _, _ in
                                var messages = inbound.messages(maxSize: 64).makeAsyncIterator()
                                _ = try await messages.next()
                                counts.ready.add(1, ordering: .relaxed)
                                // The next message is the news of the deposit made once all are ready.
                                if try await messages.next() != nil {
                                    counts.woken.add(1, ordering: .relaxed)
                                }
                                for await _ in waiter {}
                            }
                        } catch {
                            counts.failed.add(1, ordering: .relaxed)
                        }
                    }
                    started += 1
                }
                for _ in 0..<min(parallel, connections) { open() }
                while started < connections {
                    let done = counts.ready.load(ordering: .relaxed) + counts.failed.load(ordering: .relaxed)
                    if started - done < parallel {
                        open()
                    } else {
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
                while counts.ready.load(ordering: .relaxed) + counts.failed.load(ordering: .relaxed) < connections {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let ready = counts.ready.load(ordering: .relaxed)
                FileHandle.standardOutput.write(
                    Data("ready \(ready) failed \(counts.failed.load(ordering: .relaxed))\n".utf8))
                // One deposit into every mailbox, all at once: every connection should hear "new" once.
                let deposits = try mailboxes.map { owner, _, mailbox in
                    let (token, envelope) = try makeDeposit(
                        size: 2048, mailbox: mailbox,
                        depositKey: SecureBytes(copying: Base64URL.decode(owner.depositKey)!))
                    return (path: "/v1/mailboxes/\(owner.mailbox)/envelopes", token: token, envelope: envelope)
                }
                let deposited = ContinuousClock.now
                try await withThrowingTaskGroup(of: Int.self) { depositing in
                    for deposit in deposits {
                        depositing.addTask {
                            try await request(
                                "PUT", options.relay + deposit.path, headers: ["Amanat-Deposit-Token": deposit.token],
                                body: deposit.envelope
                            ).1
                        }
                    }
                    for try await status in depositing where status != 201 {
                        throw ValidationError("a deposit answered \(status)")
                    }
                }
                while counts.woken.load(ordering: .relaxed) < ready, ContinuousClock.now - deposited < .seconds(30) {
                    try await Task.sleep(for: .milliseconds(5))
                }
                let elapsed = (ContinuousClock.now - deposited).components
                let milliseconds = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
                FileHandle.standardOutput.write(
                    Data(
                        "woken \(counts.woken.load(ordering: .relaxed)) of \(ready) in \(milliseconds) ms "
                            .appending("(one deposit into each of \(mailboxes.count) mailboxes)\n").utf8))
                for await _ in release.stream {}
                hold.withLock { continuations in
                    for continuation in continuations { continuation.finish() }
                }
                group.cancelAll()
            }
        }
    }
}

/// Connection outcomes, shared by the connection tasks.
final class Counts: Sendable {
    let ready = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let woken = Atomic<Int>(0)
}
