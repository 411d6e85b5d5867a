// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation

/// A vector file: where its values come from, and its cases.
struct VectorFile<Case: Decodable>: Decodable {
    let source: String
    let tests: [Case]
}

enum Vectors {
    /// Decodes `Vectors/<name>.json` from the test bundle.
    static func load<Case: Decodable>(_ name: String, as type: Case.Type = Case.self) throws -> VectorFile<Case> {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Vectors") else {
            throw VectorError.missingFile(name)
        }
        return try JSONDecoder().decode(VectorFile<Case>.self, from: Data(contentsOf: url))
    }

    /// Where a vector file lives in the source tree, for regenerating it.
    static func sourceURL(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Vectors").appendingPathComponent(name + ".json")
    }
}

enum VectorError: Error {
    case missingFile(String)
    case badHex(String)
}

extension Array where Element == UInt8 {
    /// Bytes from a hex string; throws on odd length or a non-hex digit.
    init(hex: String) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for character in hex.utf8 {
            guard let nibble = Self.nibble(character) else { throw VectorError.badHex(hex) }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil else { throw VectorError.badHex(hex) }
        self = bytes
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Lower-case hex.
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}

extension SecureBytes {
    /// A secret from a hex string, for vectors.
    init(hex: String) throws {
        self.init(copying: try [UInt8](hex: hex))
    }

    /// The bytes as an array: only for assertions in tests.
    var bytesForTesting: [UInt8] { withUnsafeBytes { Array($0) } }
}

/// Runs `body` and returns the AmanatCryptoError it throws, or nil if it does not throw.
func cryptoError(_ body: () throws(AmanatCryptoError) -> Void) -> AmanatCryptoError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
