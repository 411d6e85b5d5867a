// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Synchronization

/// PDFs and office documents carry their author's name, the software and machine that made them,
/// edit history and comments (issue #16: a court paper left with `/Author (Gulnara K.)`). Unlike
/// JPEG and PNG (``ImageMetadata``) these formats cannot be cleaned by leaving bytes out, so they
/// go through mat2 (Debian's `mat2`, which rewrites the whole file: a PDF is rendered again, an
/// office file loses its properties, revision ids, comments and tracked changes), working on a
/// copy in a private directory in memory (`/dev/shm`), never on disk in the clear. Without mat2,
/// or when mat2 cannot clean the file, it is refused: it goes as it is only when the person asks
/// (`--keep-original`).
public enum DocumentMetadata {
    /// How a document is cleaned: the file name extension mat2 is given, which picks its parser.
    public struct Kind: Sendable, Equatable {
        public let fileExtension: String
    }

    /// Office formats mat2 cleans, by extension; all are ZIP archives.
    static let officeExtensions: Set<String> = ["docx", "xlsx", "pptx", "odt", "ods", "odp", "odg", "epub"]

    /// The document kind the file's first bytes (and, for ZIP archives, its name) announce; nil
    /// for anything else (images are ``ImageMetadata``'s).
    public static func kind(of url: URL, named name: String) -> Kind? {
        guard let handle = RegularFile.openForReading(url) else { return nil }
        defer { try? handle.close() }
        let head = Array((try? handle.read(upToCount: 5)) ?? Data())
        if head.starts(with: Array("%PDF-".utf8)) { return Kind(fileExtension: "pdf") }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            let named = URL(fileURLWithPath: name).pathExtension.lowercased()
            // Any other ZIP archive is cleaned as one (member dates, comments, and what mat2
            // knows of its members).
            return Kind(fileExtension: officeExtensions.contains(named) ? named : "zip")
        }
        return nil
    }

    /// mat2, where Debian puts it (or `AMANAT_MAT2`).
    static var mat2: String { ProcessInfo.processInfo.environment["AMANAT_MAT2"] ?? "/usr/bin/mat2" }
    /// The longest a cleaning may take.
    static let timeout: TimeInterval = 300

    /// A cleaned copy of `url` in a private directory in memory; ``CleanedFile/remove()`` it once
    /// encrypted.
    ///
    /// - Throws: ``AttachmentError/uncleanableDocument`` without mat2 or `/dev/shm`, or when mat2
    ///   fails on the file; ``AttachmentError/unreadable``.
    public static func cleaned(_ url: URL, kind: Kind) throws(AttachmentError) -> CleanedFile {
        guard FileManager.default.isExecutableFile(atPath: mat2) else { throw .uncleanableDocument }
        let directory = URL(fileURLWithPath: "/dev/shm").appendingPathComponent(
            "amanat-clean-" + UUID().uuidString, isDirectory: true)
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .uncleanableDocument
        }
        let cleaned = CleanedFile(
            directory: directory, url: directory.appendingPathComponent("d.cleaned.\(kind.fileExtension)"))
        let copy = directory.appendingPathComponent("d.\(kind.fileExtension)")
        guard
            let data = RegularFile.openForReading(url).flatMap({ handle in
                defer { try? handle.close() }
                return try? handle.readToEnd()
            })
        else {
            cleaned.remove()
            throw .unreadable
        }
        guard FileManager.default.createFile(atPath: copy.path, contents: data, attributes: [.posixPermissions: 0o600])
        else {
            cleaned.remove()
            throw .uncleanableDocument
        }
        // What it carries, to tell the user; then the cleaning.
        let shown = run(["--show", copy.path], in: directory)
        let cleanedOK = run([copy.path], in: directory)
        try? FileManager.default.removeItem(at: copy)
        guard cleanedOK != nil, FileManager.default.fileExists(atPath: cleaned.url.path) else {
            cleaned.remove()
            throw .uncleanableDocument
        }
        return CleanedFile(directory: directory, url: cleaned.url, removed: fields(shown ?? ""))
    }

    /// mat2 with `arguments` in `directory`, bounded in time; its output (at most 1 MiB) if it
    /// exited 0.
    private static func run(_ arguments: [String], in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mat2)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        // No HOME, no display: mat2 reads nothing of the user's.
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path, "LANG": "C.UTF-8"]
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        // Read while it runs (a full pipe would block it), up to the bound.
        let collected = Mutex(Data())
        let done = Mutex(false)
        let reader = Thread {
            while case let chunk = output.fileHandleForReading.availableData, !chunk.isEmpty {
                collected.withLock { if $0.count < 1 << 20 { $0.append(chunk) } }
            }
            done.withLock { $0 = true }
        }
        reader.start()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                process.waitUntilExit()
                break
            }
            usleep(20_000)
        }
        try? output.fileHandleForWriting.close()
        while !done.withLock({ $0 }) { usleep(1000) }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else { return nil }
        return String(decoding: collected.withLock { $0 }, as: UTF8.self)
    }

    /// The names of the metadata fields `mat2 --show` listed (without namespace prefixes, dates
    /// mat2 prints for every archive member, and placeholder values), once each, in order.
    static func fields(_ shown: String) -> [String] {
        var names: [String] = []
        for line in shown.split(separator: "\n") where line.hasPrefix("    ") {
            // "    author: …" or, inside an archive member, "      dc:creator: …".
            let field = line.trimmingCharacters(in: .whitespaces)
            guard let separator = field.range(of: ": ") else { continue }
            let name = String(field[..<separator.lowerBound].split(separator: ":").last ?? "")
            let value = field[separator.upperBound...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !["format", "date_time"].contains(name), value != "-1", !names.contains(name)
            else { continue }
            names.append(name)
        }
        return names
    }

    /// A cleaned document in memory.
    public struct CleanedFile: Sendable {
        let directory: URL
        /// Where it is.
        public let url: URL
        /// The metadata fields the original carried (as mat2 names them: author, creator, …).
        public var removed: [String] = []

        /// Removes it and its directory.
        public func remove() { try? FileManager.default.removeItem(at: directory) }
    }
}
