// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import ArgumentParser
import CReadline
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `shell`, in both terminal tools (issue #16): the profile is unlocked once, then the tool's
/// commands are typed without the tool's name and without a passphrase, with line editing and a
/// history that lives in memory only (GNU readline; no history file is read or written). The
/// profile locks again, its store key dropped, after an idle time at the prompt (typing at the
/// prompt counts as activity), on `lock`, and for good on Ctrl-D or `exit`. What is typed here
/// is never a process's command line, so `ps` does not see a text given to `send`.
public enum InteractiveShell {
    /// How a shell session is set up.
    public struct Settings: Sendable {
        /// The tool's root command.
        public var root: any ParsableCommand.Type
        /// The tool's default profile folder (``ProfileOptions/directory(profile:defaultFolder:)``).
        public var profileFolder: String
        /// The tool's sentences, for its messages and failures.
        public var text: @Sendable (_ key: String, _ language: Language, _ arguments: [String]) -> String
        /// Commands that make no sense inside a shell (`shell`, enrolment): refused with a sentence.
        public var refused: Set<String>
        /// Idle seconds at the prompt before the profile locks.
        public var idleSeconds: Double
        /// The tool's help texts in Russian (see ``LocalisedHelp``).
        public var help: [String: String]

        public init(
            root: any ParsableCommand.Type, profileFolder: String,
            text: @escaping @Sendable (_ key: String, _ language: Language, _ arguments: [String]) -> String,
            refused: Set<String>, idleSeconds: Double, help: [String: String] = [:]
        ) {
            self.root = root
            self.profileFolder = profileFolder
            self.text = text
            self.refused = refused
            self.idleSeconds = idleSeconds
            self.help = help
        }
    }

    /// Whether commands run inside a shell (then their text arguments never were a command line).
    public static var isRunning: Bool { UnlockedProfile.shared.isShell }

    /// Parses an idle time: `90s`, `5m`, `1h`, or a number of minutes. Nil when it is not one,
    /// or not between 1 second and 24 hours.
    public static func idleSeconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [
            ("min", 60), ("мин", 60), ("s", 1), ("m", 60), ("h", 3600), ("с", 1), ("м", 60), ("ч", 3600),
        ]
        var scale = 60.0
        var number = Substring(trimmed)
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            scale = factor
            number = trimmed.dropLast(suffix.count)
            break
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")),
            value.isFinite
        else { return nil }
        let seconds = value * scale
        return (1...86_400).contains(seconds) ? seconds : nil
    }

    /// Runs the shell on the profile in `directory` until Ctrl-D, `exit`, a profile that is gone
    /// (wiped), or an unlock that fails. Each line runs as `root` would run its arguments, with
    /// `--profile` (and `--lang` when given) of the shell added.
    ///
    /// - Throws: the failures of unlocking (wrong passphrase, no profile) as ``CommandError``.
    public static func run(_ settings: Settings, options: ProfileOptions, directory: URL) async throws {
        let language = options.language
        func say(_ key: String, _ arguments: [String] = []) {
            print(settings.text(key, language, arguments))
            fflush(nil)
        }
        let idle = LocalTime.duration(settings.idleSeconds, language)
        var extra = ["--profile", directory.path]
        if let lang = options.lang { extra += ["--lang", lang] }
        let reader = LineReader()
        defer { UnlockedProfile.shared.lock() }
        var first = true
        while true {
            // Unlock (again): the same prompt, the same three tries as any command; Ctrl-D at a
            // later prompt leaves, as the locked message says.
            let account: Account
            do {
                account = try options.open(at: directory)
            } catch let error as CommandError where !first && error.key == "error.no-terminal" {
                say("shell.bye")
                return
            }
            first = false
            UnlockedProfile.shared.unlock(account, directory: directory)
            say("shell.unlocked", [idle])
            var locked = false
            while !locked {
                switch reader.line(prompt: "amanat> ", idleSeconds: settings.idleSeconds) {
                case .endOfInput:
                    UnlockedProfile.shared.lock()
                    reader.forget()
                    say("shell.bye")
                    return
                case .idle:
                    UnlockedProfile.shared.lock()
                    reader.forget()
                    print()
                    say("shell.locked-idle", [idle])
                    locked = true
                case .line(let line):
                    let words: [String]
                    do {
                        words = try ShellWords.split(line)
                    } catch {
                        say("shell.quotes")
                        continue
                    }
                    guard let command = words.first else { continue }
                    switch command {
                    case "exit", "quit", "выход":
                        UnlockedProfile.shared.lock()
                        reader.forget()
                        say("shell.bye")
                        return
                    case "lock", "заблокировать":
                        UnlockedProfile.shared.lock()
                        reader.forget()
                        say("shell.locked")
                        locked = true
                        continue
                    default: break
                    }
                    if settings.refused.contains(command) {
                        say("shell.refused", [command])
                        continue
                    }
                    _ = await CommandRunner.run(
                        settings.root, arguments: words + extra, profileFolder: settings.profileFolder,
                        text: settings.text, help: settings.help)
                    fflush(nil)
                    // `wipe` ends the shell: there is nothing left to unlock.
                    if !ProfileStore.exists(at: directory) { return }
                }
            }
        }
    }
}

