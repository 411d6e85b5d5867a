// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatProtocol
import Foundation

/// Full-text search over what this device holds, decrypted in memory only: there is no search
/// index on disk, so nothing about the words in the cases is readable from the profile's files
/// without the passphrase (a plaintext SQLite FTS index would be; a keyed-hash index would still
/// show how often each word occurs). A scan of every message, note and label is fast at the
/// scale of one organisation's cases.
struct CaseSearch {
    struct Hit {
        let caseID: CaseID
        /// The case's short id and alias, as lists show it.
        let caseName: String
        /// A message id (8 hex digits), or "note" / "label".
        let place: String
        let time: UInt64
        let text: String
    }

    /// Words to match, each case- and diacritic-insensitively (ё matches е); all must occur.
    let words: [String]

    func matches(_ text: String) -> Bool {
        words.allSatisfy { text.range(of: $0, options: [.caseInsensitive, .diacriticInsensitive]) != nil }
    }

    func search(_ cases: [InboxCase], _ view: TriageOverview) -> [Hit] {
        var hits: [Hit] = []
        for item in cases {
            for message in item.messages where message.kind != .notice {
                let names = message.attachments.map(\.fileName).joined(separator: " ")
                if matches(message.text + " " + names) {
                    hits.append(
                        Hit(
                            caseID: item.id, caseName: item.name, place: String(message.idText.prefix(8)),
                            time: message.storedAt,
                            text: message.text))
                }
            }
            let state = view.state(of: item)
            for note in state.notes {
                if case .note(let text) = note.change, matches(text) {
                    hits.append(Hit(caseID: item.id, caseName: item.name, place: "note", time: note.time, text: text))
                }
            }
            for label in state.labels where matches(label) {
                hits.append(Hit(caseID: item.id, caseName: item.name, place: "label", time: 0, text: label))
            }
        }
        return hits.sorted { $0.time > $1.time }
    }
}
