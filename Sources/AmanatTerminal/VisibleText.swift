// SPDX-License-Identifier: AGPL-3.0-or-later

/// Text from someone else (a defender's message, a file name, a name on the roster), made safe
/// to print on a terminal: a control character could otherwise set the window title, clear the
/// screen, move the cursor, or forge lines that look like the tool's own (STYLE 23).
public enum VisibleText {
    /// `text` with every control character shown instead of obeyed: C0 controls and DEL as
    /// their Unicode control pictures (ESC as ␛), C1 controls, bidirectional overrides and
    /// isolates and line or paragraph separators as `<U+XXXX>`. A line break stays a line break
    /// when `multiline`, with what follows indented behind a bar, so no line of remote text can
    /// begin where the tool's own lines begin; otherwise it is shown as ⏎. Tabs stay.
    public static func of(_ text: String, multiline: Bool = true) -> String {
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A:
                if multiline {
                    output.append(contentsOf: "\n    │ ".unicodeScalars)
                } else {
                    output.append("⏎")
                }
            case 0x09:
                output.append(scalar)
            case 0x00...0x1F:
                output.append(Unicode.Scalar(0x2400 + scalar.value) ?? "?")
            case 0x7F:
                output.append("\u{2421}")
            case 0x80...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029, 0x061C:
                output.append(contentsOf: "<U+\(hex(scalar.value))>".unicodeScalars)
            default:
                output.append(scalar)
            }
        }
        return String(output)
    }

    /// Whether `text` prints as itself.
    public static func isPlain(_ text: String) -> Bool { of(text) == text }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
