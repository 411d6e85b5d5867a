// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatTerminal
import Foundation
import Testing

@Suite("Local dates and times")
struct LocalTimeTests {
    @Test("due dates are typed as YYYY-MM-DD or DD.MM.YYYY and shown in the language's order; nothing else is guessed")
    func days() {
        let december3 = LocalTime.parseDay("2026-12-03")
        #expect(december3 == 1_796_256_000)
        for typed in ["03.12.2026", "3.12.2026", " 03.12.2026 "] {
            #expect(LocalTime.parseDay(typed) == december3, "\(typed)")
        }
        for typed in ["2026-13-40", "31.02.2026", "12/03/2026", "03.12.26", "tomorrow", "", "03-12-2026"] {
            #expect(LocalTime.parseDay(typed) == nil, "\(typed)")
        }
        #expect(LocalTime.day(1_796_256_000, .russian) == "03.12.2026")
        #expect(LocalTime.day(1_796_256_000, .english) == "2026-12-03")
    }

    @Test("a moment is shown in local time with its zone")
    func moments() {
        // The tests run with the process's own zone; what matters is the zone is named.
        let shown = LocalTime.text(1_796_256_000 + 14 * 3600 + 5 * 60, .russian)
        #expect(shown.hasPrefix("03.12.2026 ") || shown.hasPrefix("04.12.2026 ") || shown.hasPrefix("02.12.2026 "))
        #expect(shown.split(separator: " ").count >= 3, "\(shown)")
        #expect(LocalTime.text(1_796_256_000, .english).hasPrefix("20"))
    }
}
