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

/// `amanat`'s help and argument-parser's usage errors in Russian (issue #16).
@Suite("amanat's help in Russian")
struct RussianHelpTests {
    @Test("every text the help can show has its Russian translation, and no translation holds a Latin word")
    func translated() {
        let translations = SharedHelp.russian.merging(own: HelpCatalogue.russian)
        let english = LocalisedHelp.englishTexts(AmanatCommand.self)
        #expect(english.count > 40)
        #expect(english.subtracting(translations.keys).sorted() == [], "help texts without a translation")
        for (key, russian) in translations {
            #expect(latinWords(in: russian).isEmpty, "\(key): \(latinWords(in: russian))")
        }
    }

    @Test("--help of every command, help <command>, and usage errors through the binary are Russian")
    func throughTheBinary() async throws {
        let commands = [
            "", "enroll", "send", "sync", "inbox", "read", "save", "status", "experts", "verify",
            "passphrase", "config", "shell", "wipe",
        ]
        for command in commands {
            let arguments = (command.isEmpty ? [] : [command]) + ["--help", "--lang", "ru"]
            let run = try await amanat(arguments)
            #expect(run.status == 0 && run.output.contains("Использование:"), "\(command): \(run)")
            #expect(!run.output.contains("OPTIONS") && !run.output.contains("USAGE"), "\(command): \(run)")
            #expect(latinWords(in: run.output).isEmpty, "\(command): \(latinWords(in: run.output))")
        }
        let viaHelp = try await amanat(["help", "verify", "--lang", "ru"])
        let direct = try await amanat(["verify", "--help", "--lang", "ru"])
        #expect(viaHelp.status == 0 && viaHelp.output == direct.output, "\(viaHelp)")
        // The machine-readable description the Russian man page is made from (scripts/package).
        let description = try await amanat(["--experimental-dump-help", "--lang", "ru"])
        let tool = try JSONSerialization.jsonObject(with: Data(description.output.utf8)) as? [String: Any]
        let root = try #require(tool?["command"] as? [String: Any], "\(description)")
        let abstract = "Send case updates to your organisation's experts, safely."
        #expect(root["abstract"] as? String == HelpCatalogue.russian[abstract])
        let send = (root["subcommands"] as? [[String: Any]])?.first { $0["commandName"] as? String == "send" }
        let sendAbstract = try #require(send?["abstract"] as? String, "\(description)")
        #expect(latinWords(in: sendAbstract).isEmpty, "\(sendAbstract)")
        let errors: [([String], [String: String], String)] = [
            (["enroll", "--lang", "ru"], [:], "не указан обязательный аргумент `<invite>`"),
            (["send", "--bogus", "--lang", "ru"], [:], "неизвестный параметр `--bogus`"),
            (["verify", "1", "--digits", "--lang", "ru"], [:], "не указано значение для `--digits <digits>`"),
            (["frobnicate"], ["LANG": "ru_RU.UTF-8"], "лишний аргумент или неизвестная команда `frobnicate`"),
        ]
        for (arguments, environment, expected) in errors {
            let run = try await amanat(arguments, environment: environment)
            #expect(run.status == 64, "\(arguments): \(run)")
            #expect(run.error.contains("Ошибка: " + expected), "\(arguments): \(run)")
            for english in ["Error:", "Usage:", "Help:", "See '"] {
                #expect(!run.error.contains(english), "\(arguments): \(run)")
            }
            #expect(latinWords(in: run.error).isEmpty, "\(arguments): \(latinWords(in: run.error))")
        }
        // In English, argument-parser's own words.
        let english = try await amanat(["enroll"])
        #expect(english.error.contains("Error: Missing expected argument '<invite>'"), "\(english)")
    }
}

/// Kazakh, Kyrgyz, Tajik, Turkmen and Uzbek: their place in the catalogues, Russian until they
/// are written (issue #16).
@Suite("the planned languages")
struct PlannedLanguageTests {
    @Test("each has a catalogue place holding only English keys with their marks, and falls back to Russian")
    func structure() async throws {
        let planned: [Language] = [.kazakh, .kyrgyz, .tajik, .turkmen, .uzbek]
        #expect(Set(Language.allCases) == Set(Language.complete + planned))
        for language in planned {
            #expect(language.chain == [language, .russian, .english])
            for (catalogue, english) in [
                (Catalogue.planned[language], Catalogue.english),
                (TerminalText.planned[language], TerminalText.english),
            ] {
                let sentences = try #require(catalogue, "\(language)")
                for (key, sentence) in sentences {
                    let template = try #require(english[key], "\(language) \(key) is not an English key")
                    #expect(
                        sentence.components(separatedBy: "%@").count == template.components(separatedBy: "%@").count)
                }
            }
            #expect(Catalogue.text("inbox.empty", language) == Catalogue.text("inbox.empty", .russian))
        }
        #expect(Language.choose(nil, environment: ["LANG": "kk_KZ.UTF-8"]) == .kazakh)
        #expect(Language.choose(nil, environment: ["LANG": "uz_UZ.UTF-8@latin"]) == .uzbek)
        #expect(Language.choose(nil, environment: ["LANG": "de_DE.UTF-8"]) == .english)
        #expect(LocalTime.day(0, .kyrgyz) == "01.01.1970")
        // Through the binary: Russian sentences and help, not English.
        let help = try await amanat(["--help", "--lang", "kk"])
        #expect(help.status == 0 && help.output.contains("Использование:"), "\(help)")
        let missing = try await amanat(["status", "--profile", "/nonexistent/amanat", "--lang", "tg"])
        #expect(
            missing.error.contains(Catalogue.text("error.no-profile", .russian, ["/nonexistent/amanat"])), "\(missing)")
    }
}
