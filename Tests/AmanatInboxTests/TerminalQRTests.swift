// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatTestSupport
import Foundation
import Testing

@testable import AmanatInbox

/// QR codes drawn in the terminal, read back by a real scanner (zbarimg, from Debian's
/// zbar-tools): the half blocks are turned into an image, as a phone camera would see them.
@Suite("QR codes in the terminal", .enabled(if: QRScanner.enabled))
struct TerminalQRTests {
    @Test("an invite drawn in half blocks scans back to the same text")
    func roundTrip() async throws {
        for text in [
            "amanat://invite/" + String(repeating: "AbC-_9", count: 60), "amanat://card/x", "Случай №7 — суд",
        ] {
            let drawn = try #require(TerminalQR.render(text))
            #expect(try await QRScanner.scan(drawn) == text)
        }
        #expect(TerminalQR.render(String(repeating: "x", count: 5000)) == nil)
    }
}

/// Turns a terminal QR drawing into a PGM image and scans it with zbarimg.
enum QRScanner {
    static var enabled: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/zbarimg")
            || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    static func scan(_ drawing: String) async throws -> String {
        let rows = drawing.split(separator: "\n").filter { !$0.isEmpty && $0.allSatisfy { "█▀▄ ".contains($0) } }
            .flatMap { line -> [[Bool]] in
                // Dark modules: a space is two, "▄" the upper, "▀" the lower, "█" none.
                [line.map { $0 == " " || $0 == "▄" }, line.map { $0 == " " || $0 == "▀" }]
            }
        let scale = 8
        var image = Array("P5 \(rows[0].count * scale) \(rows.count * scale) 255\n".utf8)
        for row in rows {
            let line = row.flatMap { dark in [UInt8](repeating: dark ? 0 : 255, count: scale) }
            for _ in 0..<scale { image += line }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pgm")
        try Data(image).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try await runTool("/usr/bin/zbarimg", ["--raw", "-q", file.path])
        return run.output.trimmingCharacters(in: .newlines)
    }
}
