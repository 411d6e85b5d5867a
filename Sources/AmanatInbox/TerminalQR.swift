// SPDX-License-Identifier: AGPL-3.0-or-later

import CQRencode

/// A QR code drawn with Unicode half blocks, two modules per character cell, dark on light with
/// a quiet zone, for an invite or a card to be scanned off the screen (libqrencode).
enum TerminalQR {
    /// The QR code of `text` (byte mode, error correction M), or nil if it does not fit one.
    static func render(_ text: String) -> String? {
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let quiet = 2
        let size = width + 2 * quiet
        func dark(_ row: Int, _ column: Int) -> Bool {
            let r = row - quiet
            let c = column - quiet
            guard (0..<width).contains(r), (0..<width).contains(c) else { return false }
            return code.pointee.data[r * width + c] & 1 == 1
        }
        // Light modules are drawn as blocks, so the code reads on dark and light terminals alike.
        var lines: [String] = []
        for row in stride(from: 0, to: size, by: 2) {
            var line = ""
            for column in 0..<size {
                switch (dark(row, column), row + 1 < size && dark(row + 1, column)) {
                case (false, false): line += "█"
                case (true, false): line += "▄"
                case (false, true): line += "▀"
                case (true, true): line += " "
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
