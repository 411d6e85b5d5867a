// SPDX-License-Identifier: AGPL-3.0-or-later

import CMemoryFile
import Foundation

/// Bytes in an anonymous in-memory file (memfd), reachable by path as `/proc/self/fd/N` for as
/// long as it is open: how an upload reaches the attachment encryption without a temporary file
/// on disk. Closing it frees the memory.
final class MemoryFile {
    let descriptor: Int32

    /// A memory file holding `bytes`.
    ///
    /// - Throws: ``Failure`` when the kernel refuses or the write falls short.
    init(_ bytes: some Collection<UInt8>) throws {
        descriptor = amanat_memory_file("amanat-upload")
        guard descriptor >= 0 else { throw Failure() }
        let data = Array(bytes)
        var written = 0
        while written < data.count {
            let count = data[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else {
                close(descriptor)
                throw Failure()
            }
            written += count
        }
    }

    var url: URL { URL(fileURLWithPath: "/proc/self/fd/\(descriptor)") }

    deinit { close(descriptor) }

    struct Failure: Error {}
}
