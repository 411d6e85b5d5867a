// SPDX-License-Identifier: AGPL-3.0-or-later

/// Base64url without padding (RFC 4648 §5), for binary fields in JSON and headers.
///
/// Works on bytes directly: it is on every request's path (tokens, ids, receipts), where
/// Foundation's string-based base64 cost more than the cryptography. Decoding is strict: only the
/// 64 URL-safe characters, no padding, no length that leaves a lone character, and unused bits
/// zero, so each byte string has exactly one text form.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Character → value, 0xFF for characters outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// The longest text ``decode(_:)`` accepts, in characters.
    public static let maximumTextLength = 1 << 21

    /// The base64url text of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        let length = (bytes.count * 4 + 2) / 3
        return String(unsafeUninitializedCapacity: length) { output in
            var out = 0
            var index = 0
            while index + 3 <= bytes.count {
                let block = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                output[out] = alphabet[Int(block >> 18 & 63)]
                output[out + 1] = alphabet[Int(block >> 12 & 63)]
                output[out + 2] = alphabet[Int(block >> 6 & 63)]
                output[out + 3] = alphabet[Int(block & 63)]
                out += 4
                index += 3
            }
            switch bytes.count - index {
            case 1:
                let block = UInt32(bytes[index]) << 16
                output[out] = alphabet[Int(block >> 18 & 63)]
                output[out + 1] = alphabet[Int(block >> 12 & 63)]
                out += 2
            case 2:
                let block = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
                output[out] = alphabet[Int(block >> 18 & 63)]
                output[out + 1] = alphabet[Int(block >> 12 & 63)]
                output[out + 2] = alphabet[Int(block >> 6 & 63)]
                out += 3
            default:
                break
            }
            return out
        }
    }

    /// The bytes of base64url `text`, or nil if it is not canonical base64url without padding.
    /// Standard base64 with padding (RFC 4648 §4), as TLS pins are written (`sha256//…`).
    public static func encodeStandard(_ bytes: [UInt8]) -> String {
        var text = encode(bytes).map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 }
        while text.count % 4 != 0 { text.append("=") }
        return String(text)
    }

    /// Decodes standard base64 with padding, as strictly as ``decode(_:)``.
    public static func decodeStandard(_ text: String) -> [UInt8]? {
        guard text.utf8.count % 4 == 0 else { return nil }
        var body = Substring(text)
        for _ in 0..<2 where body.last == "=" { body.removeLast() }
        guard !body.contains("-"), !body.contains("_"), !body.contains("=") else { return nil }
        return decode(String(body.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 }))
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(utf8: $0) }
    }

    /// The bytes of base64url text given as UTF-8, or nil.
    public static func decode(utf8 text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count <= maximumTextLength, text.count % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count * 3 / 4)
        var block: UInt32 = 0
        var bits = 0
        for character in text {
            let value = values[Int(character)]
            guard value != 0xFF else { return nil }
            block = block << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: block >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero: otherwise two texts would decode to the same bytes.
        guard block & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return bytes
    }
}
