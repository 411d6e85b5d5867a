// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation

/// Lower-case hex of bytes.
public func hex(_ bytes: [UInt8]) -> String {
    Hex.encode(bytes)
}

/// Lower-case hex of secret bytes: only for test vectors, whose keys come from public seeds.
public func hex(_ secret: SecureBytes) -> String {
    secret.withUnsafeBytes { hex(Array($0)) }
}

/// Lower-case hex of a mailbox id, blob id or digest.
public func hex<Kind>(_ identifier: ByteIdentifier<Kind>) -> String {
    hex(identifier.bytes)
}

/// Bytes from hex, or nil.
public func bytes(hex: String) -> [UInt8]? {
    Hex.decode(hex)
}

/// An X-Wing encapsulation as it appears in a vector file.
public struct RecordedEncapsulation: Codable, Equatable, Sendable {
    /// The 1,120-byte ciphertext, hex.
    public let ciphertext: String
    /// The 32-byte shared secret, hex.
    public let sharedSecret: String
}

/// Real encapsulations, remembered so that a vector file can replay them.
public struct RecordingEncapsulator: XWingEncapsulator {
    /// Everything encapsulated so far, in order.
    public private(set) var recorded: [RecordedEncapsulation] = []
    private var system = SystemEncapsulator()

    /// A recorder.
    public init() {}

    public mutating func encapsulate(to publicKey: XWing.PublicKey) throws(ProtocolError) -> XWing.Encapsulation {
        let result = try system.encapsulate(to: publicKey)
        recorded.append(
            RecordedEncapsulation(ciphertext: hex(result.encapsulation), sharedSecret: hex(result.sharedSecret)))
        return result
    }
}

/// Gives back recorded encapsulations in order, so a vector can be recomputed exactly.
public struct ReplayingEncapsulator: XWingEncapsulator {
    private var remaining: ArraySlice<RecordedEncapsulation>
    /// The encapsulations handed out.
    public private(set) var recorded: [RecordedEncapsulation] = []

    /// A replayer of `recorded`.
    public init(_ recorded: [RecordedEncapsulation]) {
        remaining = recorded[...]
    }

    public mutating func encapsulate(to publicKey: XWing.PublicKey) throws(ProtocolError) -> XWing.Encapsulation {
        guard let next = remaining.popFirst(), let ciphertext = bytes(hex: next.ciphertext),
            let secret = bytes(hex: next.sharedSecret)
        else { throw .malformed }
        recorded.append(next)
        return XWing.Encapsulation(sharedSecret: SecureBytes(copying: secret), encapsulation: ciphertext)
    }
}

/// The one JSON layout every vector file uses: sorted keys, pretty printed, a final newline.
public func encodeVectorFile(_ value: some Encodable) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(value) + Data("\n".utf8)
}

/// `lp(x₁) ‖ lp(x₂) ‖ …` with `lp(x) = u32(len(x)) ‖ x` big-endian (SPEC.md §2.2), written out
/// here from the spec rather than taken from the protocol's code, for vectors built from the
/// spec's formulas alone.
func specLengthPrefixed(_ fields: [UInt8]...) -> [UInt8] {
    fields.flatMap { withUnsafeBytes(of: UInt32($0.count).bigEndian) { Array($0) } + $0 }
}

/// A fixed 32-byte seed from a name, so vector files say where their keys come from.
public func seed(_ name: String) -> [UInt8] {
    // Cannot fail: 32 is a valid BLAKE2b output length.
    try! BLAKE2b.hash(Array(("amanat/v1/test-vector-seed/" + name).utf8))
}

/// A mailbox id, blob id or digest seeded from a name, as ``seed(_:)``.
public func seed<Kind>(_ name: String) -> ByteIdentifier<Kind> {
    // Cannot fail: a seed is 32 bytes.
    ByteIdentifier(seed(name))!
}

/// SplitMix64: a small seeded generator for test schedules (which message to drop, when to kill a
/// process). Not for keys.
public struct ScheduleRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator from `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
