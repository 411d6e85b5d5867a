// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// Helpers the test targets share for driving real processes on loopback.

/// Runs a program to completion, optionally feeding `input` on its standard input; its trimmed
/// standard output and exit status (standard error is discarded).
@discardableResult
public func runProgram(_ program: String, _ arguments: [String], input: Data? = nil) throws -> (String, Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    let inputPipe = Pipe()
    if input != nil { process.standardInput = inputPipe }
    try process.run()
    if let input {
        inputPipe.fileHandleForWriting.offer(input)
        try inputPipe.fileHandleForWriting.close()
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
        String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
        process.terminationStatus
    )
}

/// A loopback TCP port nobody listens on now.
public func freeLoopbackPort() throws -> Int {
    // Below Linux's ephemeral range (32768-60999), so that a port a test gives back for a moment
    // (a relay killed to be restarted on it) is never handed to some client's outgoing
    // connection meanwhile: that made a restart fail once in a loaded run.
    for _ in 0..<500 {
        if let (fd, port) = try? loopbackSocket(listening: false, port: Int.random(in: 20_000..<32_000)) {
            close(fd)
            return port
        }
    }
    let (fd, port) = try loopbackSocket(listening: false)
    close(fd)
    return port
}

/// A TCP socket bound to a free loopback port (`port`, or any when 0), listening if asked (then
/// it accepts connections into its backlog but never answers them: a relay that hangs); the
/// caller closes `fd`.
public func loopbackSocket(listening: Bool, port: Int = 0, reuseAddress: Bool = false) throws -> (fd: Int32, port: Int)
{
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    if reuseAddress {
        // A port whose last connections linger in TIME_WAIT can be listened on again.
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 && (!listening || listen(fd, 4) == 0)
        }
    }
    guard bound else {
        close(fd)
        throw LoopbackError.noFreePort
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// How many connections wait in the backlog of the listening socket `fd`: they are accepted and
/// closed to count them.
public func pendingConnections(_ fd: Int32) -> Int {
    let flags = fcntl(fd, F_GETFL)
    _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    var count = 0
    while case let connection = accept(fd, nil, nil), connection >= 0 {
        close(connection)
        count += 1
    }
    return count
}

/// A SOCKS5 proxy (Debian's microsocks) on a free loopback port, killed when released.
public final class SocksProxy: @unchecked Sendable {
    public let port: Int
    private let process = Process()

    /// Starts it and gives it a moment to listen.
    public init() async throws {
        port = try freeLoopbackPort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/microsocks")
        process.arguments = ["-i", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try await Task.sleep(for: .milliseconds(300))
    }

    /// Its address for a `socks5h://` proxy setting.
    public var url: String { "socks5h://127.0.0.1:\(port)" }

    /// Kills it; a test calls this in a `defer`, which also keeps the proxy alive until then.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// No loopback port could be had.
public enum LoopbackError: Error {
    case noFreePort
}

/// Makes a self-signed P-256 certificate and its key with OpenSSL in `directory`, valid for two
/// days: what the TLS tests serve. Returns the two PEM files' paths.
public func makeSelfSignedCertificate(in directory: URL) throws -> (certificate: String, key: String) {
    let certificate = directory.appendingPathComponent("cert.pem").path
    let key = directory.appendingPathComponent("key.pem").path
    let (_, status) = try runProgram(
        "/usr/bin/openssl",
        [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
            "-out", certificate, "-days", "2", "-subj", "/CN=relay.test",
        ])
    guard status == 0 else { throw CertificateError.opensslFailed }
    return (certificate, key)
}

/// OpenSSL could not make the test certificate.
public enum CertificateError: Error {
    case opensslFailed
}

/// What a program run on a pseudo-terminal showed.
public struct TerminalRun: Sendable {
    /// Everything the terminal showed, prompts and echoed input included.
    public let output: String
    /// The program's exit status.
    public let status: Int
    /// Whether the program was still running at the deadline (and was killed).
    public let timedOut: Bool
}

/// Why a program could not be run on a pseudo-terminal.
public enum TerminalRunError: Error {
    /// The driver (Tests/Fixtures/pty-drive.py) failed or answered something else.
    case driverFailed(String)
}

/// Runs the built tool `tool` (`amanat`, `amanat-inbox`) with `arguments` on a pseudo-terminal,
/// through Tests/Fixtures/pty-drive.py, typing each answer when its prompt appears (followed by
/// Enter, except Ctrl-D, `"\u{4}"`, which is typed alone).
public func runOnTerminal(
    tool: String, _ arguments: [String], answers: [(String, String)], timeout: Int = 120
) async throws -> TerminalRun {
    let binary = LiveRelay.binary.deletingLastPathComponent().appendingPathComponent(tool).path
    let spec: [String: Any] = [
        "argv": [binary] + arguments,
        "answers": answers.map { $0.1 == "\u{4}" ? [$0.0, $0.1, false] : [$0.0, $0.1] }, "timeout": timeout,
    ]
    let driver = repositoryRoot.appendingPathComponent("Tests/Fixtures/pty-drive.py").path
    let json = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
    let (text, status) = try await withCheckedThrowingContinuation { continuation in
        // A thread of its own: the wait must not hold a cooperative thread (see `runTool`).
        Thread.detachNewThread {
            continuation.resume(with: Result { try runProgram("/usr/bin/python3", [driver, json]) })
        }
    }
    guard status == 0, let result = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
        let output = result["output"] as? String, let exit = result["status"] as? Int,
        let timedOut = result["timedOut"] as? Bool
    else { throw TerminalRunError.driverFailed(text) }
    return TerminalRun(output: output, status: exit, timedOut: timedOut)
}

/// Tests/Fixtures.
public let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

/// Starts the Python fixture `script` (in Tests/Fixtures) with `arguments`, a loopback proxy
/// that prints its port first: the process, to terminate, and that port.
public func startProxyFixture(_ script: String, _ arguments: [String]) throws -> (process: Process, port: Int) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = [fixtures.appendingPathComponent(script).path] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let line = output.fileHandleForReading.availableData
    guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
        process.terminate()
        throw FixtureError.noPort(script)
    }
    return (process, port)
}

public enum FixtureError: Error {
    case noPort(String)
}
