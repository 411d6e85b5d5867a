// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// Moments and days as a person reads them where they are (issue #16): the local time with its
/// zone, and dates in the order of the user's language (`03.12.2026` in Russian, `2026-12-03` in
/// English). Machine output (`--json`) keeps ISO forms.
public enum LocalTime {
    /// A moment in local time with its zone: `03.12.2026 19:51 MSK`, `2026-12-03 19:51 MSK`.
    public static func text(_ seconds: UInt64, _ language: Language) -> String {
        formatter(language.writesDayFirst ? "dd.MM.yyyy HH:mm zzz" : "yyyy-MM-dd HH:mm zzz", language, zone: .current)
            .string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// A local time of day with its zone: `14:05:09 MSK`.
    public static func timeOfDay(_ date: Date, _ language: Language) -> String {
        formatter("HH:mm:ss zzz", language, zone: .current).string(from: date)
    }

    /// A day (a due date: midnight UTC of that day) in the language's order.
    public static func day(_ seconds: UInt64, _ language: Language) -> String {
        formatter(language.writesDayFirst ? "dd.MM.yyyy" : "yyyy-MM-dd", language, zone: utc)
            .string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// A day typed by a person, as midnight UTC of it: `2026-12-03`, `03.12.2026` or `3.12.2026`,
    /// whatever the language; nil for anything else (no guessing between day and month orders).
    /// A length of time as a person says it: `45 s`, `5 min`, `1 h 30 min` (`45 с`, `5 мин`).
    public static func duration(_ seconds: Double, _ language: Language) -> String {
        let total = Int(seconds.rounded())
        let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60)
        let units = language == .english ? ("h", "min", "s") : ("ч", "мин", "с")
        var parts: [String] = []
        if h > 0 { parts.append("\(h) \(units.0)") }
        if m > 0 { parts.append("\(m) \(units.1)") }
        if s > 0 || parts.isEmpty { parts.append("\(s) \(units.2)") }
        return parts.joined(separator: " ")
    }

    public static func parseDay(_ text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let format =
            trimmed.contains("-") ? "yyyy-MM-dd" : trimmed.contains(".") ? "d.M.yyyy" : nil
        guard let format else { return nil }
        let parser = formatter(format, .english, zone: utc)
        parser.isLenient = false
        guard let date = parser.date(from: trimmed), date.timeIntervalSince1970 >= 0,
            let year = Calendar(identifier: .gregorian).dateComponents(in: utc, from: date).year,
            (1970...9999).contains(year)
        else { return nil }
        return UInt64(date.timeIntervalSince1970)
    }

    /// A typed moment in UTC: a day (``parseDay(_:)``, its midnight) or `YYYY-MM-DDTHH:MM`
    /// (a space instead of the T is accepted); nil for anything else.
    public static func parseMoment(_ text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.contains(":") else { return parseDay(trimmed) }
        let parser = formatter("yyyy-MM-dd'T'HH:mm", .english, zone: utc)
        parser.isLenient = false
        guard let date = parser.date(from: trimmed.replacingOccurrences(of: " ", with: "T")),
            date.timeIntervalSince1970 >= 0
        else { return nil }
        return UInt64(date.timeIntervalSince1970)
    }

    static let utc = TimeZone(identifier: "UTC")!

    static func formatter(_ format: String, _ language: Language, zone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language.localeIdentifier)
        formatter.timeZone = zone
        formatter.dateFormat = format
        return formatter
    }
}
