// SPDX-License-Identifier: AGPL-3.0-or-later

/// One byte that is never written, to hand libsodium a valid pointer for an empty input where its
/// signature demands a non-null one (`baseAddress!` of an empty buffer would trap).
nonisolated(unsafe) private let emptyByte: UnsafeMutablePointer<UInt8> = {
    let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    pointer.initialize(to: 0)
    return pointer
}()

extension UnsafeRawBufferPointer {
    /// The bytes as `unsigned char *`, or a valid dummy pointer when the buffer is empty.
    var bytes: UnsafePointer<UInt8> {
        guard let base = baseAddress, count > 0 else { return UnsafePointer(emptyByte) }
        return base.assumingMemoryBound(to: UInt8.self)
    }

    /// The length as libsodium's `unsigned long long`.
    var length: UInt64 { UInt64(count) }
}

extension UnsafeMutableRawBufferPointer {
    /// The bytes as `unsigned char *`, or a valid dummy pointer when the buffer is empty.
    var mutableBytes: UnsafeMutablePointer<UInt8> {
        guard let base = baseAddress, count > 0 else { return emptyByte }
        return base.assumingMemoryBound(to: UInt8.self)
    }
}

extension ContiguousBytesView {
    /// The number of bytes.
    var byteCount: Int { withBytes { $0.count } }

    /// A copy of the bytes as an array.
    var byteArray: [UInt8] { withBytes { Array($0) } }
}
