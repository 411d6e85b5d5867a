// SPDX-License-Identifier: AGPL-3.0-or-later

import ArgumentParser
import Foundation

/// Help and usage errors in the user's language (issue #16). argument-parser writes them in
/// English only; for another language the help is rebuilt from the command tree argument-parser
/// describes (`--experimental-dump-help`), each English text looked up in the tool's help
/// catalogue (keyed by the English text, so a help string changed in the code and not in the
/// catalogue shows in English, and a test finds it), and its usage errors are translated line by
/// line. The usage lines themselves (commands, options) stay as they are typed.
public enum LocalisedHelp {
    /// The part of argument-parser's description of a command that help shows.
    struct Command: Decodable {
        var commandName: String
        var abstract: String?
        var discussion: String?
        var shouldDisplay: Bool?
        var subcommands: [Command]?
        var arguments: [Argument]?
    }

    struct Argument: Decodable {
        struct Name: Decodable {
            var kind: String
            var name: String
        }
        var kind: String
        var shouldDisplay: Bool
        var names: [Name]?
        var valueName: String?
        var abstract: String?
        var discussion: String?
    }

    struct Tool: Decodable {
        var command: Command
    }

    /// The command tree of `root`, as argument-parser describes it.
    static func tree(_ root: any ParsableCommand.Type) -> Command? {
        do {
            _ = try root.parseAsRoot(["--experimental-dump-help"])
        } catch {
            let json = root.fullMessage(for: error)
            return try? JSONDecoder().decode(Tool.self, from: Data(json.utf8)).command
        }
        return nil
    }

    /// Every English text the help of `root` can show (abstracts, discussions, argument help),
    /// for the test that each has a translation.
    public static func englishTexts(_ root: any ParsableCommand.Type) -> Set<String> {
        var texts: Set<String> = []
        func walk(_ command: Command) {
            texts.formUnion([command.abstract, command.discussion].compactMap { $0 }.filter { !$0.isEmpty })
            for argument in command.arguments ?? [] where argument.shouldDisplay {
                texts.formUnion([argument.abstract, argument.discussion].compactMap { $0 }.filter { !$0.isEmpty })
            }
            for subcommand in command.subcommands ?? [] { walk(subcommand) }
        }
        if let tree = tree(root) { walk(tree) }
        return texts
    }

    /// The headings and fixed phrases of a help page and of usage errors.
    static let russianPhrases: [String: String] = [
        "usage": "Использование:", "arguments": "Аргументы:", "options": "Параметры:", "subcommands": "Команды:",
        "more": "Подробнее о команде: `%@ help <команда>`.", "see": "  Подробнее: `%@ --help`.",
        "error": "Ошибка: ", "help": "Справка: ",
    ]

