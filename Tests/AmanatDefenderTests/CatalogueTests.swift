// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatDefender
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

@Suite("amanat's catalogue")
struct CatalogueTests {
    @Test("every key the code names is in English and Russian, and both languages have the same keys")
    func complete() throws {
        let english = Catalogue.english
        let russian = Catalogue.russian
        let families = Set(
            english.keys.compactMap { $0.contains(".") ? $0.split(separator: ".").first.map(String.init) : nil })
        var used = try catalogueKeysUsed(in: ["Sources/AmanatDefender", "Sources/AmanatTerminal"], families: families)
        used.formUnion(Message.DeliveryState.allCases.map { "state.\($0.rawValue)" })
        used.formUnion(Message.Notice.allCases.map(\.rawValue))
        #expect(used.count > 60)
        #expect(used.subtracting(english.keys).sorted() == [], "missing in English")
        #expect(used.subtracting(russian.keys).sorted() == [], "missing in Russian")
        #expect(Set(english.keys).symmetricDifference(russian.keys).sorted() == [])
    }

    @Test("every notice kind reads as a sentence in both languages")
    func notices() {
        for notice in Message.Notice.allCases {
            for language in [Language.english, .russian] {
                let text = Catalogue.text(notice.rawValue, language, ["Aigerim"])
                #expect(text != notice.rawValue && text.contains("Aigerim"))
            }
        }
    }
}
