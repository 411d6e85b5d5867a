// SPDX-License-Identifier: AGPL-3.0-or-later

import CSodium

/// A buffer for secret bytes: keys, shared secrets, passphrases.
///
/// The bytes live in their own heap allocation, which is locked into memory where the system
/// allows it (so it is not written to swap) and zeroed over its whole capacity when the last copy
/// goes away or when ``wipe()`` is called. They are reachable only through ``withUnsafeBytes(_:)``;
/// `description`, `debugDescription` and `dump` show a redacted placeholder, never the bytes.
/// Equality is decided in constant time.
///
/// Copies share storage until one of them is mutated (copy-on-write), like `Array`.
///
/// Buffers of up to 64 bytes (every key) are slots of ``SecretArena``: pages locked once and
/// reused, so creating a key costs no system call. Larger buffers are locked one by one, best
/// effort: `RLIMIT_MEMLOCK` may be small, and `munlock` works on whole pages. Zeroing is always
/// done. SECURITY.md explains why encrypted or no swap is still advised.
public struct SecureBytes: Sendable {
    private var storage: Storage

    /// Creates a buffer of `count` zero bytes.
    public init(zeroedCount count: Int) {
        precondition(count >= 0, "a buffer cannot have a negative size")
        storage = Storage(count: count)
    }

    /// Creates a buffer holding a copy of `bytes`.
    ///
    /// The source is left as it is: prefer ``init(moving:)`` when the source is itself secret.
    public init(copying bytes: some Collection<UInt8>) {
        storage = Storage(count: bytes.count)
        let destination = UnsafeMutableRawBufferPointer(start: storage.pointer, count: storage.count)
        _ = destination.initializeMemory(as: UInt8.self, from: bytes)
    }

    /// Creates a buffer from `bytes`, then zeroes `bytes` so that only this buffer holds them.
    public init(moving bytes: inout [UInt8]) {
        self.init(copying: bytes)
        bytes.withUnsafeMutableBytes { zeroMemory($0) }
        bytes.removeAll()
    }

    /// Creates a buffer of `count` bytes from the system's secure random number generator.
    public static func random(count: Int) -> SecureBytes {
        var bytes = SecureBytes(zeroedCount: count)
        bytes.withUnsafeMutableBytes { fillRandom($0) }
        return bytes
    }

    /// The number of bytes.
    public var count: Int { storage.count }

    /// Whether the buffer's pages were locked into memory when it was allocated.
    public var isMemoryLocked: Bool { storage.isLocked }

    /// Calls `body` with the secret bytes. The pointer must not escape `body`.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Calls `body` with the secret bytes for writing, copying them first if they are shared.
    public mutating func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy()
        }
        return try body(UnsafeMutableRawBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Zeroes the bytes now, in place, without waiting for the buffer to be released.
    ///
    /// Other copies that share this storage keep their bytes (value semantics): this copy moves to
    /// fresh zeroed storage instead, and the shared bytes are zeroed when the last copy goes away.
    public mutating func wipe() {
        if isKnownUniquelyReferenced(&storage) {
            zeroMemory(UnsafeMutableRawBufferPointer(start: storage.pointer, count: storage.capacity))
        } else {
            storage = Storage(count: storage.count)
        }
    }

    /// A new buffer holding the bytes in `range`.
    public func extracting(_ range: Range<Int>) -> SecureBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range out of bounds")
        return withUnsafeBytes { SecureBytes(copying: $0[range]) }
    }

    /// A new buffer holding these bytes followed by `other`'s.
    public func appending(_ other: SecureBytes) -> SecureBytes {
        var result = SecureBytes(zeroedCount: count + other.count)
        result.withUnsafeMutableBytes { destination in
            withUnsafeBytes { destination.copyMemory(from: $0) }
            other.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: destination[count...]).copyMemory(from: $0)
            }
        }
        return result
    }
}

// MARK: - Equality in constant time

extension SecureBytes: Equatable {
    /// Compares two buffers in time that depends only on their lengths.
    public static func == (lhs: SecureBytes, rhs: SecureBytes) -> Bool {
        lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                ConstantTime.equals(left, right)
            }
        }
    }
}

// MARK: - Redacted descriptions

extension SecureBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "SecureBytes(\(count) bytes, redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

// MARK: - Storage

extension SecureBytes {
    /// The allocation behind a ``SecureBytes``. Immutable after creation except through a uniquely
    /// referenced ``SecureBytes``, which is why it can be `Sendable`.
    private final class Storage: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        let count: Int
        /// The bytes owned, all zeroed on release: a whole arena slot, or at least one byte.
        let capacity: Int
        let isLocked: Bool
        /// Whether `pointer` is an arena slot (else its own allocation).
        private let isArenaSlot: Bool

        init(count: Int) {
            ensureSodium()
            self.count = count
            if count <= SecretArena.slotByteCount {
                let slot = SecretArena.shared.allocate()
                pointer = slot.pointer
                capacity = SecretArena.slotByteCount
                isLocked = slot.isLocked
                isArenaSlot = true
            } else {
                capacity = count
                pointer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
                pointer.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
                isLocked = sodium_mlock(pointer, capacity) == 0
                isArenaSlot = false
            }
        }

        func copy() -> Storage {
            let copy = Storage(count: count)
            copy.pointer.copyMemory(from: pointer, byteCount: count)
            return copy
        }

        deinit {
            sodium_memzero(pointer, capacity)
            if isArenaSlot {
                SecretArena.shared.release(pointer, isLocked: isLocked)
            } else {
                if isLocked {
                    _ = sodium_munlock(pointer, capacity)
                }
                pointer.deallocate()
            }
        }
    }
}

// MARK: - Helpers shared with the rest of the module

/// Zeroes `buffer` in a way the compiler may not optimise away.
func zeroMemory(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    sodium_memzero(base, buffer.count)
}

/// Fills `buffer` from the system's secure random number generator.
func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) {
    ensureSodium()
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    randombytes_buf(base, buffer.count)
}

extension Array where Element == UInt8 {
    /// Zeroes the array's bytes in place (when its storage is not shared) and empties it: for
    /// the rare plain array that held a secret on its way into or out of ``SecureBytes``.
    public mutating func secureWipe() {
        withUnsafeMutableBytes { zeroMemory($0) }
        removeAll()
    }
}
