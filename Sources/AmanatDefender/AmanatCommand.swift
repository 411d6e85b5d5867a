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
            66 a file to send is missing or unreadable; 69 network (relay, proxy or Tor unreachable; \
            what was being sent stays queued; try again later); 70 internal error; 73 the profile cannot be written or exists already; \
            75 saved but not sent yet (`amanat sync` sends it); \
            76 security check failed (wrong pin, bad signature); 77 wrong passphrase or no profile.
            """,
        version: AmanatVersion.current,
        subcommands: [
            Enroll.self, Send.self, Sync.self, Inbox.self, Read.self, Save.self, Status.self, Experts.self,
            Verify.self, Passphrase.self, Config.self, Shell.self, Wipe.self,
        ])

    public init() {}
}

/// Where `amanat` keeps its profile by default.
extension ProfileOptions {
    /// The defender tool's default profile folder.
    static let defenderFolder = "amanat"

    var directory: URL { directory(defaultFolder: Self.defenderFolder) }

    /// Prints the sentence `key` with `arguments`, each shown safely (remote text may be among them).
    func say(_ key: String, _ arguments: [String] = []) {
        print(Catalogue.text(key, language, arguments.map { VisibleText.of($0) }))
        // Each line as it happens, also into a pipe or a log (`sync --watch` runs for hours).
        fflush(nil)
    }

    func open() throws -> Account { try open(at: directory) }
}

/// Prints a failure in the user's language and exits with its code; the entry point of `amanat`.
extension AmanatCommand {
    public static func run(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Int32 {
        await CommandRunner.run(
            Self.self, arguments: arguments, profileFolder: ProfileOptions.defenderFolder, text: Catalogue.text,
            help: HelpCatalogue.russian)
    }
}
