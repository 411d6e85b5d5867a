// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// Builds the binary encodings of SPEC.md §2: big-endian integers, fixed-size fields, and
/// byte strings prefixed with their length.
package struct ByteWriter {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    package mutating func u8(_ value: UInt8) {
        bytes.append(value)
    }

    package mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    package mutating func u32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    package mutating func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// Bytes whose length the format fixes, so no prefix.
    package mutating func fixed(_ value: some Collection<UInt8>) {
        bytes.append(contentsOf: value)
    }

    /// Secret bytes whose length the format fixes.
    package mutating func fixed(_ value: SecureBytes) {
        value.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    /// A byte string with a u8 length prefix (at most 255 bytes).
    package mutating func vector8(_ value: some Collection<UInt8>) {
        precondition(value.count <= UInt8.max, "vector8 longer than 255 bytes")
        u8(UInt8(value.count))
        fixed(value)
    }

    /// A byte string with a u16 length prefix (at most 65,535 bytes).
    package mutating func vector16(_ value: some Collection<UInt8>) {
        precondition(value.count <= UInt16.max, "vector16 longer than 65,535 bytes")
        u16(UInt16(value.count))
        fixed(value)
    }

    /// A byte string with a u32 length prefix.
    package mutating func vector32(_ value: some Collection<UInt8>) {
        precondition(value.count <= UInt32.max, "vector32 longer than 4 GiB")
        u32(UInt32(value.count))
        fixed(value)
    }
}

/// `lp(x)` of SPEC.md §2: a u32 big-endian length followed by the bytes. Every KDF, MAC and
/// signature input is a concatenation of `lp` fields, so no two inputs can be confused.
package func lengthPrefixed(_ fields: [UInt8]...) -> [UInt8] {
    var writer = ByteWriter(capacity: fields.reduce(0) { $0 + 4 + $1.count })
    for field in fields {
        writer.vector32(field)
    }
    return writer.bytes
}

extension String {
    /// The ASCII label as bytes.
    package var bytes: [UInt8] { Array(utf8) }
}
