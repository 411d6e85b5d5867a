// SPDX-License-Identifier: AGPL-3.0-or-later

import CSodium

/// Comparisons whose running time does not depend on the bytes compared.
public enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same bytes, in time that depends only on their lengths.
    ///
    /// Use it for MACs, tags, tokens and keys; never `==` on `[UInt8]`.
    public static func equals(_ lhs: some ContiguousBytesView, _ rhs: some ContiguousBytesView) -> Bool {
        lhs.withBytes { left in
            rhs.withBytes { right in
                equals(left, right)
            }
        }
    }

    static func equals(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        guard left.count == right.count else { return false }
        guard let leftBase = left.baseAddress, let rightBase = right.baseAddress, left.count > 0 else {
            return true
        }
        return sodium_memcmp(leftBase, rightBase, left.count) == 0
    }
}

/// Byte containers that AmanatCrypto reads without copying: `[UInt8]`, `ArraySlice<UInt8>`,
/// `UnsafeRawBufferPointer` and `SecureBytes`.
public protocol ContiguousBytesView {
    /// Calls `body` with the bytes. The pointer must not escape `body`.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result
}

extension Array: ContiguousBytesView where Element == UInt8 {
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(body)
    }
}

extension ArraySlice: ContiguousBytesView where Element == UInt8 {
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(body)
    }
}

extension UnsafeRawBufferPointer: ContiguousBytesView {
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(self)
    }
}

extension SecureBytes: ContiguousBytesView {
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(body)
    }
}
