// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatProtocol
import AmanatTerminal
import ArgumentParser
import Foundation

extension InboxCommand {
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find messages, attachment names, notes and labels containing all the words.",
            discussion: "Decrypts in memory only; the profile keeps no search index.")

        @OptionGroup var options: ProfileOptions

        @Argument(help: "Words; every one must occur (any case; ё and е alike).")
        var words: [String]

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let words = words.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !words.isEmpty else {
                throw CommandError("error.triage-value", ["", "one or more words"], code: CommandError.usage)
            }
            let account = try options.open()
            let hits = CaseSearch(words: words).search(
                try await InboxCase.load(account, options), try await TriageOverview.load(account, options))
            if json {
                let list = hits.map {
                    [
                        "case": $0.caseID.short, "id": $0.caseID.text, "place": $0.place, "time": $0.time,
                        "text": $0.text,
                    ]
                }
                try JSONOutput.print(list)
                return
            }
            if hits.isEmpty { options.say("search.none") }
            for hit in hits {
                let line = hit.text.replacingOccurrences(of: "\n", with: " ")
                options.say("search.hit", [hit.caseName, hit.place, String(line.prefix(100))])
            }
        }
    }
}
