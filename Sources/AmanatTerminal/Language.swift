// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// The languages the terminal tools speak.
public enum Language: String, Sendable, CaseIterable {
    case english = "en"
    case russian = "ru"

    /// `--lang` if given, else the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that names one we have,
    /// else English.
    public static func choose(_ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Language
    {
        for candidate in [flag, environment["LC_ALL"], environment["LC_MESSAGES"], environment["LANG"]] {
            guard let candidate, !candidate.isEmpty else { continue }
            if candidate.lowercased().hasPrefix("ru") { return .russian }
            if candidate.lowercased().hasPrefix("en") || candidate == "C" || candidate == "POSIX" { return .english }
        }
        return .english
    }
}

/// The sentences every terminal tool shares (passphrases, wiping), in each language; each tool's
/// catalogue adds its own with ``Swift/Dictionary/merging(own:)``.
public enum TerminalText {
    public static let english: [String: String] = [
        "wipe.confirm": "This destroys this profile for good: keys, messages, attachments. Type YES to continue: ",
        "wipe.done": "The profile is gone.",
        "wipe.cancelled": "Nothing was deleted.",
        "passphrase.prompt": "Passphrase: ",
        "passphrase.new": "New passphrase: ",
        "passphrase.repeat": "Repeat the new passphrase: ",
        "passphrase.duress": "Duress passphrase (opens an empty decoy profile): ",
        "passphrase.changed": "The passphrase is changed.",
        "passphrase.duress-set": "The duress passphrase is set.",
        "error.passphrase-mismatch": "The two passphrases differ. Nothing was changed.",
        "error.passphrase-empty": "The passphrase is empty. Choose one of at least 8 characters.",
        "error.no-terminal": "There is no terminal to ask for the passphrase. Use --passphrase-fd N.",
        "error.wrong-passphrase": "The passphrase is wrong. Try again; nothing was changed.",
        "error.wrong-passphrase-final":
            "Three wrong passphrases. Nothing was opened or changed; run the command again when you have the right one.",
    ]

    public static let russian: [String: String] = [
        "wipe.confirm": "Профиль будет уничтожен навсегда: ключи, сообщения, вложения. Введите YES для продолжения: ",
        "wipe.done": "Профиль уничтожен.",
        "wipe.cancelled": "Ничего не удалено.",
        "passphrase.prompt": "Парольная фраза: ",
        "passphrase.new": "Новая парольная фраза: ",
        "passphrase.repeat": "Повторите новую парольную фразу: ",
        "passphrase.duress": "Парольная фраза под принуждением (открывает пустой профиль-приманку): ",
        "passphrase.changed": "Парольная фраза изменена.",
        "passphrase.duress-set": "Парольная фраза под принуждением задана.",
        "error.passphrase-mismatch": "Парольные фразы не совпадают. Ничего не изменено.",
        "error.passphrase-empty": "Парольная фраза пуста. Выберите фразу не короче 8 символов.",
        "error.no-terminal": "Нет терминала, чтобы спросить парольную фразу. Используйте --passphrase-fd N.",
        "error.wrong-passphrase": "Неверная парольная фраза. Попробуйте ещё раз; ничего не изменено.",
        "error.wrong-passphrase-final":
            "Три неверные парольные фразы. Ничего не открыто и не изменено; запустите команду снова, когда будете знать верную.",
    ]
}

extension Dictionary where Key == String, Value == String {
    /// These sentences with `own` added (a tool's own key wins).
    public func merging(own: [String: String]) -> [String: String] {
        merging(own, uniquingKeysWith: { $1 })
    }
}

/// `template` with each `%@` replaced by the next of `arguments`.
public func fill(_ template: String, _ arguments: [String]) -> String {
    var text = template
    for argument in arguments {
        guard let mark = text.range(of: "%@") else { break }
        text.replaceSubrange(mark, with: argument)
    }
    return text
}