/// The account a shell holds open, which ``ProfileOptions/open(at:)`` hands out instead of
/// asking for the passphrase; dropped (and with it the store key) when the shell locks.
final class UnlockedProfile: @unchecked Sendable {
    static let shared = UnlockedProfile()
    private let mutex = NSLock()
    private var account: Account?
    private var directory: String?
    private var shell = false

    var isShell: Bool { mutex.withLock { shell } }

    func unlock(_ account: Account, directory: URL) {
        mutex.withLock {
            self.account = account
            self.directory = directory.standardizedFileURL.path
            shell = true
        }
    }

    func lock() {
        mutex.withLock {
            account = nil
            directory = nil
        }
    }

    /// The open account for `directory`, if the shell holds that profile open.
    func account(for directory: URL) -> Account? {
        mutex.withLock { self.directory == directory.standardizedFileURL.path ? account : nil }
    }
}

/// Reads the shell's lines: with readline on a terminal, plain lines otherwise; both give up
/// after an idle time.
final class LineReader {
    enum Result: Equatable {
        case line(String)
        case idle
        case endOfInput
    }

    private let terminal = isatty(STDIN_FILENO) == 1

    init() {
        guard terminal else { return }
        // Characters as the user's locale says (Cyrillic in a UTF-8 locale); 8-bit input passes
        // through even in the C locale instead of turning into Meta keys.
        setlocale(LC_CTYPE, "")
        _ = rl_variable_bind("input-meta", "on")
        _ = rl_variable_bind("output-meta", "on")
        _ = rl_variable_bind("convert-meta", "off")
        // No file-name completion of the working directory by default: nothing to complete.
        _ = rl_variable_bind("disable-completion", "on")
    }

    /// Forgets the history (what was typed, texts given to `send` among it).
    func forget() {
        guard terminal else { return }
        clear_history()
    }

    /// Shows `prompt` and reads one line; `.idle` after `idleSeconds` without a key pressed.
    func line(prompt: String, idleSeconds: Double) -> Result {
        fflush(nil)
        return terminal
            ? edited(prompt: prompt, idleSeconds: idleSeconds) : plain(prompt: prompt, idleSeconds: idleSeconds)
    }

    /// Waits until standard input is readable or `seconds` pass; false on the latter.
    private func wait(_ seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return false }
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }
        }
    }

    private func edited(prompt: String, idleSeconds: Double) -> Result {
        LineReader.finished = nil
        rl_callback_handler_install(prompt) { pointer in
            // Removed here, inside the handler, so that readline does not show the prompt again
            // before the command's output.
            rl_callback_handler_remove()
            if let pointer {
                LineReader.finished = .line(String(cString: pointer))
                free(pointer)
            } else {
                LineReader.finished = .endOfInput
            }
        }
        while LineReader.finished == nil {
            guard wait(idleSeconds) else {
                rl_callback_handler_remove()
                return .idle
            }
            rl_callback_read_char()
        }
        let result = LineReader.finished ?? .endOfInput
        if case .line(let text) = result, !text.trimmingCharacters(in: .whitespaces).isEmpty {
            add_history(text)
        }
        return result
    }

    /// What readline's line handler received; only touched on the thread running the shell.
    nonisolated(unsafe) private static var finished: Result?

    private func plain(prompt: String, idleSeconds: Double) -> Result {
        FileHandle.standardOutput.write(Data(prompt.utf8))
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            guard wait(idleSeconds) else { return .idle }
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else {
                return bytes.isEmpty ? .endOfInput : .line(String(decoding: bytes, as: UTF8.self))
            }
            if byte == 0x0A { return .line(String(decoding: bytes, as: UTF8.self)) }
            bytes.append(byte)
            if bytes.count > 1 << 20 { return .line(String(decoding: bytes, as: UTF8.self)) }
        }
    }
}

/// A shell line split into words as a POSIX shell would, for quotes and backslashes only (no
/// variables, globs or pipes): `send "two words"` is two words.
enum ShellWords {
    struct UnclosedQuote: Error {}

    static func split(_ line: String) throws(UnclosedQuote) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
                inWord = true
            } else if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else {
                    current.append(character)
                }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == "\\" {
                escaped = true
            } else if character.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil, !escaped else { throw UnclosedQuote() }
        if inWord { words.append(current) }
        return words
    }
}
