// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import ArgumentParser
import Foundation

/// A safety number as people compare it: digits in groups of five, or a QR code that carries
/// `amanat://safety/` and the QR payload (SPEC.md §10) in base64url, which the other side's
/// `verify --scan` accepts.
public enum SafetyText {
    static let prefix = "amanat://safety/"

    /// The twelve groups of five, as both tools print them.
    public static func grouped(_ number: SafetyNumber) -> String {
        number.groups.joined(separator: " ")
    }

    /// What the QR code carries.
    public static func uri(_ number: SafetyNumber) -> String {
        prefix + Base64URL.encode(number.qrPayload)
    }

    /// Whether `typed` (60 digits, spaces allowed, or a scanned `amanat://safety/…` text) shows
    /// `number`, compared in constant time.
    public static func matches(_ typed: String, _ number: SafetyNumber) -> Bool {
        let trimmed = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix(prefix) {
            guard let payload = Base64URL.decode(String(trimmed.dropFirst(prefix.count))) else { return false }
            return number.matches(scanned: payload)
        }
        let digits = trimmed.filter { $0 != " " }
        guard digits.count == 60, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return false }
        return ConstantTime.equals(Array(digits.utf8), Array(number.digits.utf8))
    }
}

/// How a person gives the other side's safety number to a `verify` command: typed digits, or a
/// scanned QR code's text.
public struct SafetyInput: ParsableArguments {
    @Option(help: "The 60 digits the other device shows (spaces allowed).")
    var digits: String?

    @Option(help: "Instead of digits: the text of the QR code the other device shows (amanat://safety/…).")
    var scan: String?

    public init() {}

    /// What was given.
    ///
    /// - Throws: ``CommandError`` `error.safety-needed` (exit 64) when neither was.
    public func typed() throws -> String {
        guard let typed = scan ?? digits else { throw CommandError("error.safety-needed", code: CommandError.usage) }
        return typed
    }
}
