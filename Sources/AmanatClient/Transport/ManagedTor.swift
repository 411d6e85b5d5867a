// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Crypto
import Dispatch
import Foundation
import Synchronization

/// How far a Tor is in connecting to the network, as its control port says (`status/bootstrap-phase`).
public struct TorProgress: Sendable, Equatable {
    /// 0–100; 100 means connected.
    public let percent: Int
    /// Tor's own words for the phase (`Loading relay descriptors`, `Done`).
    public let summary: String

    public init(percent: Int, summary: String) {
        self.percent = percent
        self.summary = summary
    }
}

/// A Tor the client runs itself for one profile (`amanat config --tor auto`, DESIGN §5): Debian's
/// `tor`, its data in the profile's folder (`tor/`), its configuration given on standard input (no
/// torrc file holds the bridge lines), SOCKS and control on ephemeral loopback ports, the control
/// connection authenticated both ways (SAFECOOKIE), and tied to the process that started it
/// (`TAKEOWNERSHIP` and `__OwningControllerProcess`), so it stops when that process does, however
/// it ends. Another command on the same profile meanwhile (`sync --watch` running) uses that Tor,
/// and starts its own once it is gone: a lock in `tor/` says which process runs it.
///
/// It starts on the first request that needs it and waits until Tor has connected, telling the
/// observer how far it is. If Tor cannot connect in time, requests fail with
/// ``TransportError/torNotConnected(progress:)`` and nothing is sent any other way: the caller's
/// work stays queued (fail closed). After a failure it tries again only after a pause, so one
/// command does not wait for Tor once per request.
public actor ManagedTor {
    /// The folder inside a profile's folder that holds its Tor's data.
    public static let folderName = "tor"
    /// Extra torrc lines that join a private test network (`scripts/tor-testnet`'s
    /// `clientTorrc`): read by debug builds only, so that no release can be pointed at other
    /// directory authorities through its environment.
    public static let testingNetworkVariable = "AMANAT_TOR_TESTING_NETWORK"
    /// How long after a failure to connect the next request fails at once instead of waiting
    /// for Tor again.
    static let retryPause: Duration = .seconds(30)
    /// Seconds to wait for Tor to connect, overriding the default.
    public static let timeoutVariable = "AMANAT_TOR_TIMEOUT"

    let folder: URL
    let bridges: [String]
    let timeout: Duration
    private var startup: Task<String, any Error>?
    private var failedAt: ContinuousClock.Instant?
    private var process: Process?
    private var control: TorControl?
    /// The lock (`tor/owner.lock`, flock) held while this process runs the profile's Tor.
    private var ownerLock: Int32 = -1
    private let observer = Mutex<(@Sendable (TorProgress) -> Void)?>(nil)
    private let lastFailure = Mutex<TorProgress?>(nil)
    /// The process id of the Tor this process started, for ``killNow()``.
    private let launched = Mutex<pid_t>(0)
    /// The last progress seen, for the error when Tor does not connect.
    public private(set) var progress = TorProgress(percent: 0, summary: "")

    /// A Tor for the profile in `profileFolder`, through `bridges` (Tor `Bridge` lines) when
    /// there are any, waiting at most `timeout` (or `AMANAT_TOR_TIMEOUT` seconds) to connect.
    public init(profileFolder: URL, bridges: [String], timeout: Duration = .seconds(180)) {
        folder = profileFolder.appendingPathComponent(Self.folderName, isDirectory: true)
        self.bridges = bridges
        if let seconds = ProcessInfo.processInfo.environment[Self.timeoutVariable].flatMap(Int.init), seconds > 0 {
            self.timeout = .seconds(seconds)
        } else {
            self.timeout = timeout
        }
    }

    /// Sets (or with nil, removes) the function told how far Tor is, while it connects.
    public nonisolated func observe(_ observer: (@Sendable (TorProgress) -> Void)?) {
        self.observer.withLock { $0 = observer }
    }

    /// How far Tor got when it last failed to connect in this process, if it did.
    public nonisolated var failure: TorProgress? { lastFailure.withLock { $0 } }

    /// The `socks5h://` address of this Tor, started and connected first if it is not yet.
    ///
    /// - Throws: ``TransportError/torNotConnected(progress:)``.
    public func proxy() async throws(TransportError) -> String {
        if let failedAt, ContinuousClock.now - failedAt < Self.retryPause {
            throw .torNotConnected(progress: lastFailure.withLock { $0 }?.percent ?? 0)
        }
        let task: Task<String, any Error>
        if let startup {
            task = startup
        } else {
            task = Task { try await start() }
            startup = task
        }
        do {
            return try await task.value
        } catch {
            // However it failed (no connection in time, Tor gone, its control port broken),
            // nothing is sent by any other way; a later request tries again after a pause.
            lastFailure.withLock { $0 = progress }
            await stop()
            failedAt = .now
            throw .torNotConnected(progress: progress.percent)
        }
    }

    /// Forgets the SOCKS address found before (its Tor is gone: another command's, which ended):
    /// the next request finds or starts one again.
    public func forgetProxy() async {
        guard failedAt == nil else { return }
        await stop()
    }

    /// Kills the Tor this process started at once, so that it writes nothing more (before the
    /// profile is wiped): no state saved on the way out, unlike ``stop()``.
    public nonisolated func killNow() {
        launched.withLock { pid in
            // Only while that process is still this Tor (a pid is reused once it is gone).
            let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            if pid > 0, name.trimmingCharacters(in: .whitespacesAndNewlines) == "tor" { kill(pid, SIGKILL) }
            pid = 0
        }
    }

    /// Stops the Tor this process started: the control connection closes and Tor exits on its
    /// own (saving its state); after two seconds it is killed.
    public func stop() async {
        control?.close()
        control = nil
        if let process {
            for _ in 0..<20 where process.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
            if process.isRunning {
                // A child of a process with signals blocked inherits that mask: SIGKILL still works.
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        process = nil
        launched.withLock { $0 = 0 }
        if ownerLock >= 0 {
            close(ownerLock)
            ownerLock = -1
        }
        startup = nil
    }

    /// Stops this Tor and removes its data, and the profile's folder if nothing else is in it
    /// (an enrolment that failed before the profile existed).
    public func discard() async {
        await stop()
        Self.shred(folder)
        let profile = folder.deletingLastPathComponent()
        if let rest = try? FileManager.default.contentsOfDirectory(atPath: profile.path), rest.isEmpty {
            try? FileManager.default.removeItem(at: profile)
        }
    }

    /// Overwrites every file below `folder` (Tor's state and cached descriptors name the bridges
    /// and guards it used), then removes it.
    public static func shred(_ folder: URL) {
        if let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) {
            for case let file as URL in files { ProfileStore.overwrite(file) }
        }
        try? FileManager.default.removeItem(at: folder)
    }

    private func start() async throws -> String {
        do {
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        } catch {
            throw TransportError.torNotConnected(progress: 0)
        }
        let portFile = folder.appendingPathComponent("control-port")
        let cookieFile = folder.appendingPathComponent("control-cookie")
        // One process at a time runs the profile's Tor: the one holding this lock. Another
        // command on the profile meanwhile (`sync --watch` running) uses that Tor.
        let lock = open(folder.appendingPathComponent("owner.lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw TransportError.torNotConnected(progress: 0) }
        let owner = flock(lock, LOCK_EX | LOCK_NB) == 0
        if owner {
            ownerLock = lock
            // Whatever a Tor that ended left behind is stale.
            try? FileManager.default.removeItem(at: portFile)
            try launch(portFile: portFile, cookieFile: cookieFile)
        } else {
            close(lock)
        }
        let deadline = ContinuousClock.now + .seconds(30)
        var launches = 1
        while control == nil {
            if let connected = try? await TorControl.connect(portFile: portFile, cookieFile: cookieFile) {
                control = connected
                // This process's own Tor exits as soon as this connection closes, whatever ends
                // the process.
                if owner { _ = try await connected.command("TAKEOWNERSHIP") }
                break
            }
            guard ContinuousClock.now < deadline else { throw TransportError.torNotConnected(progress: 0) }
            if owner, process?.isRunning == false {
                // The Tor of a command that just ended may still hold the data folder for a
                // moment: start again, a few times.
                guard launches < 5 else { throw TransportError.torNotConnected(progress: 0) }
                launches += 1
                try await Task.sleep(for: .seconds(1))
                try launch(portFile: portFile, cookieFile: cookieFile)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard let control else { throw TransportError.torNotConnected(progress: 0) }
        let bootstrapDeadline = ContinuousClock.now + timeout
        while true {
            let phase = try await control.command("GETINFO status/bootstrap-phase")
            if let reported = Self.progress(fromBootstrapPhase: phase) {
                if reported != progress {
                    progress = reported
                    observer.withLock { $0 }?(reported)
                }
                if reported.percent >= 100 { break }
            }
            guard ContinuousClock.now < bootstrapDeadline, process?.isRunning != false else {
                throw TransportError.torNotConnected(progress: progress.percent)
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let listeners = try await control.command("GETINFO net/listeners/socks")
        guard let port = Self.socksPort(fromListeners: listeners) else {
            throw TransportError.torNotConnected(progress: progress.percent)
        }
        return "socks5h://127.0.0.1:\(port)"
    }

    /// Starts `tor` with the configuration on its standard input.
    private func launch(portFile: URL, cookieFile: URL) throws {
        // Paths go on the command line, where Tor takes each value whole (a `#` or a line break
        // in a path cannot cut it short or add a line); the rest on standard input.
        var lines = [
            "SocksPort 127.0.0.1:auto",
            "ControlPort 127.0.0.1:auto",
            "CookieAuthentication 1",
            "__OwningControllerProcess \(ProcessInfo.processInfo.processIdentifier)",
            "ClientOnly 1",
            "AvoidDiskWrites 1",
        ]
        if !bridges.isEmpty {
            lines.append("UseBridges 1")
            let transports = Set(bridges.compactMap { $0.split(separator: " ").first.map(String.init) })
            for transport in transports.sorted() {
                guard let plugin = Self.plugins[transport] else { continue }
                guard let binary = plugin.first(where: FileManager.default.isExecutableFile(atPath:)) else {
                    // A bridge this machine has no program for: Tor could never use it.
                    throw TransportError.torNotConnected(progress: 0)
                }
                lines.append("ClientTransportPlugin \(transport) exec \(binary)")
            }
            // Checked again here, whatever reached this far: one line each, nothing Tor's
            // parser would read as a continuation, a quote or a comment.
            lines += bridges.filter(Invite.isValidBridge).map { "Bridge \($0)" }
        }
        #if DEBUG
        if let path = ProcessInfo.processInfo.environment[Self.testingNetworkVariable],
            let testing = try? String(contentsOfFile: path, encoding: .utf8)
        {
            lines.append(testing)
        }
        #endif
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "-f", "-", "--defaults-torrc", "/dev/null", "--quiet", "--DataDirectory", folder.path,
            "--ControlPortWriteToFile", portFile.path, "--CookieAuthFile", cookieFile.path,
        ]
        let input = Pipe()
        process.standardInput = input
        // Tor logs to standard output, which goes nowhere: a log file would hold the bridges'
        // addresses in clear.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw TransportError.torNotConnected(progress: 0)
        }
        self.process = process
        launched.withLock { $0 = process.processIdentifier }
        // A Tor that exits at once closes the pipe: an error here, never a SIGPIPE.
        try? input.fileHandleForWriting.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
        try? input.fileHandleForWriting.close()
    }

    /// Debian's `tor`.
    static var executable: String {
        for candidate in ["/usr/bin/tor", "/usr/sbin/tor"] where FileManager.default.isExecutableFile(atPath: candidate)
        {
            return candidate
        }
        return "/usr/sbin/tor"
    }

    /// The programs that carry each pluggable transport, in the order looked for.
    static let plugins: [String: [String]] = [
        "obfs4": ["/usr/bin/obfs4proxy", "/usr/bin/lyrebird"],
        "snowflake": ["/usr/bin/snowflake-client"],
    ]

    /// Whether Tor is installed where the client looks for it.
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// The progress in a `GETINFO status/bootstrap-phase` answer:
    /// `250-status/bootstrap-phase=NOTICE BOOTSTRAP PROGRESS=45 TAG=… SUMMARY="…"`.
    static func progress(fromBootstrapPhase answer: [String]) -> TorProgress? {
        guard let line = answer.first(where: { $0.contains("PROGRESS=") }),
            let start = line.range(of: "PROGRESS=")
        else { return nil }
        let digits = line[start.upperBound...].prefix { $0.isNumber }
        guard let percent = Int(digits) else { return nil }
        var summary = ""
        if let quoted = line.range(of: "SUMMARY=\"") {
            summary = String(line[quoted.upperBound...].prefix { $0 != "\"" })
        }
        return TorProgress(percent: min(max(percent, 0), 100), summary: summary)
    }

    /// The SOCKS port in a `GETINFO net/listeners/socks` answer: `250-net/listeners/socks="127.0.0.1:PORT"`.
    static func socksPort(fromListeners answer: [String]) -> Int? {
        guard let line = answer.first(where: { $0.contains("net/listeners/socks=") }),
            let colon = line.range(of: "127.0.0.1:")
        else { return nil }
        return Int(line[colon.upperBound...].prefix { $0.isNumber })
    }
}

/// One connection to a Tor's control port (control-spec: lines, `AUTHENTICATE` with the cookie),
/// its blocking reads and writes run off Swift's cooperative threads.
final class TorControl: Sendable {
    /// The socket, closed only when this object goes (so that its number cannot be reused by
    /// another socket while a command still uses it); ``close()`` shuts the connection down.
    private let descriptor: Int32
    private let closed = Mutex(false)

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Connects to the port `portFile` names (`PORT=127.0.0.1:N`) and authenticates with the
    /// cookie in `cookieFile`.
    static func connect(portFile: URL, cookieFile: URL) async throws -> TorControl {
        guard let text = try? String(contentsOf: portFile, encoding: .utf8),
            let range = text.range(of: "PORT=127.0.0.1:"),
            let port = UInt16(text[range.upperBound...].prefix { $0.isNumber }),
            let cookie = FileManager.default.contents(atPath: cookieFile.path), cookie.count == 32
        else { throw TransportError.torNotConnected(progress: 0) }
        let descriptor = try await blocking { () throws -> Int32 in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TransportError.torNotConnected(progress: 0) }
            var timeout = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else {
                Foundation.close(fd)
                throw TransportError.torNotConnected(progress: 0)
            }
            return fd
        }
        let control = TorControl(descriptor: descriptor)
        do {
            try await control.authenticate(cookie: Array(cookie))
        } catch {
            control.close()
            throw error
        }
        return control
    }

    /// SAFECOOKIE (control-spec §3.24): Tor proves it knows the cookie before this side does, so
    /// that whatever listens on a port a stale file names cannot pose as this profile's Tor.
    private func authenticate(cookie: [UInt8]) async throws {
        let clientNonce = SecureRandom.bytes(count: 32)
        let answer = try await command("AUTHCHALLENGE SAFECOOKIE \(Hex.encode(clientNonce))")
        guard let line = answer.first(where: { $0.contains("SERVERHASH=") }),
            let serverHash = Self.value("SERVERHASH", in: line).flatMap(Hex.decode),
            let serverNonce = Self.value("SERVERNONCE", in: line).flatMap(Hex.decode)
        else { throw TransportError.torNotConnected(progress: 0) }
        let key = SymmetricKey(data: Array("Tor safe cookie authentication server-to-controller hash".utf8))
        let expected = HMAC<SHA256>.authenticationCode(for: cookie + clientNonce + serverNonce, using: key)
        guard expected == serverHash else { throw TransportError.torNotConnected(progress: 0) }
        let clientKey = SymmetricKey(data: Array("Tor safe cookie authentication controller-to-server hash".utf8))
        let proof = HMAC<SHA256>.authenticationCode(for: cookie + clientNonce + serverNonce, using: clientKey)
        _ = try await command("AUTHENTICATE \(Hex.encode(Array(proof)))")
    }

    /// The value of `NAME=value` in a reply line.
    static func value(_ name: String, in line: String) -> String? {
        line.split(separator: " ").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
    }

    /// Sends one command line and returns the answer's lines; an answer other than 250 throws.
    func command(_ line: String) async throws -> [String] {
        guard !closed.withLock({ $0 }) else { throw TransportError.torNotConnected(progress: 0) }
        return try await Self.blocking { [self] () throws -> [String] in
            let fd = descriptor
            let bytes = Array((line + "\r\n").utf8)
            // MSG_NOSIGNAL: a Tor that is gone is an error here, not a SIGPIPE.
            guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count
            else {
                throw TransportError.torNotConnected(progress: 0)
            }
            var lines: [String] = []
            var current: [UInt8] = []
            var byte: UInt8 = 0
            while lines.count < 1000 {
                guard read(fd, &byte, 1) == 1 else { throw TransportError.torNotConnected(progress: 0) }
                if byte == UInt8(ascii: "\n") {
                    if current.last == UInt8(ascii: "\r") { current.removeLast() }
                    let text = String(decoding: current, as: UTF8.self)
                    current = []
                    lines.append(text)
                    // The last line of an answer is the code and a space.
                    if text.count >= 4, text.dropFirst(3).first == " " {
                        guard text.hasPrefix("250") else { throw TransportError.torNotConnected(progress: 0) }
                        return lines
                    }
                } else if current.count < 8192 {
                    current.append(byte)
                }
            }
            throw TransportError.torNotConnected(progress: 0)
        }
    }

    /// Ends the connection (the Tor that this connection owns exits).
    func close() {
        closed.withLock { closed in
            if !closed { shutdown(descriptor, Int32(SHUT_RDWR)) }
            closed = true
        }
    }

    deinit { Foundation.close(descriptor) }

    private static func blocking<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
