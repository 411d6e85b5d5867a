// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatProtocol
import AmanatTerminal
import ArgumentParser
import Foundation

/// `amanat`: the defender's terminal client (issue #7). Every command opens the profile with a
/// passphrase read from the terminal without echo, or from `--passphrase-fd`; never from an
/// argument or the environment.
public struct AmanatCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "amanat",
        abstract: "Send case updates to your organisation's experts, safely.",
        discussion: """
            Exit codes: 0 done; 64 usage; 65 invalid data (invite, damaged profile, too large); \
            66 a file to send is missing or unreadable; 69 network (relay or proxy unreachable, try \
            again later); 70 internal error; 73 the profile cannot be written or exists already; \
            75 saved but not sent yet (`amanat sync` sends it); \
            76 security check failed (wrong pin, bad signature); 77 wrong passphrase or no profile.
            """,
        subcommands: [
            Enroll.self, Send.self, Sync.self, Inbox.self, Read.self, Save.self, Status.self, Experts.self,
            Verify.self, Passphrase.self, Config.self, Wipe.self,
        ])

    public init() {}
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The profile directory (env AMANAT_PROFILE; default ~/.local/share/amanat).")
    var profile: String?

    @Option(help: "Read the passphrase from this file descriptor instead of the terminal (one line).")
    var passphraseFd: Int32?

    @Option(help: "Language: en or ru (default from LANG).")
    var lang: String?

    var language: Language { Language.choose(lang) }

    var directory: URL {
        if let profile { return URL(fileURLWithPath: profile, isDirectory: true) }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["AMANAT_PROFILE"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        let data =
            environment["XDG_DATA_HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share")
        return data.appendingPathComponent("amanat", isDirectory: true)
    }

    func say(_ key: String, _ arguments: [String] = []) {
        print(Catalogue.text(key, language, arguments))
    }

    /// The passphrase: from `--passphrase-fd`, else asked on the terminal.
    func passphrase(prompt key: String = "passphrase.prompt") throws -> SecureBytes {
        if let fd = passphraseFd {
            guard let line = Terminal.readLine(fd: fd), line.count > 0 else {
                throw DefenderError("error.passphrase-empty", code: DefenderError.usage)
            }
            return line
        }
        guard let answer = Terminal.prompt(Catalogue.text(key, language)) else {
            throw DefenderError("error.no-terminal", code: DefenderError.usage)
        }
        return answer
    }

    /// A new passphrase: one line from the descriptor, or asked twice on the terminal.
    func newPassphrase(prompt key: String = "passphrase.new") throws -> SecureBytes {
        let first = try passphrase(prompt: key)
        guard first.count >= 8 else { throw DefenderError("error.passphrase-empty", code: DefenderError.usage) }
        if passphraseFd == nil {
            guard try passphrase(prompt: "passphrase.repeat") == first else {
                throw DefenderError("error.passphrase-mismatch", code: DefenderError.usage)
            }
        }
        return first
    }

    /// Opens the profile, asking for the passphrase: up to three tries on the terminal, one
    /// from `--passphrase-fd`.
    func open() throws -> Account {
        guard ProfileStore.exists(at: directory) else {
            throw DefenderError("error.no-profile", [directory.path], code: DefenderError.authentication)
        }
        let attempts = passphraseFd == nil ? 3 : 1
        for attempt in 1...attempts {
            let passphrase = try passphrase()
            do {
                return try Account.open(at: directory, passphrase: passphrase)
            } catch .store(.wrongPassphrase) where attempt < attempts {
                FileHandle.standardError.write(Data((Catalogue.text("error.wrong-passphrase", language) + "\n").utf8))
            } catch .store(.wrongPassphrase) where attempts > 1 {
                throw DefenderError("error.wrong-passphrase-final", code: DefenderError.authentication)
            } catch {
                throw DefenderError(error, profile: directory.path)
            }
        }
        throw DefenderError("error.wrong-passphrase", code: DefenderError.authentication)
    }

    /// Runs `body`, turning library errors into the user's.
    func run<T>(_ body: () async throws(AccountError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw DefenderError(error, profile: directory.path)
        }
    }
}

/// Prints a failure in the user's language and exits with its code; the entry point of `amanat`.
extension AmanatCommand {
    public static func run(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as DefenderError {
            let language = Language.choose(Self.languageFlag(arguments))
            FileHandle.standardError.write(Data((Catalogue.text(error.key, language, error.arguments) + "\n").utf8))
            return error.code
        } catch {
            let code = exitCode(for: error).rawValue
            // Help and version are answers, not failures: they go to standard output.
            let stream = code == 0 ? FileHandle.standardOutput : FileHandle.standardError
            let message = fullMessage(for: error)
            if !message.isEmpty { stream.write(Data((message + "\n").utf8)) }
            return code
        }
    }

    static func languageFlag(_ arguments: [String]) -> String? {
        if let index = arguments.firstIndex(of: "--lang"), index + 1 < arguments.count { return arguments[index + 1] }
        return arguments.first { $0.hasPrefix("--lang=") }.map { String($0.dropFirst(7)) }
    }
}
