// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// The name of a case among the organisation's experts (SPEC.md §16.4): a function of the
/// defender's identity signing key alone, so every expert device names a case alike and two
/// defenders never share a name by accident.
///
///     id = BLAKE2b-256(lp("amanat/v1/case-id") ‖ lp(case))
///
/// `case` is the defender's identity signing key, as in triage events (§16.3). The text form is
/// the 32 bytes in lowercase Crockford base32 (52 characters); people see the first ten, in two
/// groups of five (`k7m2q-9xv4d`), and may type any unique prefix of four or more.
public struct CaseID: Hashable, Sendable, CustomStringConvertible {
    /// Crockford's base32 alphabet, lowercase: no i, l, o or u, which read like 1, 1, 0 and v.
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    /// How many characters the short form shows: 50 bits.
    public static let shortLength = 10
    /// The shortest prefix accepted as naming a case, so that a slip of one or two characters
    /// cannot land on another case by chance.
    public static let minimumPrefixLength = 4

    /// The 32-byte id.
    public let bytes: [UInt8]

    /// The id of the case of the defender whose identity signing key is `caseKey`.
    ///
    /// - Throws: ``ProtocolError/malformed`` unless `caseKey` is 32 bytes.
    public init(caseKey: [UInt8]) throws(ProtocolError) {
        guard caseKey.count == 32 else { throw .malformed }
        guard let hash = try? BLAKE2b.hash(lengthPrefixed(Label.caseID, caseKey)) else { throw .malformed }
        bytes = hash
    }

    /// The id of `defender`'s case.
    public init(defender: IdentityKey) {
        // A signing key is always 32 bytes.
        bytes = (try? CaseID(caseKey: defender.signingKey.rawRepresentation).bytes) ?? []
    }

    /// All 52 characters.
    public var text: String {
        var output: [UInt8] = []
        output.reserveCapacity(52)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(Self.alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(Self.alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The first ten characters in two groups of five, as lists and people show it.
    public var short: String {
        let characters = Array(text.prefix(Self.shortLength))
        return String(characters[0..<5]) + "-" + String(characters[5...])
    }

    public var description: String { short }

    /// Whether `typed` (in any case, with or without hyphens and spaces) is a prefix of this id
    /// of at least ``minimumPrefixLength`` characters.
    public func matches(_ typed: String) -> Bool {
        guard let prefix = Self.normalised(typed), prefix.count >= Self.minimumPrefixLength else { return false }
        return text.hasPrefix(prefix)
    }

    /// What `typed` is as id characters: lowercase, hyphens and white space removed, and the
    /// letters Crockford reads as digits (o → 0, i and l → 1) mapped. Nil when something else is left.
    public static func normalised(_ typed: String) -> String? {
        var output: [UInt8] = []
        for scalar in typed.lowercased().unicodeScalars {
            switch scalar {
            case "-", " ", "\t": continue
            case "o": output.append(UInt8(ascii: "0"))
            case "i", "l": output.append(UInt8(ascii: "1"))
            default:
                guard scalar.isASCII, alphabet.contains(UInt8(scalar.value)) else { return nil }
                output.append(UInt8(scalar.value))
            }
        }
        guard !output.isEmpty, output.count <= 52 else { return nil }
        return String(decoding: output, as: UTF8.self)
    }
}
