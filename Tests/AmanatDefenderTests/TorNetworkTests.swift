// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatDefender
import AmanatProtocol
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

/// A private Tor network on loopback (scripts/tor-testnet: three authorities, relays, an exit, an
/// obfs4 bridge, the relay's onion service and two clients), torn down after the test.
final class TorTestNetwork: @unchecked Sendable {
    let socksPort: Int
    let bridgeSocksPort: Int
    let onion: String
    let bridgeLine: String
    /// The torrc lines a client of its own adds to join this network (AMANAT_TOR_TESTING_NETWORK).
    let clientTorrc: String

    /// With Debian's tor and obfs4proxy; and always in CI, where missing tools must fail rather
    /// than skip the test.
    static var enabled: Bool {
        (FileManager.default.isExecutableFile(atPath: "/usr/sbin/tor")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/obfs4proxy"))
            || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// Runs `body` with a network whose onion service is in front of `targetPort` on 127.0.0.1
    /// (started and waited for, at most `timeout` seconds, until the service answers through
    /// both clients), then stops every node and removes the folder, whether `body` threw or not.
    static func with<Result>(
        targetPort: Int, timeout: Int = 240, _ body: (TorTestNetwork) async throws -> Result
    ) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-tor-\(UUID().uuidString)")
        let started = try await runTool(
            "/usr/bin/python3", [script, "start", folder.path, String(targetPort), "--timeout", String(timeout)],
            environment: ["PATH": "/usr/sbin:/usr/bin:/bin"])
        let network: TorTestNetwork
        do {
            guard started.status == 0,
                let info = (try? JSONSerialization.jsonObject(with: Data(started.output.utf8))) as? [String: Any],
                let socks = info["socks"] as? Int, let bridgeSocks = info["bridgeSocks"] as? Int,
                let onion = info["onion"] as? String, let bridgeLine = info["bridgeLine"] as? String,
                let clientTorrc = info["clientTorrc"] as? String
            else { throw TorTestNetworkError.notStarted(started.description) }
            network = TorTestNetwork(
                socksPort: socks, bridgeSocksPort: bridgeSocks, onion: onion, bridgeLine: bridgeLine,
                clientTorrc: clientTorrc)
        } catch {
            await stop(folder)
            throw error
        }
        do {
            let result = try await body(network)
            await stop(folder)
            return result
        } catch {
            await stop(folder)
            throw error
        }
    }

    private init(socksPort: Int, bridgeSocksPort: Int, onion: String, bridgeLine: String, clientTorrc: String) {
        self.socksPort = socksPort
        self.bridgeSocksPort = bridgeSocksPort
        self.onion = onion
        self.bridgeLine = bridgeLine
        self.clientTorrc = clientTorrc
    }

    private static var script: String { repositoryRoot.appendingPathComponent("scripts/tor-testnet").path }

    /// Stops every node started under `folder` (off the cooperative threads) and removes it.
    private static func stop(_ folder: URL) async {
        _ = try? await runTool("/usr/bin/python3", [script, "stop", folder.path])
        try? FileManager.default.removeItem(at: folder)
    }
}

enum TorTestNetworkError: Error {
    case notStarted(String)
}

/// A Tor client that can never bootstrap: its only way in is a bridge at a loopback port where
/// nothing listens. Its SOCKS port accepts requests and fails them (after 10 s rather than
/// Tor's default 2 minutes, to keep the test short). Stopped with the test, or with the test
/// process (`__OwningControllerProcess`).
final class StrandedTor: @unchecked Sendable {
    let socksPort: Int
    private let process = Process()
    private let folder: URL

    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-tor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        socksPort = try freeLoopbackPort()
        let deadBridge = try freeLoopbackPort()
        let torrc = """
            DataDirectory \(folder.path)
            SocksPort 127.0.0.1:\(socksPort)
            UseBridges 1
            Bridge 127.0.0.1:\(deadBridge)
            SocksTimeout 10
            Log notice file \(folder.path)/notice.log
            __OwningControllerProcess \(ProcessInfo.processInfo.processIdentifier)
            """
        try Data(torrc.utf8).write(to: folder.appendingPathComponent("torrc"))
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/tor")
        process.arguments = ["-f", folder.appendingPathComponent("torrc").path, "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Until tor has bound its SOCKS port, the port can still be bound here.
        for _ in 0..<100 {
            guard let (fd, _) = try? loopbackSocket(listening: false, port: socksPort) else { break }
            close(fd)
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func stop() {
        // SIGKILL: a child of the test runner inherits its blocked signals, SIGTERM among them.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}

@Suite("over a private Tor network", .serialized, .enabled(if: TorTestNetwork.enabled))
struct TorNetworkTests {
    @Test(
        "the relay as an onion service: an expert over Tor; a Tor-only defender in Russian whose own Tor's only way in is the obfs4 bridge in the invite",
        .timeLimit(.minutes(10)))
    func onionExchange() async throws {
        let relay = try LiveRelay()
        try await relay.start()
        let base = try TestOrganisation(relay: relay)
        defer { base.remove() }
        try await TorTestNetwork.with(targetPort: relay.port) { network in
            // Every device reaches the relay only at its onion address (deploy/torrc's settings,
            // port 80 in front of the relay), through Tor.
            var organisation = base
            organisation.url = "http://\(network.onion)"
            organisation.proxy = "socks5h://127.0.0.1:\(network.socksPort)"
            let expert = try await organisation.enrolExpert("expert")
            try await organisation.publishRoster([("Эксперт Айгерим", expert)], version: 1)

            let profile = organisation.directory("defender")
            let common = ["--profile", profile.path, "--passphrase-fd", "0", "--lang", "ru"]
            let passphrase = "пароль правозащитника\n"
            let inviteFile = organisation.folder.appendingPathComponent("invite.txt")
            // The defender's invite names a clearnet address first (a listener that would hold
            // any connection), then the onion, and carries the network's obfs4 bridge. The
            // defender lets amanat run its own Tor (`--tor auto`), which knows no relay of the
            // network, only that bridge, and chooses Tor-only: only the onion is ever contacted.
            let (clearnet, clearnetPort) = try loopbackSocket(listening: true)
            defer { close(clearnet) }
            var defenderInvites = organisation
            defenderInvites.url = "http://127.0.0.1:\(clearnetPort)"
            defenderInvites.alternates = [RelayAddress(url: "http://\(network.onion)")]
            defenderInvites.bridges = [network.bridgeLine]
            let invite = try defenderInvites.invite()
            #expect(invite.addresses.last?.isOnion == true && invite.bridges == [network.bridgeLine])
            try Data((invite.text + "\n").utf8).write(to: inviteFile)
            // Only the private network's authorities (a Tor of the client's own would otherwise
            // look for the public network).
            let testing = [ManagedTor.testingNetworkVariable: network.clientTorrc]
            func amanat(_ arguments: [String], input: String) async throws -> Run {
                try await AmanatDefenderTests.amanat(arguments, input: input, environment: testing)
            }
            let enrolled = try await amanat(
                ["enroll", inviteFile.path, "--tor", "auto", "--tor-only"] + common, input: passphrase)
            #expect(enrolled.status == 0, "\(enrolled)")
            #expect(
                enrolled.output.contains(Catalogue.text("enrolled", .russian, ["http://\(network.onion)", "1"])),
                "\(enrolled)")

            let sent = try await amanat(["send", "Суд перенесён на 3 декабря"] + common, input: passphrase)
            #expect(sent.status == 0, "\(sent)")
            let expertSync = try await expert.sync()
            #expect(expertSync.received == 1, "\(expertSync) after \(sent)")
            let update = try #require(try await expert.messages().first)
            #expect(update.text == "Суд перенесён на 3 декабря")
            _ = try await expert.reply(
                to: try IdentityKey(decoding: Array(try #require(update.sender))), text: "Получили, мы на связи",
                inReplyTo: update.id)

            let synced = try await amanat(["sync"] + common, input: passphrase)
            #expect(synced.status == 0, "\(synced)")
            let listing = try await amanat(["inbox", "--json"] + common, input: passphrase)
            let messages = try #require(
                try JSONSerialization.jsonObject(with: Data(listing.output.utf8)) as? [[String: Any]])
            let replyId = try #require(messages.last?["id"] as? String)
            let read = try await amanat(["read", String(replyId.prefix(8))] + common, input: passphrase)
            #expect(read.status == 0 && read.output.contains("Получили, мы на связи"), "\(read)")
            let status = try await amanat(["status", "--json"] + common, input: passphrase)
            #expect(status.output.contains(network.onion) && status.output.contains("\"reachable\":true"), "\(status)")
            #expect(status.output.contains("\"torOnly\":true") && status.output.contains("\"bridges\":1"), "\(status)")
            #expect(status.output.contains("\"tor\":\"auto\""), "\(status)")
            #expect(pendingConnections(clearnet) == 0)
            // A command run while another one's Tor is up (`sync --watch`) uses that Tor and
            // leaves it running; once the watch ends, the next command starts one of its own.
            let watch = Process()
            watch.executableURL = LiveRelay.binary.deletingLastPathComponent().appendingPathComponent("amanat")
            watch.arguments = ["sync", "--watch"] + common
            watch.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C"]
                .merging(testing) { $1 }
            let watchInput = Pipe()
            let watchOutput = Pipe()
            watch.standardInput = watchInput
            watch.standardOutput = watchOutput
            watch.standardError = FileHandle.nullDevice
            try watch.run()
            watchInput.fileHandleForWriting.write(Data(passphrase.utf8))
            // Its first sync done means its Tor is connected.
            let firstLine = watchOutput.fileHandleForReading.availableData
            #expect(!firstLine.isEmpty)
            let alongside = try await amanat(["status", "--json"] + common, input: passphrase)
            #expect(alongside.output.contains("\"reachable\":true"), "\(alongside)")
            #expect(watch.isRunning)
            kill(watch.processIdentifier, SIGKILL)
            watch.waitUntilExit()
            let after = try await amanat(["status", "--json"] + common, input: passphrase)
            #expect(after.output.contains("\"reachable\":true"), "\(after)")

            // Each command's Tor stopped with it; its data stays in the profile, and a wipe
            // takes it with everything else.
            let torData = profile.appendingPathComponent(ManagedTor.folderName)
            #expect(FileManager.default.fileExists(atPath: torData.path))
            let wiped = try await amanat(["wipe", "--yes"] + common, input: passphrase)
            #expect(wiped.status == 0, "\(wiped)")
            #expect(!FileManager.default.fileExists(atPath: profile.path))
        }
    }

    @Test(
        "fail closed with amanat's own Tor: its only bridge dead, send says so and exits 69 with the update queued, nothing reaches the relay's address",
        .timeLimit(.minutes(10)))
    func strandedOwnTor() async throws {
        let counted = try await CountedDefender()
        defer { counted.remove() }
        let (organisation, expert, common, passphrase) = (
            counted.organisation, counted.expert, counted.common, counted.passphrase
        )
        let connections = counted.connections

        // From now on amanat runs its own Tor, whose only way in is a bridge where nothing
        // listens; it is given 15 s to connect.
        let deadBridge = "127.0.0.1:\(try freeLoopbackPort())"
        let configured = try await amanat(
            ["config", "--tor", "auto", "--bridge", deadBridge] + common, input: passphrase)
        #expect(configured.status == 0, "\(configured)")
        #expect(configured.output.contains(Catalogue.text("status.tor.auto", .russian, ["1"])), "\(configured)")
        let impatient = [ManagedTor.timeoutVariable: "15"]
        let before = connections()
        let sent = try await amanat(
            ["send", "Задержан адвокат, нужна помощь"] + common, input: passphrase, environment: impatient)
        #expect(sent.status == 69, "\(sent)")
        #expect(sent.output.contains(Catalogue.text("queued", .russian, ["1"])), "\(sent)")
        #expect(sent.error.contains(Catalogue.text("error.tor", .russian, ["0"]).prefix(30)), "\(sent)")
        let synced = try await amanat(["sync"] + common, input: passphrase, environment: impatient)
        #expect(synced.status == 69, "\(synced)")
        #expect(connections() == before)
        #expect(try await expert.sync().received == 0)
        // No Tor of the profile outlives the commands: no process holds a file of its data open
        // (a running Tor keeps its lock file open).
        let torData = organisation.directory("defender").appendingPathComponent(ManagedTor.folderName).path
        #expect(FileManager.default.fileExists(atPath: torData))
        #expect(processesHoldingFiles(under: torData).isEmpty)

        // The person turns amanat's Tor off: the update goes out directly.
        let off = try await amanat(["config", "--tor", "off"] + common, input: passphrase)
        #expect(off.status == 0, "\(off)")
        let flushed = try await amanat(["sync"] + common, input: passphrase)
        #expect(flushed.status == 0, "\(flushed)")
        #expect(connections() > before)
        #expect(try await expert.sync().received == 1)
        #expect(try await expert.messages().first?.text == "Задержан адвокат, нужна помощь")
    }

    @Test(
        "fail closed: with a Tor that cannot bootstrap, nothing reaches the relay's address and the case update stays queued",
        .timeLimit(.minutes(10)))
    func strandedTor() async throws {
        let counted = try await CountedDefender()
        defer { counted.remove() }
        let (expert, common, passphrase) = (counted.expert, counted.common, counted.passphrase)
        let connections = counted.connections
        #expect(connections() > 0)

        let tor = try await StrandedTor()
        defer { tor.stop() }
        let configured = try await amanat(
            ["config", "--proxy", "socks5h://127.0.0.1:\(tor.socksPort)"] + common, input: passphrase)
        #expect(configured.status == 0, "\(configured)")
        let before = connections()
        let sent = try await amanat(["send", "Обыск у адвоката, документы изъяты"] + common, input: passphrase)
        #expect(sent.status == 75, "\(sent)")
        #expect(sent.output.contains(Catalogue.text("queued", .russian, ["1"])), "\(sent)")
        let synced = try await amanat(["sync"] + common, input: passphrase)
        #expect(synced.status != 0, "\(synced)")
        // Nothing went around Tor: the relay's address saw no connection while Tor was stranded.
        #expect(connections() == before)
        #expect(try await expert.sync().received == 0)

        // Once the proxy is taken away (a person's choice, not a fallback), the update goes out.
        let direct = try await amanat(["config", "--proxy", "none"] + common, input: passphrase)
        #expect(direct.status == 0, "\(direct)")
        let flushed = try await amanat(["sync"] + common, input: passphrase)
        #expect(flushed.status == 0, "\(flushed)")
        #expect(connections() > before)
        let arrived = try await expert.sync()
        #expect(arrived.received == 1, "\(arrived)")
        #expect(try await expert.messages().first?.text == "Обыск у адвоката, документы изъяты")
    }
}

/// The ids of the processes that hold a file below `folder` open (from /proc/*/fd).
func processesHoldingFiles(under folder: String) -> [Int] {
    let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return processes.compactMap(Int.init).filter { pid in
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return descriptors.contains { fd in
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")
            return target?.hasPrefix(folder + "/") == true
        }
    }
}

/// A relay with one expert, and a defender enrolled in Russian whose relay address is a
/// pass-through that counts every connection made to it (Tests/Fixtures/counting_proxy.py).
struct CountedDefender {
    let organisation: TestOrganisation
    let expert: Account
    let common: [String]
    let passphrase: String
    private let passThrough: Process
    private let counter: URL

    init() async throws {
        var (organisation, expert) = try await TestOrganisation.started(expertName: "Эксперт Айгерим")
        counter = organisation.folder.appendingPathComponent("connections")
        let port: Int
        (passThrough, port) = try startProxyFixture(
            "counting_proxy.py", [String(organisation.relay.port), counter.path])
        organisation.url = "http://127.0.0.1:\(port)"
        (common, passphrase) = try await enrolRussianDefender(in: organisation)
        self.organisation = organisation
        self.expert = expert
    }

    /// Connections made to the defender's relay address so far.
    func connections() -> Int { Int((try? String(contentsOf: counter, encoding: .utf8)) ?? "0") ?? 0 }

    func remove() {
        passThrough.terminate()
        organisation.remove()
    }
}
