// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatDefender
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

@testable import AmanatInbox

@Suite("amanat-inbox's catalogue")
struct InboxCatalogueTests {
    @Test("every key the code names is in English and Russian, and both languages have the same keys")
    func complete() throws {
        let english = InboxCatalogue.english
        let russian = InboxCatalogue.russian
        let families = Set(
            english.keys.compactMap { $0.contains(".") ? $0.split(separator: ".").first.map(String.init) : nil })
        var used = try catalogueKeysUsed(in: ["Sources/AmanatInbox", "Sources/AmanatTerminal"], families: families)
        // Keys the code builds at run time.
        used.formUnion(TriageWords.statuses.map { "status." + $0.0 })
        used.formUnion(TriageWords.priorities.map { "priority." + $0.0 })
        used.formUnion(InboxWeb.pageWords.map { "web." + $0 })
        used.formUnion(Message.Notice.allCases.map(\.rawValue))
        used.formUnion(Message.DeliveryState.allCases.map { "delivery." + $0.rawValue })
        used.formUnion(InboxWeb.sorts.map { "web.sort." + $0 })
        #expect(used.count > 100)
        #expect(used.subtracting(english.keys).sorted() == [], "missing in English")
        #expect(used.subtracting(russian.keys).sorted() == [], "missing in Russian")
        #expect(Set(english.keys).symmetricDifference(russian.keys).sorted() == [])
    }

    @Test("amanat-inbox's sentences send the expert to amanat-inbox commands, and amanat's to amanat's")
    func ownCommands() {
        for (language, sentences) in [("en", InboxCatalogue.english), ("ru", InboxCatalogue.russian)] {
            for (key, sentence) in sentences {
                // The one defender command an expert is told about is what the defender sees.
                let other = sentence.replacingOccurrences(of: "`amanat experts`", with: "")
                #expect(!other.contains("`amanat "), "\(language) \(key): \(sentence)")
            }
        }
        for (language, sentences) in [("en", Catalogue.english), ("ru", Catalogue.russian)] {
            for (key, sentence) in sentences {
                #expect(!sentence.contains("amanat-inbox"), "\(language) \(key): \(sentence)")
            }
        }
    }

    @Test("a Russian sentence holds no Latin word but commands, options, addresses and a fixed list of names")
    func russianIsRussian() throws {
        var found: [String: Set<String>] = [:]
        for (key, sentence) in InboxCatalogue.russian.merging(Catalogue.russian, uniquingKeysWith: { $1 }) {
            let latin = latinWords(in: sentence)
            if !latin.isEmpty { found[key] = latin }
        }
        #expect(found.isEmpty, "\(found.sorted { $0.key < $1.key })")
        // And the file states a Russian list shows are Russian.
        for state in Message.Attachment.State.allCases {
            #expect(InboxCatalogue.text("file." + state.rawValue, .russian) != state.rawValue)
        }
    }

    @Test("every notice kind reads as a sentence in both languages, naming the case")
    func notices() {
        for notice in Message.Notice.allCases {
            for language in [Language.english, .russian] {
                let text = InboxCatalogue.text(notice.rawValue, language, ["ax9h2-1vwx3"])
                #expect(text != notice.rawValue && text.contains("ax9h2-1vwx3") && !text.contains("notice."))
            }
        }
    }

    @Test("every text amanat-inbox's help can show has its Russian translation, and none holds a Latin word")
    func helpTranslated() async throws {
        let translations = SharedHelp.russian.merging(own: InboxHelpCatalogue.russian)
        let english = LocalisedHelp.englishTexts(InboxCommand.self)
        #expect(english.count > 70)
        #expect(english.subtracting(translations.keys).sorted() == [], "help texts without a translation")
        for (key, russian) in translations {
            #expect(latinWords(in: russian).isEmpty, "\(key): \(latinWords(in: russian))")
        }
        for command in [[], ["org"], ["org", "invite"], ["cases"], ["set"], ["serve"], ["shell"]] {
            let run = try await runTool("amanat-inbox", command + ["--help", "--lang", "ru"])
            #expect(run.status == 0 && run.output.contains("Использование:"), "\(command): \(run)")
            #expect(latinWords(in: run.output).isEmpty && !run.output.contains("\\"), "\(command): \(run)")
        }
        let missing = try await runTool("amanat-inbox", ["reply", "--lang", "ru"])
        #expect(missing.status == 64 && missing.error.contains("Ошибка: не указан обязательный аргумент"), "\(missing)")
    }
}
