// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// Reads the binary encodings of SPEC.md §2. Every read checks the remaining length first and
/// throws ``ProtocolError/malformed`` instead of trapping; lengths read from the input are
/// checked against the caller's bound before anything is allocated.
package struct ByteReader {
    private let bytes: [UInt8]
    package private(set) var offset: Int

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
    }

    package init(_ bytes: ArraySlice<UInt8>) {
        self.init(Array(bytes))
    }

    package var remaining: Int { bytes.count - offset }
    package var isAtEnd: Bool { offset == bytes.count }

    package mutating func u8() throws(ProtocolError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    package mutating func u16() throws(ProtocolError) -> UInt16 {
        try need(2)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    package mutating func u32() throws(ProtocolError) -> UInt32 { try bigEndian() }

    package mutating func u64() throws(ProtocolError) -> UInt64 { try bigEndian() }

    private mutating func bigEndian<Value: FixedWidthInteger & UnsignedInteger>() throws(ProtocolError) -> Value {
        let count = Value.bitWidth / 8
        try need(count)
        var value: Value = 0
        for index in 0..<count { value = value << 8 | Value(bytes[offset + index]) }
        offset += count
        return value
    }

    /// A boolean encoded as one byte, 0 or 1; anything else is malformed.
    package mutating func bool() throws(ProtocolError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        default: throw .malformed
        }
    }

    package mutating func fixed(_ count: Int) throws(ProtocolError) -> [UInt8] {
        try need(count)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// A 32-byte identifier of one kind: a mailbox id, a blob id, a digest (``ByteIdentifier``).
    package mutating func identifier<Kind>() throws(ProtocolError) -> ByteIdentifier<Kind> {
        guard let identifier = ByteIdentifier<Kind>(try fixed(ByteIdentifier<Kind>.byteCount)) else {
            throw .malformed
        }
        return identifier
    }

    /// Fixed-size secret bytes, copied straight into secret memory.
    package mutating func fixedSecret(_ count: Int) throws(ProtocolError) -> SecureBytes {
        try need(count)
        defer { offset += count }
        return SecureBytes(copying: bytes[offset..<offset + count])
    }

    package mutating func vector8(maximum: Int = Int(UInt8.max)) throws(ProtocolError) -> [UInt8] {
        let count = Int(try u8())
        guard count <= maximum else { throw .malformed }
        return try fixed(count)
    }

    package mutating func vector16(maximum: Int = Int(UInt16.max)) throws(ProtocolError) -> [UInt8] {
        let count = Int(try u16())
        guard count <= maximum else { throw .malformed }
        return try fixed(count)
    }

    package mutating func vector32(maximum: Int) throws(ProtocolError) -> [UInt8] {
        let count = Int(try u32())
        guard count <= maximum else { throw .malformed }
        return try fixed(count)
    }

    /// Everything that is left.
    package mutating func rest() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(bytes[offset...])
    }

    /// Fails unless every byte was read: trailing data is malformed, never ignored.
    package func finish() throws(ProtocolError) {
        guard isAtEnd else { throw .malformed }
    }

    /// Reads the version byte and checks it.
    package mutating func version(_ expected: UInt8) throws(ProtocolError) {
        guard try u8() == expected else { throw .unsupportedVersion }
    }

    private func need(_ count: Int) throws(ProtocolError) {
        guard count >= 0, remaining >= count else { throw .malformed }
    }
}
