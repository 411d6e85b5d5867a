// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// Files the tools read from or write to on a person's say-so, kept to regular files: a named
/// pipe would hang the command, a device would be read without end (or sent as an empty file),
/// and renaming over a special file would replace it with clear text.
public enum RegularFile {
    /// Whether `path` names a regular file (following a symbolic link).
    public static func isRegular(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether `path` may be written: nothing there yet, or a regular file (following a link).
    public static func mayWrite(_ path: String) -> Bool {
        var status = stat()
        guard lstat(path, &status) == 0 else { return errno == ENOENT }
        return isRegular(path)
    }

    /// Opens `url` for reading only if it is a regular file, without blocking on a pipe.
    public static func openForReading(_ url: URL) -> FileHandle? {
        let descriptor = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            return nil
        }
        // Regular files never block; clear the flag so reads behave as usual.
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// Writes `bytes` to `url` as a new file of mode 0600 (clear text is for its owner only),
    /// flushed, then renamed into place; refuses a destination that is not a regular file.
    ///
    /// - Throws: ``AttachmentError/unwritable``.
    public static func write(_ bytes: [UInt8], to url: URL) throws(AttachmentError) {
        // AtomicWriter refuses a destination that is not a regular file.
        let writer = try AtomicWriter(url)
        do {
            try writer.write(bytes)
        } catch {
            writer.discard()
            throw error
        }
        try writer.commit()
    }
}
