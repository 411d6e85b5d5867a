// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import ArgumentParser
import Foundation

/// Runs a terminal tool's command line: a ``CommandError`` is printed in the user's language
/// (`--lang`, else the environment) from the tool's catalogue, and so is a library error
/// (``AccountError``), told in the user's terms here, in one place, for every command; anything
/// else as argument-parser says, in Russian from `help` (the tool's help texts by their English
/// text; see ``LocalisedHelp``); help and completion scripts go to standard output. Returns the
/// exit code.
public enum CommandRunner {
    /// Runs `arguments` with `root`; `profileFolder` is the tool's default profile folder, which
    /// an error about the profile names when `--profile` does not.
    public static func run(
        _ root: any ParsableCommand.Type, arguments: [String], profileFolder: String,
        text: (_ key: String, _ language: Language, _ arguments: [String]) -> String,
        help: [String: String] = [:]
    ) async -> Int32 {
        // `help` takes no options of its own: `--lang` there chooses the help's language only.
        var parsed = arguments
        if parsed.first == "help", let language = languageFlag(arguments) {
            parsed.removeAll { $0 == "--lang" || $0 == language || $0 == "--lang=" + language }
        }
        do {
            var command = try root.parseAsRoot(parsed)
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as CommandError {
            return report(error, arguments: arguments, text: text)
        } catch let error as AccountError {
            let profile = ProfileOptions.directory(
                profile: value(of: "--profile", arguments), defaultFolder: profileFolder)
            return report(CommandError(error, profile: profile.path), arguments: arguments, text: text)
        } catch {
            let code = root.exitCode(for: error).rawValue
            // Help and version are answers, not failures: they go to standard output.
            let stream = code == 0 ? FileHandle.standardOutput : FileHandle.standardError
            let message = LocalisedHelp.message(
                root, error: error, arguments: arguments, language: Language.choose(languageFlag(arguments)),
                translations: help.isEmpty ? [:] : SharedHelp.russian.merging(own: help))
            if !message.isEmpty { stream.write(Data((message + "\n").utf8)) }
            return code
        }
    }

    /// Prints `error` in the user's language on standard error; its exit code.
    static func report(
        _ error: CommandError, arguments: [String],
        text: (_ key: String, _ language: Language, _ arguments: [String]) -> String
    ) -> Int32 {
        let language = Language.choose(languageFlag(arguments))
        let shown = error.arguments.map { VisibleText.of($0) }
        FileHandle.standardError.write(Data((text(error.key, language, shown) + "\n").utf8))
        return error.code
    }

    /// The value of `--lang` on the command line, read before parsing so that parse errors can
    /// be in the user's language too.
    static func languageFlag(_ arguments: [String]) -> String? {
        value(of: "--lang", arguments)
    }

    /// The value of `option` on the command line (`--name value` or `--name=value`).
    static func value(of option: String, _ arguments: [String]) -> String? {
        if let index = arguments.firstIndex(of: option), index + 1 < arguments.count { return arguments[index + 1] }
        return arguments.first { $0.hasPrefix(option + "=") }.map { String($0.dropFirst(option.count + 1)) }
    }
}
