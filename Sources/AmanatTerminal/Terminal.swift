// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading passphrases and drawing progress, on the terminal or from a file descriptor.
public enum Terminal {
    /// Reads one line from file descriptor `fd` (for scripts: `--passphrase-fd 3 3<file`), without
    /// the line break. Returns nil at end of input.
    public static func readLine(fd: Int32) -> SecureBytes? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1 {
            if byte == 0x0A { break }
            bytes.append(byte)
            guard bytes.count <= 4096 else { break }
        }
        if bytes.last == 0x0D { bytes.removeLast() }
        if bytes.isEmpty && byte != 0x0A { return nil }
        return SecureBytes(moving: &bytes)
    }

    /// Asks on the controlling terminal with echo off. Nil when there is no terminal.
    public static func prompt(_ text: String) -> SecureBytes? {
        let tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard tty >= 0 else { return nil }
        defer { close(tty) }
        var original = termios()
        guard tcgetattr(tty, &original) == 0 else { return nil }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        silent.c_lflag |= tcflag_t(ECHONL)
        // Echo off (dropping stale typeahead) before the prompt appears: whatever is typed or
        // pasted once it shows is kept. The other order loses a quick answer to the flush.
        guard tcsetattr(tty, TCSAFLUSH, &silent) == 0 else { return nil }
        defer { _ = tcsetattr(tty, TCSANOW, &original) }
        _ = text.utf8CString.withUnsafeBufferPointer { write(tty, $0.baseAddress, $0.count - 1) }
        return readLine(fd: tty)
    }

    /// Shows `text` on the controlling terminal and reads what is typed there (echo on, several
    /// lines) until Ctrl-D at the start of a line, at most `limit` bytes. Nil when there is no
    /// terminal, or more than `limit` bytes were typed. What is typed stays out of the command
    /// line, so neither `ps` nor the shell's history sees it.
    /// The text written in the user's editor (`VISUAL`, `EDITOR`, else `nano` or `vi`) on a file in
    /// a private directory in memory (`/dev/shm`, mode 0700), which is overwritten and removed
    /// afterwards with everything the editor left beside it. Nil when no editor or no memory
    /// directory can be used, or the editor failed; the text may be empty (the user wrote nothing).
    public static func editText(limit: Int) -> String? {
        let environment = ProcessInfo.processInfo.environment
        let editor =
            [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty }
            ?? ["/usr/bin/nano", "/usr/bin/vi"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let editor else { return nil }
        let directory = URL(fileURLWithPath: "/dev/shm").appendingPathComponent(
            "amanat-edit-" + UUID().uuidString, isDirectory: true)
        guard
            (try? FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])) != nil
        else { return nil }
        let file = directory.appendingPathComponent("update.txt")
        defer {
            // Overwrite what is there (the text, the editor's backups), then remove it all.
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
                let path = directory.appendingPathComponent(name).path
                if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int,
                    let handle = FileHandle(forWritingAtPath: path)
                {
                    handle.write(Data(count: size))
                    try? handle.synchronize()
                    try? handle.close()
                }
            }
            try? FileManager.default.removeItem(at: directory)
        }
        guard
            FileManager.default.createFile(atPath: file.path, contents: Data(), attributes: [.posixPermissions: 0o600])
        else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The editor setting may carry arguments ("code --wait"), as for git.
        process.arguments = ["-c", editor + " \"$1\"", "editor", file.path]
        process.currentDirectoryURL = directory
        do {
            try process.run()
        } catch {
            return nil
        }
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0,
            let data = FileManager.default.contents(atPath: file.path), data.count <= limit
        else { return nil }
        return String(data: data, encoding: .utf8)
    }

    public static func readText(_ text: String, limit: Int) -> String? {
        let tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard tty >= 0 else { return nil }
        defer { close(tty) }
        _ = text.utf8CString.withUnsafeBufferPointer { write(tty, $0.baseAddress, $0.count - 1) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(tty, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
            guard bytes.count <= limit else { return nil }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Asks on the terminal (echo on) for `word`, which the question names; true only when that
    /// word is typed (in any case, surrounding spaces ignored).
    public static func confirm(_ text: String, word: String) -> Bool {
        let tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard tty >= 0 else { return false }
        defer { close(tty) }
        _ = text.utf8CString.withUnsafeBufferPointer { write(tty, $0.baseAddress, $0.count - 1) }
        guard let answer = readLine(fd: tty) else { return false }
        let typed = answer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        return typed.trimmingCharacters(in: .whitespaces).uppercased() == word.uppercased()
    }

    /// Whether standard error is a terminal (progress bars go there).
    public static var showsProgress: Bool { isatty(STDERR_FILENO) == 1 }

    /// The progress bar of the client's own Tor while it connects.
    @Sendable public static func drawTorProgress(_ progress: TorProgress) {
        drawProgress(name: "Tor", done: UInt64(progress.percent), total: 100)
    }

    /// A one-line progress bar on standard error: `name [#####     ] 42%`.
    public static func drawProgress(name: String, done: UInt64, total: UInt64) {
        let fraction = total == 0 ? 1 : min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        let shown = VisibleText.of(String(name.prefix(24)), multiline: false)
        let line = "\r\(shown) [\(bar)] \(Int(fraction * 100))%" + (done >= total ? "\n" : "")
        FileHandle.standardError.write(Data(line.utf8))
    }
}
