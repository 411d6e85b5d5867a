// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// What one run of a command-line tool printed and how it ended.
public struct Run: Sendable, CustomStringConvertible {
    public let output: String
    public let error: String
    public let status: Int32

    public var description: String { "status \(status)\nstdout: \(output)\nstderr: \(error)" }
}

/// ``runTool(_:_:input:environment:)`` on a thread of its own, so that waiting for the child does
/// not hold one of Swift concurrency's few cooperative threads (two on a two-core machine: a test
/// run blocking both would stall every other test).
public func runTool(
    _ name: String, _ arguments: [String], input: String = "", environment: [String: String] = [:]
) async throws -> Run {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(
                with: Result { try runToolBlocking(name, arguments, input: input, environment: environment) })
        }
    }
}

/// Runs one of our binaries (beside the test bundle; or a program by absolute path) with `arguments`, `input` on its standard
/// input (passphrases, read through `--passphrase-fd 0`), and a fixed, small environment.
public func runToolBlocking(
    _ name: String, _ arguments: [String], input: String = "", environment: [String: String] = [:]
) throws -> Run {
    let process = Process()
    process.executableURL =
        name.hasPrefix("/")
        ? URL(fileURLWithPath: name) : LiveRelay.binary.deletingLastPathComponent().appendingPathComponent(name)
    process.arguments = arguments
    process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C"].merging(
        environment, uniquingKeysWith: { $1 })
    let output = Pipe()
    let error = Pipe()
    let stdin = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = stdin
    try process.run()
    stdin.fileHandleForWriting.offer(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(
        output: String(decoding: out, as: UTF8.self), error: String(decoding: err, as: UTF8.self),
        status: process.terminationStatus)
}

/// The repository this test build came from.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Every catalogue key the Swift files under `folders` (relative to the repository) name as a
/// literal: the first string argument of `say(`, `text(` and `CommandError(`, and every other
/// literal that looks like a dotted key (`error.unknown-case`) whose first part is one of
/// `families`. Keys built at run time (`"status." + word`) are the caller's to list.
public func catalogueKeysUsed(in folders: [String], families: Set<String>) throws -> Set<String> {
    var keys: Set<String> = []
    let called = try NSRegularExpression(pattern: #"(?:say|text|CommandError)\(\s*"([a-z][A-Za-z0-9.-]*)""#)
    let dotted = try NSRegularExpression(pattern: #""([a-z][a-z0-9-]*(?:\.[a-zA-Z0-9-]+)+)""#)
    for folder in folders {
        let directory = repositoryRoot.appendingPathComponent(folder)
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift", !url.lastPathComponent.contains("Catalogue") else { continue }
            let source = try String(contentsOf: url, encoding: .utf8)
            let range = NSRange(source.startIndex..., in: source)
            for match in called.matches(in: source, range: range) {
                // A key ending in "." is the start of one built at run time.
                if let key = Range(match.range(at: 1), in: source), !source[key].hasSuffix(".") {
                    keys.insert(String(source[key]))
                }
            }
            for match in dotted.matches(in: source, range: range) {
                guard let key = Range(match.range(at: 1), in: source) else { continue }
                let text = String(source[key])
                if let family = text.split(separator: ".").first, families.contains(String(family)) {
                    keys.insert(text)
                }
            }
        }
    }
    return keys
}

/// Latin words a Russian sentence may hold: names of programs, formats and keys, and what the
/// user types (inside backticks, options, addresses, indented command lines), which
/// ``latinWords(in:)`` removes first.
public let latinAllowed: Set<String> = [
    "Amanat", "Tor", "mat2", "GPS", "PDF", "QR", "EDITOR", "Ctrl", "D", "C", "base64", "base64url", "sha256",
    "onion", "ps", "N", "amanat", "card", "pin", "TLS", "SOCKS",
]

/// The Latin words of a Russian `sentence` that are not commands, options, addresses, indented
/// command lines or ``latinAllowed`` names.
public func latinWords(in sentence: String) -> Set<String> {
    let stripped = try! NSRegularExpression(
        pattern: #"(?m)^  .*$|`[^`]*`|%@|[a-z][a-z0-9+.-]*://\S*|--[a-z][a-z0-9-]*"#)
    let word = try! NSRegularExpression(pattern: #"[A-Za-z][A-Za-z0-9]*"#)
    let plain = stripped.stringByReplacingMatches(
        in: sentence, range: NSRange(sentence.startIndex..., in: sentence), withTemplate: " ")
    var found: Set<String> = []
    for match in word.matches(in: plain, range: NSRange(plain.startIndex..., in: plain)) {
        let latin = String(plain[Range(match.range, in: plain)!])
        if !latinAllowed.contains(latin) { found.insert(latin) }
    }
    return found
}

extension FileHandle {
    /// Writes `data` into a pipe a child process reads as its input. The child may have exited
    /// without reading it (a command refused before it asks, say); `write(_:)` would then trap on
    /// the broken pipe and take the whole test run down with it. Here that is ignored: a child
    /// that needed the input fails the test by what it prints.
    public func offer(_ data: Data) {
        try? write(contentsOf: data)
    }
}
