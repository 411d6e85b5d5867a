// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// The number two people compare to check that no one sits between them (SPEC.md §10), built
/// like Signal's: 60 digits, the same on both sides.
///
/// For each identity: `h = SHA-512(u16(1) ‖ keys ‖ label)`, then 5,200 times
/// `h = SHA-512(h ‖ keys)`, where `keys` is the identity's signing ‖ agreement keys. The first 30
/// bytes of `h`, as six 5-byte big-endian numbers each taken modulo 100,000, give 30 digits. The
/// two 30-digit halves are ordered as strings, smaller first.
public struct SafetyNumber: Hashable, Sendable {
    static let iterations = 5200
    static let fingerprintVersion: UInt16 = 1

    /// The 60 digits.
    public let digits: String
    /// What a QR code carries: `u8 version = 1 ‖ fingerprint[32] ‖ fingerprint[32]`, in the
    /// order of the digits.
    public let qrPayload: [UInt8]

    /// The safety number of a session between `local` and `remote` (symmetric).
    public init(local: IdentityKey, remote: IdentityKey) {
        let halves = [local, remote].map { identity -> (digits: String, fingerprint: [UInt8]) in
            let hash = Self.fingerprint(identity)
            return (Self.digits(of: hash), Array(hash.prefix(32)))
        }.sorted { $0.digits < $1.digits }
        digits = halves[0].digits + halves[1].digits
        qrPayload = [1] + halves[0].fingerprint + halves[1].fingerprint
    }

    /// The digits in twelve groups of five, as people read them aloud.
    public var groups: [String] {
        stride(from: 0, to: 60, by: 5).map { offset in
            let start = digits.index(digits.startIndex, offsetBy: offset)
            return String(digits[start..<digits.index(start, offsetBy: 5)])
        }
    }

    /// Whether a scanned QR payload shows the same number, compared in constant time.
    public func matches(scanned payload: [UInt8]) -> Bool {
        ConstantTime.equals(payload, qrPayload)
    }

    static func fingerprint(_ identity: IdentityKey) -> [UInt8] {
        let keys = identity.keyBytes
        let version = [UInt8(Self.fingerprintVersion >> 8), UInt8(Self.fingerprintVersion & 0xFF)]
        var hash = SHA512Hash.hash(version, keys, Label.safetyNumber)
        for _ in 0..<Self.iterations {
            hash = SHA512Hash.hash(hash, keys)
        }
        return hash
    }

    static func digits(of hash: [UInt8]) -> String {
        (0..<6).map { chunk in
            let value = hash[(chunk * 5)..<(chunk * 5 + 5)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let number = String(value % 100_000)
            return String(repeating: "0", count: 5 - number.count) + number
        }.joined()
    }
}
