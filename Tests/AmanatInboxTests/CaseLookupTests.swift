// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatTerminal
import Foundation
import Testing

@testable import AmanatInbox

@Suite("Naming a case: ids, prefixes and aliases (SPEC §16.4)")
struct CaseLookupTests {
    /// A case with the id of `caseKey` (the identity only carries the messages, none here).
    static func item(_ caseKey: [UInt8], alias: String? = nil) throws -> InboxCase {
        var entropy = SystemEntropy()
        let identity = DeviceIdentity.generate(using: &entropy).publicKey
        return InboxCase(
            id: try CaseID(caseKey: caseKey), identity: identity, identities: [identity], alias: alias, messages: [])
    }

    /// Two case keys whose ids share their first four characters: found by trying random keys
    /// (about 1,300 on average, by the birthday bound over 32⁴ prefixes).
    static func collidingKeys() throws -> ([UInt8], [UInt8]) {
        var seen: [String: [UInt8]] = [:]
        for _ in 0..<200_000 {
            let key = SecureRandom.bytes(count: 32)
            let prefix = String(try CaseID(caseKey: key).text.prefix(4))
            if let other = seen[prefix] { return (other, key) }
            seen[prefix] = key
        }
        throw ProtocolError.malformed
    }

    @Test("a prefix two ids share is ambiguous and names both; one more character decides")
    func ambiguousPrefix() throws {
        let (first, second) = try Self.collidingKeys()
        let cases = [try Self.item(first), try Self.item(second), try Self.item(SecureRandom.bytes(count: 32))]
        let shared = String(cases[0].id.text.prefix(4))
        guard case .ambiguous(let matches) = InboxCase.lookup(shared, in: cases) else {
            Issue.record("\(shared) should be ambiguous")
            return
        }
        #expect(Set(matches.map(\.id)) == [cases[0].id, cases[1].id])
        let error = #expect(throws: CommandError.self) { try InboxCase.find(shared.uppercased(), in: cases) }
        #expect(error?.code == 64 && error?.key == "error.ambiguous-case")
        #expect(error?.arguments.last?.contains(cases[0].id.short) == true)
        #expect(error?.arguments.last?.contains(cases[1].id.short) == true)
        // The first place where the two ids differ settles it, in either case.
        let distinct = zip(cases[0].id.text, cases[1].id.text).prefix { $0 == $1 }.count + 1
        for item in cases.prefix(2) {
            #expect(try InboxCase.find(String(item.id.text.prefix(distinct)), in: cases).id == item.id)
        }
    }

    @Test("ids in full, short, with or without hyphens and in capitals; Crockford's confusable letters")
    func forms() throws {
        let item = try Self.item(SecureRandom.bytes(count: 32))
        let other = try Self.item(SecureRandom.bytes(count: 32))
        let cases = [item, other]
        for typed in [
            item.id.text, item.id.short, item.id.short.uppercased(),
            item.id.short.replacingOccurrences(of: "-", with: " "),
        ] {
            #expect(try InboxCase.find(typed, in: cases).id == item.id, "\(typed)")
        }
        let confusable = String(item.id.text.prefix(8)).replacingOccurrences(of: "0", with: "O")
            .replacingOccurrences(of: "1", with: "l")
        #expect(try InboxCase.find(confusable, in: cases).id == item.id)
        // Too short: a usage error, not a guess; no match: unknown.
        let short = #expect(throws: CommandError.self) { try InboxCase.find(String(item.id.text.prefix(3)), in: cases) }
        #expect(short?.key == "error.short-case-id" && short?.code == 64)
        let none = #expect(throws: CommandError.self) { try InboxCase.find("Бахыт", in: cases) }
        #expect(none?.key == "error.unknown-case" && none?.code == 65)
    }

    @Test("aliases match ignoring case, space and composition; two cases with one alias are ambiguous")
    func aliases() throws {
        let composed = "Жанна Ёлкина"
        let decomposed = composed.decomposedStringWithCanonicalMapping
        #expect(Array(composed.utf8) != Array(decomposed.utf8))
        let named = try Self.item(SecureRandom.bytes(count: 32), alias: composed)
        let plain = try Self.item(SecureRandom.bytes(count: 32))
        #expect(try InboxCase.find("  " + decomposed.uppercased() + " ", in: [named, plain]).id == named.id)
        let twin = try Self.item(SecureRandom.bytes(count: 32), alias: "жанна ёлкина")
        guard case .ambiguous(let matches) = InboxCase.lookup(composed, in: [named, plain, twin]) else {
            Issue.record("a shared alias should be ambiguous")
            return
        }
        #expect(matches.count == 2)
        // Setting one: not another case's alias, not any case's id prefix, no control characters.
        #expect(throws: CommandError.self) { try InboxCase.validAlias(composed, for: plain, among: [named, plain]) }
        #expect(throws: CommandError.self) {
            try InboxCase.validAlias(String(named.id.text.prefix(5)), for: plain, among: [named, plain])
        }
        #expect(throws: CommandError.self) { try InboxCase.validAlias("a\u{1B}[2J", for: plain, among: [plain]) }
        #expect(throws: CommandError.self) { try InboxCase.validAlias("  ", for: plain, among: [plain]) }
        #expect(try InboxCase.validAlias(" Апелляция ", for: plain, among: [named, plain]) == "Апелляция")
        // Its own current alias may be set again.
        #expect(try InboxCase.validAlias(composed, for: named, among: [named, plain]) == composed)
    }
}

@Suite("Remote text on a terminal")
struct VisibleTextTests {
    @Test("control characters, bidi overrides and C1 codes are shown, not obeyed; new lines cannot start a forged line")
    func visible() {
        #expect(VisibleText.of("plain текст\twith tab") == "plain текст\twith tab")
        #expect(VisibleText.of("\u{1B}]0;title\u{07}") == "␛]0;title␇")
        #expect(VisibleText.of("a\rb\u{7F}") == "a␍b␡")
        #expect(VisibleText.of("\u{9B}31m\u{202E}txt.exe") == "<U+009B>31m<U+202E>txt.exe")
        #expect(VisibleText.of("one\nFAKE") == "one\n    │ FAKE")
        #expect(VisibleText.of("one\nFAKE", multiline: false) == "one⏎FAKE")
        for scalar in (0..<0x20).compactMap(Unicode.Scalar.init) where scalar != "\t" && scalar != "\n" {
            #expect(!VisibleText.of("x\(scalar)y").unicodeScalars.contains(scalar))
        }
    }
}
