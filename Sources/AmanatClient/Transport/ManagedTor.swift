// SPDX-License-Identifier: AGPL-3.0-or-later

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
/// `tor`, its data in the profile's folder (`tor/`), its configuration given on standard input so
/// that no bridge line is written in clear, SOCKS and control on ephemeral loopback ports, and
/// tied to this process (`TAKEOWNERSHIP` on the control connection and
/// `__OwningControllerProcess`), so it stops when the process does, however it ends.
///
/// It starts on the first request that needs it and waits until Tor has connected, telling the
/// observer how far it is. If Tor cannot connect in time, every request fails with
/// ``TransportError/torNotConnected(progress:)`` and nothing is sent any other way: the caller's
/// work stays queued (fail closed).
public actor ManagedTor {
    /// The folder inside a profile's folder that holds its Tor's data.
    public static let folderName = "tor"
    /// Extra torrc lines that join a private test network (`scripts/tor-testnet`'s
    /// `clientTorrc`): for tests only.
    public static let testingNetworkVariable = "AMANAT_TOR_TESTING_NETWORK"
    /// Seconds to wait for Tor to connect, overriding the default.
    public static let timeoutVariable = "AMANAT_TOR_TIMEOUT"

    let folder: URL
    let bridges: [String]
    let timeout: Duration
    private var startup: Task<String, any Error>?
    private var process: Process?
    private var control: TorControl?
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
            // this Tor is not used again in this process: nothing is sent by any other way.
            lastFailure.withLock { $0 = $0 ?? progress }
            if process != nil || control != nil { await stop() }
            throw .torNotConnected(progress: progress.percent)
        }
    }

    /// Kills the Tor this process started at once, so that it writes nothing more (before the
    /// profile is wiped): no state saved on the way out, unlike ``stop()``.
    public nonisolated func killNow() {
        launched.withLock { pid in
            if pid > 0 { kill(pid, SIGKILL) }
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
        startup = Task { throw TransportError.torNotConnected(progress: 0) }
    }

    /// Stops this Tor and removes its data, and the profile's folder if nothing else is in it
    /// (an enrolment that failed before the profile existed).
    public func discard() async {
        await stop()
        try? FileManager.default.removeItem(at: folder)
        let profile = folder.deletingLastPathComponent()
        if let rest = try? FileManager.default.contentsOfDirectory(atPath: profile.path), rest.isEmpty {
            try? FileManager.default.removeItem(at: profile)
        }
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
        // Another command on this profile may run its Tor already (`sync --watch`): use it.
        if let attached = try? await TorControl.connect(portFile: portFile, cookieFile: cookieFile) {
            control = attached
        } else {
            try? FileManager.default.removeItem(at: portFile)
            try launch(portFile: portFile, cookieFile: cookieFile)
            let deadline = ContinuousClock.now + .seconds(30)
            while control == nil {
                if let connected = try? await TorControl.connect(portFile: portFile, cookieFile: cookieFile) {
                    control = connected
                    // Tor exits as soon as this connection closes, whatever ends this process.
                    _ = try await connected.command("TAKEOWNERSHIP")
                    break
                }
                guard ContinuousClock.now < deadline, process?.isRunning == true else {
                    lastFailure.withLock { $0 = progress }
                    await stop()
                    throw TransportError.torNotConnected(progress: 0)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        guard let control else { throw TransportError.torNotConnected(progress: 0) }
        let deadline = ContinuousClock.now + timeout
        while true {
            let phase = try await control.command("GETINFO status/bootstrap-phase")
            if let reported = Self.progress(fromBootstrapPhase: phase) {
                if reported != progress {
                    progress = reported
                    observer.withLock { $0 }?(reported)
                }
                if reported.percent >= 100 { break }
            }
            guard ContinuousClock.now < deadline, process?.isRunning != false else {
                lastFailure.withLock { $0 = progress }
                await stop()
                throw TransportError.torNotConnected(progress: progress.percent)
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let listeners = try await control.command("GETINFO net/listeners/socks")
        guard let port = Self.socksPort(fromListeners: listeners) else {
            await stop()
            throw TransportError.torNotConnected(progress: progress.percent)
        }
        return "socks5h://127.0.0.1:\(port)"
    }

    /// Starts `tor` with the configuration on its standard input.
    private func launch(portFile: URL, cookieFile: URL) throws {
        var lines = [
            "DataDirectory \(folder.path)",
            "SocksPort 127.0.0.1:auto",
            "ControlPort 127.0.0.1:auto",
            "ControlPortWriteToFile \(portFile.path)",
            "CookieAuthentication 1",
            "CookieAuthFile \(cookieFile.path)",
            "__OwningControllerProcess \(ProcessInfo.processInfo.processIdentifier)",
            "ClientOnly 1",
            "AvoidDiskWrites 1",
        ]
        if !bridges.isEmpty {
            lines.append("UseBridges 1")
            let transports = Set(bridges.compactMap { $0.split(separator: " ").first.map(String.init) })
            if transports.contains("obfs4") { lines.append("ClientTransportPlugin obfs4 exec /usr/bin/obfs4proxy") }
            if transports.contains("snowflake") {
                lines.append("ClientTransportPlugin snowflake exec /usr/bin/snowflake-client")
            }
            lines += bridges.map { "Bridge \($0)" }
        }
        if let path = ProcessInfo.processInfo.environment[Self.testingNetworkVariable],
            let testing = try? String(contentsOfFile: path, encoding: .utf8)
        {
            lines.append(testing)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["-f", "-", "--defaults-torrc", "/dev/null", "--quiet"]
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
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
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
    private let descriptor: Mutex<Int32>

    private init(descriptor: Int32) {
        self.descriptor = Mutex(descriptor)
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
            let hex = cookie.map { String(format: "%02x", $0) }.joined()
            _ = try await control.command("AUTHENTICATE \(hex)")
        } catch {
            control.close()
            throw error
        }
        return control
    }

    /// Sends one command line and returns the answer's lines; an answer other than 250 throws.
    func command(_ line: String) async throws -> [String] {
        let fd = descriptor.withLock { $0 }
        guard fd >= 0 else { throw TransportError.torNotConnected(progress: 0) }
        return try await Self.blocking { () throws -> [String] in
            let bytes = Array((line + "\r\n").utf8)
            guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
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

    func close() {
        descriptor.withLock { fd in
            if fd >= 0 { Foundation.close(fd) }
            fd = -1
        }
    }

    deinit { close() }

    private static func blocking<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
