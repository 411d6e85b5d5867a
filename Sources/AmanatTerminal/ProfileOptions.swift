// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import ArgumentParser
import Foundation

/// Options every command of a terminal tool takes: the profile, the passphrase source, the
/// language.
public struct ProfileOptions: ParsableArguments {
    public init() {}

    @Option(help: "The profile directory (env AMANAT_PROFILE; default ~/.local/share/<tool>).")
    public var profile: String?

    @Option(help: "Read the passphrase from this file descriptor instead of the terminal (one line).")
    public var passphraseFd: Int32?

    @Option(help: "Language: en or ru (default from LANG).")
    public var lang: String?

    public var language: Language { Language.choose(lang) }

    /// The profile directory: `--profile`, else `AMANAT_PROFILE`, else `defaultFolder` in the
    /// user's data directory.
    public func directory(defaultFolder: String) -> URL {
        Self.directory(profile: profile, defaultFolder: defaultFolder)
    }

    /// The profile directory `profile` (the `--profile` value, if any) names.
    public static func directory(profile: String?, defaultFolder: String) -> URL {
        if let profile { return URL(fileURLWithPath: profile, isDirectory: true) }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["AMANAT_PROFILE"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        let data =
            environment["XDG_DATA_HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share")
        return data.appendingPathComponent(defaultFolder, isDirectory: true)
    }

    /// The passphrase: from `--passphrase-fd`, else asked on the terminal.
    public func passphrase(prompt key: String = "passphrase.prompt") throws -> SecureBytes {
        if let fd = passphraseFd {
            guard let line = Terminal.readLine(fd: fd), line.count > 0 else {
                throw CommandError("error.passphrase-empty", code: CommandError.usage)
            }
            return line
        }
        guard let answer = Terminal.prompt(TerminalText.text(key, language)) else {
            throw CommandError("error.no-terminal", code: CommandError.usage)
        }
        return answer
    }

    /// A new passphrase: one line from the descriptor, or asked twice on the terminal.
    public func newPassphrase(prompt key: String = "passphrase.new") throws -> SecureBytes {
        let first = try passphrase(prompt: key)
        guard first.count >= 8 else { throw CommandError("error.passphrase-empty", code: CommandError.usage) }
        if passphraseFd == nil {
            guard try passphrase(prompt: "passphrase.repeat") == first else {
                throw CommandError("error.passphrase-mismatch", code: CommandError.usage)
            }
        }
        return first
    }

    /// Opens the profile, asking for the passphrase: up to three tries on the terminal, one
    /// from `--passphrase-fd`; inside ``InteractiveShell``, the account it holds unlocked.
    public func open(at directory: URL) throws -> Account {
        // Inside `shell`, the profile it unlocked.
        if let account = UnlockedProfile.shared.account(for: directory) { return account }
        guard ProfileStore.exists(at: directory) else {
            throw CommandError("error.no-profile", [directory.path], code: CommandError.authentication)
        }
        let attempts = passphraseFd == nil ? 3 : 1
        for attempt in 1...attempts {
            let passphrase = try passphrase()
            do {
                let account = try Account.open(at: directory, passphrase: passphrase)
                if let stored = account.storedLanguage { setenv(Language.profileLanguageVariable, stored, 1) }
                if Terminal.showsProgress { account.managedTor?.observe(Terminal.drawTorProgress) }
                return account
            } catch .store(.wrongPassphrase) where attempt < attempts {
                FileHandle.standardError.write(
                    Data((TerminalText.text("error.wrong-passphrase", language) + "\n").utf8))
            } catch .store(.wrongPassphrase) where attempts > 1 {
                throw CommandError("error.wrong-passphrase-final", code: CommandError.authentication)
            } catch {
                throw CommandError(error, profile: directory.path)
            }
        }
        throw CommandError("error.wrong-passphrase", code: CommandError.authentication)
    }

}

extension ProfileOptions {
    /// Decrypts the attachment a tool lists as `<message id prefix>-<number>` to `path`.
    ///
    /// - Throws: ``CommandError`` `error.unknown-message` when no single message and attachment
    ///   match, and the library's ``AccountError``s (``CommandRunner`` tells them to the user).
    public func saveAttachment(_ id: String, of account: Account, to path: String) async throws {
        let parts = id.split(separator: "-")
        guard parts.count == 2, let number = Int(parts[1]), number >= 1 else {
            throw CommandError("error.unknown-message", [id], code: CommandError.data)
        }
        let messages = try await account.messages()
        let matches = messages.filter { $0.idText.hasPrefix(parts[0].lowercased()) }
        guard matches.count == 1, let message = matches.first, message.attachments.indices.contains(number - 1) else {
            throw CommandError("error.unknown-message", [id], code: CommandError.data)
        }
        try await account.saveAttachment(of: message.id, index: number - 1, to: URL(fileURLWithPath: path))
    }
}