    /// The help page for `arguments` (a help request: `--help`, `-h`, `help …`) in Russian,
    /// built from `englishHelp` (argument-parser's page, for its usage line) and `translations`.
    static func russianHelp(
        _ root: any ParsableCommand.Type, arguments: [String], englishHelp: String, translations: [String: String]
    ) -> String? {
        guard var command = tree(root) else { return nil }
        let toolName = command.commandName
        var path = [toolName]
        for word in arguments where !word.hasPrefix("-") {
            if word == "help" && path.count == 1 { continue }
            guard let next = command.subcommands?.first(where: { $0.commandName == word }) else { break }
            command = next
            path.append(word)
        }
        func say(_ text: String?) -> String? {
            guard let text, !text.isEmpty else { return nil }
            return translations[text] ?? text
        }
        var lines: [String] = []
        if let abstract = say(command.abstract) { lines += [abstract, ""] }
        let usage = englishHelp.split(separator: "\n", omittingEmptySubsequences: false).first {
            $0.hasPrefix("USAGE: ")
        }
        lines.append(russianPhrases["usage"]!)
        lines.append("  " + (usage.map { String($0.dropFirst("USAGE: ".count)) } ?? path.joined(separator: " ")))
        lines.append("")
        let shown = (command.arguments ?? []).filter(\.shouldDisplay)
        func entry(_ name: String, _ help: String?) {
            let help = say(help) ?? ""
            if name.count + 2 < 24 {
                lines.append("  " + name.padding(toLength: 24, withPad: " ", startingAt: 0) + help)
            } else {
                lines.append("  " + name)
                if !help.isEmpty { lines.append(String(repeating: " ", count: 26) + help) }
            }
        }
        let positionals = shown.filter { $0.kind == "positional" }
        if !positionals.isEmpty {
            lines.append(russianPhrases["arguments"]!)
            for argument in positionals { entry("<\(argument.valueName ?? "")>", argument.abstract) }
            lines.append("")
        }
        let options = shown.filter { $0.kind != "positional" }
        if !options.isEmpty {
            lines.append(russianPhrases["options"]!)
            for argument in options {
                let names = (argument.names ?? []).sorted { $0.kind == "short" && $1.kind != "short" }.map {
                    $0.kind == "long" ? "--" + $0.name : "-" + $0.name
                }
                let value = argument.kind == "option" ? " <\(argument.valueName ?? "")>" : ""
                entry(names.joined(separator: ", ") + value, argument.abstract)
            }
            lines.append("")
        }
        let subcommands = (command.subcommands ?? []).filter { $0.shouldDisplay ?? true }
        if !subcommands.isEmpty {
            lines.append(russianPhrases["subcommands"]!)
            for subcommand in subcommands { entry(subcommand.commandName, subcommand.abstract) }
            lines.append("")
            lines.append(fill(russianPhrases["more"]!, [path.joined(separator: " ")]))
        }
        if let discussion = say(command.discussion) {
            if lines.last != "" { lines.append("") }
            lines.append(discussion)
        }
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// argument-parser's usage error `message`, in Russian: its first line's kind of error, the
    /// help of the argument concerned from `translations`, the usage line as it is.
    static func russianError(_ message: String, translations: [String: String]) -> String {
        let patterns: [(String, String)] = [
            (#"^Error: Missing expected argument '(.*)'$"#, "не указан обязательный аргумент `$1`."),
            (#"^Error: Unknown option '(.*)'$"#, "неизвестный параметр `$1`."),
            (#"^Error: Unexpected argument '(.*)'$"#, "лишний аргумент или неизвестная команда `$1`."),
            (#"^Error: \d+ unexpected arguments: (.*)$"#, "лишние аргументы: $1."),
            (#"^Error: Missing value for '(.*)'$"#, "не указано значение для `$1`."),
            (#"^Error: The value '(.*)' is invalid for '(.*)'.*$"#, "значение `$1` не подходит для `$2`."),
            (#"^Error: Missing expected argument '(.*)'.*$"#, "не указан обязательный аргумент `$1`."),
        ]
        var lines: [String] = []
        for line in message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("Error: ") {
                var translated: String?
                for (pattern, template) in patterns {
                    guard let expression = try? NSRegularExpression(pattern: pattern) else { continue }
                    let range = NSRange(line.startIndex..., in: line)
                    if expression.firstMatch(in: line, range: range) != nil {
                        translated = expression.stringByReplacingMatches(in: line, range: range, withTemplate: template)
                        break
                    }
                }
                let rest = String(line.dropFirst("Error: ".count))
                lines.append(russianPhrases["error"]! + (translated ?? translations[rest] ?? rest))
            } else if line.hasPrefix("Help:  ") {
                // "Help:  <name>  text"
                let body = line.dropFirst("Help:  ".count)
                if let split = body.range(of: "  ") {
                    let name = body[..<split.lowerBound]
                    let text = String(body[split.upperBound...])
                    lines.append(russianPhrases["help"]! + "`\(name)`: " + (translations[text] ?? text))
                } else {
                    lines.append(russianPhrases["help"]! + body)
                }
            } else if line.hasPrefix("Usage: ") {
                lines.append(russianPhrases["usage"]!)
                lines.append("  " + line.dropFirst("Usage: ".count))
            } else if line.hasPrefix("  See '"), let end = line.range(of: " --help'") {
                let command = line[line.index(line.startIndex, offsetBy: 7)..<end.lowerBound]
                lines.append(fill(russianPhrases["see"]!, [String(command)]))
            } else {
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The message argument-parser gives for `error`, in `language`: for Russian, rebuilt as
    /// above; otherwise argument-parser's own.
    static func message(
        _ root: any ParsableCommand.Type, error: any Error, arguments: [String], language: Language,
        translations: [String: String]
    ) -> String {
        let english = root.fullMessage(for: error)
        // The planned languages read the Russian help until theirs is written.
        guard language != .english, !translations.isEmpty else { return english }
        if root.exitCode(for: error) == .success {
            // Help, not a completion script or the machine-readable description; that description
            // (what man pages are made from) has its texts translated too.
            guard english.contains("USAGE: ") else {
                guard arguments.contains("--experimental-dump-help") else { return english }
                return translatedDescription(english, translations: translations) ?? english
            }
            return russianHelp(root, arguments: arguments, englishHelp: english, translations: translations)
                ?? english
        }
        return russianError(english, translations: translations)
    }
}

extension LocalisedHelp {
    /// argument-parser's machine-readable description of the commands (JSON) with each abstract
    /// and discussion replaced by its translation, where there is one.
    static func translatedDescription(_ json: String, translations: [String: String]) -> String? {
        func translate(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.reduce(into: [String: Any]()) { result, field in
                    if ["abstract", "discussion"].contains(field.key), let text = field.value as? String {
                        result[field.key] = translations[text] ?? text
                    } else {
                        result[field.key] = translate(field.value)
                    }
                }
            }
            if let array = value as? [Any] { return array.map(translate) }
            return value
        }
        guard let tree = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
            let data = try? JSONSerialization.data(withJSONObject: translate(tree), options: [.sortedKeys])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The help texts every tool shares (the profile options, `shell`, argument-parser's own), in
/// Russian, keyed by the English text.
public enum SharedHelp {
    public static let russian: [String: String] = [
        "The profile directory (env AMANAT_PROFILE; default ~/.local/share/<tool>).":
            "Папка профиля (переменная `AMANAT_PROFILE`; по умолчанию `~/.local/share/<программа>`).",
        "Read the passphrase from this file descriptor instead of the terminal (one line).":
            "Читать парольную фразу из этого файлового дескриптора, а не с терминала (одна строка).",
        "Language: en or ru (default from LANG).": "Язык: `en` или `ru` (по умолчанию — из `LANG`).",
        "Show help information.": "Показать эту справку.",
        "Show subcommand help information.": "Показать справку по команде.",
        "Show the version.": "Показать версию программы.",
        "Unlock once, then type commands without the passphrase; locks when idle and on Ctrl-D.":
            "Открыть профиль один раз и вводить команды без парольной фразы; блокируется при простое и по Ctrl-D.",
        "Lock after this long without input: 90s, 5m (the default), 1h.":
            "Через сколько времени без ввода блокировать профиль: `90s`, `5m` (по умолчанию), `1h`.",
        "Print JSON.": "Вывести в формате `JSON`.",
    ]
}
