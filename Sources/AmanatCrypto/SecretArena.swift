// SPDX-License-Identifier: AGPL-3.0-or-later

import CSodium
import Synchronization

/// Locked memory that small secrets are carved from.
///
/// Locking each key separately costs two system calls (`mlock`, `munlock`) that split and merge
/// the process's memory mappings; a ratchet makes several keys per message, and profiling showed
/// those calls taking most of its time. The arena locks 64 KiB chunks once, never unlocks or
/// frees them, and hands out 64-byte slots from a free list under a mutex. A released slot is
/// zeroed by its owner before it comes back. When the system refuses to lock more memory
/// (`RLIMIT_MEMLOCK`), new chunks are used unlocked and their slots say so.
final class SecretArena: Sendable {
    /// The one arena of the process.
    static let shared = SecretArena()
    /// The size of one slot: the largest secret that lives in the arena.
    static let slotByteCount = 64
    /// The size of one chunk, locked as a whole.
    static let chunkByteCount = 64 * 1024

    /// Free slots by address (addresses are plain integers, so the list is `Sendable`).
    private struct FreeList {
        var locked: [Int] = []
        var unlocked: [Int] = []
    }

    private let free = Mutex(FreeList())

    /// A zeroed slot, and whether its memory is locked.
    func allocate() -> (pointer: UnsafeMutableRawPointer, isLocked: Bool) {
        let (address, isLocked) = free.withLock { list -> (Int, Bool) in
            if list.locked.isEmpty && list.unlocked.isEmpty {
                Self.addChunk(to: &list)
            }
            if let slot = list.locked.popLast() {
                return (slot, true)
            }
            return (list.unlocked.removeLast(), false)
        }
        // Cannot be nil: every address in the lists came from a live allocation.
        return (UnsafeMutableRawPointer(bitPattern: address)!, isLocked)
    }

    /// Takes back a slot its owner has zeroed; `isLocked` is what ``allocate()`` said of it.
    func release(_ slot: UnsafeMutableRawPointer, isLocked: Bool) {
        let address = Int(bitPattern: slot)
        free.withLock { list in
            if isLocked {
                list.locked.append(address)
            } else {
                list.unlocked.append(address)
            }
        }
    }

    private static func addChunk(to list: inout FreeList) {
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: chunkByteCount, alignment: 4096)
        chunk.initializeMemory(as: UInt8.self, repeating: 0, count: chunkByteCount)
        let isLocked = sodium_mlock(chunk, chunkByteCount) == 0
        let start = Int(bitPattern: chunk)
        // Slots come out in address order: the last pushed is popped first.
        let slots = stride(from: chunkByteCount - slotByteCount, through: 0, by: -slotByteCount).map { start + $0 }
        if isLocked {
            list.locked += slots
        } else {
            list.unlocked += slots
        }
    }
}
