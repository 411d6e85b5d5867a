// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files of a release and of its key, read and written with no surprises: only regular files
/// (not a link, a pipe or a device, which a folder on a stranger's USB stick may hold), read only
/// up to a size, and never written over.
public enum ReleaseFiles {
    /// No key, signature or manifest file of ours is anywhere near this; a bigger one is not ours.
    public static let smallFileLimit = 1 << 20

    /// Whether `path` is a regular file itself (a symbolic link is not followed), and its size.
    static func regularFileSize(_ path: String) -> Int? {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(status.st_size)
    }

    /// The bytes of the regular file at `path`, if it holds at most `limit` bytes.
    public static func read(_ path: String, limit: Int = smallFileLimit) throws(ReleaseError) -> [UInt8] {
        guard let size = regularFileSize(path) else { throw .missing(path) }
        guard size <= limit else { throw .malformed("\(visible(path)) is larger than \(limit) bytes") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .missing(path) }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: limit + 1), data.count <= limit else {
            throw .malformed("\(visible(path)) is larger than \(limit) bytes")
        }
        return Array(data)
    }

    /// Writes `bytes` to a new file at `path` with `mode`, and syncs it. Refuses if anything is
    /// at `path` already (a key, a manifest, a link): nothing is ever written over.
    public static func create(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(ReleaseError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .cannotWrite(path) }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        guard written, fchmod(descriptor, mode) == 0, fsync(descriptor) == 0 else {
            unlink(path)
            throw .cannotWrite(path)
        }
    }

    /// The names in `directory`, or a refusal if it cannot be listed.
    static func names(in directory: URL) throws(ReleaseError) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            throw .missing(directory.path)
        }
        return names
    }
}

/// `text` with every control character, and every character that is not printable, written as
/// `\u{…}`: a file name or comment from a release folder can hold escape sequences that would
/// otherwise redraw the terminal (a refusal made to look like success).
func visible(_ text: String) -> String {
    text.unicodeScalars.map { scalar in
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
            "\\u{\(String(scalar.value, radix: 16))}"
        default: String(scalar)
        }
    }.joined()
}
