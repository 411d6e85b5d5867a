// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import Testing

@Suite("Base64url")
struct Base64URLTests {
    @Test("RFC 4648 §10 vectors without padding, the two URL-safe characters, and round trips")
    func vectors() {
        let cases: [(String, String)] = [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in cases {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        for count in 0..<70 {
            let bytes = SecureRandom.bytes(count: count)
            let text = Base64URL.encode(bytes)
            #expect(Base64URL.decode(text) == bytes)
            // The same as Foundation's base64 with the URL-safe alphabet and no padding.
            let reference = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(text == reference)
        }
    }

    @Test("padding, standard-alphabet characters, lone characters and non-zero unused bits are refused")
    func strict() {
        for text in ["Zg==", "Zg=", "Zm9v+", "Zm9/", "Z", "Zm9vY", "Zh", "Zm9", "Zm9vYmF", "a b", "é", "Zm9vYmE\n"] {
            #expect(Base64URL.decode(text) == nil, "\(text)")
        }
        #expect(Base64URL.decode(String(repeating: "A", count: Base64URL.maximumTextLength + 4)) == nil)
    }

    @Test("standard base64 with padding round-trips, matches Foundation and refuses the URL-safe alphabet")
    func standard() {
        for count in 0..<40 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 250) }
            let text = Base64URL.encodeStandard(bytes)
            #expect(text == Data(bytes).base64EncodedString())
            #expect(Base64URL.decodeStandard(text) == bytes)
        }
        #expect(Base64URL.decodeStandard("-_8=") == nil)
        #expect(Base64URL.decodeStandard("+/8") == nil)
        #expect(Base64URL.decodeStandard("+/8=") == [0xFB, 0xFF])
        #expect(Base64URL.decodeStandard("a===") == nil)
    }
}
