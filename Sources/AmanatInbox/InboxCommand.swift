// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatProtocol
import AmanatTerminal
import ArgumentParser
import Foundation

/// `amanat-inbox`: the experts' inbox and the organisation's administration: the organisation
/// (root key, invites, roster), enrolling an expert device, sync, cases (one per defender, by case
/// id or alias), triage, replies and attachments, search, evidence export, the web UI and the shell.
public struct InboxCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "amanat-inbox",
        abstract: "Receive, read and answer defenders' case updates; run the organisation.",
        discussion: """
            Exit codes: 0 done; 64 usage; 65 invalid data; 66 a file is missing or unreadable; 69 network \
            (relay unreachable, try again later); 73 the profile cannot be written or exists already; \
            75 saved but not sent yet; 76 security check failed; 77 wrong passphrase, no profile, or not \
            permitted.
            """,
        version: AmanatVersion.current,
        subcommands: [
            Organisation.self, Enroll.self, Card.self, Sync.self, Cases.self, Case.self, Reply.self, Save.self,
            SetField.self, Assign.self, Label.self, Alias.self, Note.self, Due.self, Verify.self, Export.self,
            VerifyBundle.self,
            Search.self, Serve.self, Shell.self,
        ])

    public init() {}

    /// The help of every argument that names a case.
    static let caseHelp: ArgumentHelp =
        "The case: its id as `amanat-inbox cases` shows it (or any unique prefix of 4 or more characters), or its alias."

    /// Runs the command line, printing failures in the user's language; returns the exit code.
    public static func run(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Int32 {
        await CommandRunner.run(
            Self.self, arguments: arguments, profileFolder: ProfileOptions.expertFolder, text: InboxCatalogue.text,
            help: InboxHelpCatalogue.russian)
    }
}

extension InboxCommand {
    struct Shell: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unlock once, then type commands without the passphrase; locks when idle and on Ctrl-D.")

        @OptionGroup var options: ProfileOptions
        @OptionGroup var shell: ShellOptions

        func run() async throws {
            // `serve` holds the profile open for its own session, with its own login.
            let settings = InteractiveShell.Settings(
                root: InboxCommand.self, profileFolder: ProfileOptions.expertFolder, text: InboxCatalogue.text,
                refused: ["shell", "enroll", "serve"],
                idleSeconds: try shell.idleSeconds(), help: InboxHelpCatalogue.russian)
            try await InteractiveShell.run(settings, options: options, directory: options.directory)
        }
    }
}

/// Where `amanat-inbox` keeps its profile by default, and how it speaks.
extension ProfileOptions {
    /// The inbox's default profile folder.
    static let expertFolder = "amanat-inbox"

    var directory: URL { directory(defaultFolder: Self.expertFolder) }

    /// Prints the sentence `key` with `arguments`, each shown safely (remote text may be among them).
    func say(_ key: String, _ arguments: [String] = []) {
        print(InboxCatalogue.text(key, language, arguments.map { VisibleText.of($0) }))
    }

    func open() throws -> Account { try open(at: directory) }
}

/// An expert's contact card as text: `amanat://card/` and base64url, handed to the administrator.
enum CardText {
    static let prefix = "amanat://card/"

    static func encode(_ card: ContactCard) throws -> String {
        prefix + Base64URL.encode(try card.encoded)
    }

    static func decode(_ text: String) -> ContactCard? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(prefix), let bytes = Base64URL.decode(String(trimmed.dropFirst(prefix.count))) else {
            return nil
        }
        return try? ContactCard(decoding: bytes)
    }
}

extension InboxCommand {
    struct Organisation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "org", abstract: "The organisation: root key, relay, invites, experts.",
            subcommands: [
                Initialise.self, Connect.self, Addresses.self, Invite.self, AddExpert.self, RemoveExpert.self,
                DeviceLost.self, Devices.self, VerifyDevice.self,
            ])
    }

    struct Initialise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init", abstract: "Create the organisation's root key inside a new encrypted profile.")

        @OptionGroup var options: ProfileOptions

        func run() async throws {
            let passphrase = try options.newPassphrase()
            let root = try Account.createOrganisation(at: options.directory, passphrase: passphrase)
            let key = Base64URL.encode(root.rawRepresentation)
            options.say("org.created", [key, key])
        }
    }

    struct Connect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect the organisation to its relay; this device becomes the first expert.")

        @OptionGroup var options: ProfileOptions

        @Option(help: "The relay's address: https://…, or http://….onion.")
        var relay: String

        @Option(help: "The relay's TLS pin (sha256//…) when it uses its own certificate.")
        var pin: String?

        @Option(help: "A SOCKS proxy such as Tor's: socks5h://127.0.0.1:9050.")
        var proxy: String?

        @Option(help: "This expert's name as defenders see it.")
        var name: String = "Expert"

        func run() async throws {
            let pinBytes: [UInt8]?
            do {
                pinBytes = try pin.map { text throws(ProtocolError) in try AmanatProtocol.Invite.pin(fromText: text) }
            } catch {
                throw CommandError("error.invalid-invite", code: CommandError.usage)
            }
            let passphrase = try options.passphrase()
            let account = try await Account.connectOrganisation(
                at: options.directory, passphrase: passphrase, relay: relay, pin: pinBytes, proxy: proxy, name: name
            )
            let count = try await account.roster().count
            options.say("org.connected", [relay, name, String(count)])
        }
    }

    struct Addresses: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "List the relay's addresses, or add or remove one; invites carry them all, tried in order."
        )

        @OptionGroup var options: ProfileOptions

        @Option(help: "Add this address of the relay (https://… or http://….onion) after the others.")
        var add: String?

        @Option(help: "The relay's TLS pin (sha256//…) at the added address, if it has one.")
        var pin: String?

        @Option(help: "Remove this address (not the first one: `amanat-inbox` keeps that as connected).")
        var remove: String?

        func run() async throws {
            if pin != nil && add == nil { throw CommandError("error.pin-without-address", code: CommandError.usage) }
            let pinBytes: [UInt8]?
            do {
                pinBytes = try pin.map { text throws(ProtocolError) in try AmanatProtocol.Invite.pin(fromText: text) }
            } catch {
                throw CommandError("error.invalid-pin", code: CommandError.usage)
            }
            let account = try options.open()
            if let remove {
                do {
                    try await account.removeRelayAddress(remove)
                } catch {
                    guard case .transport(.badRelayAddress) = error else { throw error }
                    throw CommandError("error.unknown-address", [remove], code: CommandError.usage)
                }
            }
            if let add {
                do {
                    try await account.addRelayAddress(add, pin: pinBytes)
                } catch {
                    guard case .transport(.badRelayAddress) = error else { throw error }
                    throw CommandError("error.address", [add], code: CommandError.usage)
                }
            }
            for address in try await account.relayAddresses { options.say("org.address", [address]) }
        }
    }

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a single-use invite for a defender or a new expert device.")

        @OptionGroup var options: ProfileOptions

        @Option(help: "Days until it expires (default 7).")
        var days: Int = 7

        @Option(help: "Also write it to this file.")
        var out: String?

        @Flag(
            inversion: .prefixedNo,
            help: "Draw it as a QR code above the link (default: when the output is a terminal).")
        var qr: Bool?

        @Option(
            name: .customLong("bridge"),
            help: "A Tor bridge line (`obfs4 …` or `snowflake …`) for this one person; up to four times.")
        var bridges: [String] = []

        func run() async throws {
            guard (1...90).contains(days) else { throw ValidationError("--days must be 1-90.") }
            guard bridges.count <= AmanatProtocol.Invite.maximumBridgeCount,
                bridges.allSatisfy(AmanatProtocol.Invite.isValidBridge)
            else { throw CommandError("error.bridge", code: CommandError.usage) }
            let account = try options.open()
            guard await account.isOrganisationAdministrator else {
                throw CommandError("error.not-administrator", code: CommandError.authentication)
            }
            let invite = try await account.invite(lifetime: UInt64(days) * 86_400, bridges: bridges)
            if let out {
                guard
                    FileManager.default.createFile(
                        atPath: out, contents: Data((invite.text + "\n").utf8), attributes: [.posixPermissions: 0o600])
                else { throw CommandError("error.unwritable", code: CommandError.cannotCreate) }
            }
            // The link stays the last line, for scripts that read it.
            if qr ?? (isatty(STDOUT_FILENO) == 1), let code = TerminalQR.render(invite.text) {
                print(code)
            }
            options.say("org.invite-check", [invite.checkCode])
            options.say("org.invite", [invite.text])
        }
    }

    struct Devices: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the expert devices on the roster, with the safety number to compare with each in person.")

        @OptionGroup var options: ProfileOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let account = try options.open()
            _ = try? await account.refreshRoster()
            let roster = try await account.roster()
            let own = try await account.ownIdentity()
            if json {
                let list = roster.map { device -> [String: Any] in
                    [
                        "name": device.name, "thisDevice": device.identity == own, "verified": device.isVerified,
                        "safetyNumber": device.identity == own ? NSNull() : device.safetyNumber.digits,
                        "identity": Hex.encode(device.identity.signingKey.rawRepresentation),
                    ]
                }
                try JSONOutput.print(list)
                return
            }
            for device in roster {
                if device.identity == own {
                    options.say("org.device.self", [device.name])
                } else {
                    options.say(
                        device.isVerified ? "org.device.verified" : "org.device",
                        [device.name, SafetyText.grouped(device.safetyNumber)])
                }
            }
        }
    }

    struct VerifyDevice: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Mark a colleague's device verified after comparing safety numbers with them.")

        @OptionGroup var options: ProfileOptions

        @Argument(help: "The expert's name on the roster (`amanat-inbox org devices`).")
        var name: String

        @OptionGroup var safety: SafetyInput

        func run() async throws {
            let typed = try safety.typed()
            let account = try options.open()
            let roster = try await account.roster()
            let own = try await account.ownIdentity()
            // A name may stand for several devices of one expert: the one whose number matches.
            let named = roster.filter { $0.name == name && $0.identity != own }
            guard !named.isEmpty else { throw CommandError("error.unknown-expert", [name], code: CommandError.data) }
            guard let device = named.first(where: { SafetyText.matches(typed, $0.safetyNumber) }) else {
                throw CommandError("error.device-safety-mismatch", [name], code: CommandError.security)
            }
            try await account.markVerified(device.identity)
            options.say("verified.device", [name])
        }
    }

    struct AddExpert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-expert", abstract: "Put an expert device on the roster, by the card it printed.")

        @OptionGroup var options: ProfileOptions

        @Argument(help: "The expert's name as defenders see it.")
        var name: String

        @Argument(help: "The card (amanat://card/…) the expert's `amanat-inbox enroll` printed.")
        var card: String

        func run() async throws {
            guard let card = CardText.decode(card) else {
                throw CommandError("error.invalid-card", code: CommandError.data)
            }
            let account = try options.open()
            guard await account.isOrganisationAdministrator else {
                throw CommandError("error.not-administrator", code: CommandError.authentication)
            }
            try await account.addExpert(name: name, card: card)
            let version = try await account.refreshRoster()
            options.say("org.expert-added", [name, String(version)])
        }
    }

    struct RemoveExpert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-expert", abstract: "Take an expert device off the roster.")

        @OptionGroup var options: ProfileOptions

        @Argument(help: "The expert's name on the roster.")
        var name: String

        func run() async throws {
            let account = try options.open()
            let roster = try await account.roster()
            guard let device = roster.first(where: { $0.name == name }) else {
                throw CommandError("error.unknown-expert", [name], code: CommandError.data)
            }
            try await account.removeExpert(device.identity)
            let version = try await account.refreshRoster()
            options.say("org.expert-removed", [name, String(version)])
        }
    }

    struct DeviceLost: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "device-lost",
            abstract:
                "An expert device is lost or seized: take it off the roster under a new roster key, which goes to every other device; defenders then change their deposit keys."
        )

        @OptionGroup var options: ProfileOptions

        @Argument(help: "The expert's name on the roster.")
        var name: String

        func run() async throws {
            let account = try options.open()
            let devices = try await account.roster().filter { $0.name == name }
            guard let device = devices.first else {
                throw CommandError("error.unknown-expert", [name], code: CommandError.data)
            }
            guard devices.count == 1 else {
                throw CommandError("error.device-ambiguous", [name, String(devices.count)], code: CommandError.usage)
            }
            let report = try await account.deviceLost(device.identity)
            options.say("org.device-lost", [name, String(report.rosterVersion), String(report.reached)])
            if report.unreachable > 0 { options.say("org.device-lost.unreachable", [String(report.unreachable)]) }
            guard report.sent else {
                options.say("queued")
                throw ExitCode(CommandError.queued)
            }
        }
    }

    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enrol this device as an expert with an invite; prints the card for the administrator.")

        @OptionGroup var options: ProfileOptions

        @Argument(help: "The invite text, or a file holding it.")
        var invite: String

        @Option(help: "A SOCKS proxy such as Tor's: socks5h://127.0.0.1:9050.")
        var proxy: String?

        func run() async throws {
            let text =
                invite.hasPrefix(AmanatProtocol.Invite.uriPrefix)
                ? invite : FileManager.default.contents(atPath: invite).map { String(decoding: $0, as: UTF8.self) }
            guard let text else { throw CommandError("error.missing-file", [invite], code: CommandError.input) }
            let parsed = try InviteText.checked(text)
            options.say("invite.checked", [parsed.checkCode])
            let passphrase = try options.newPassphrase()
            let account = try await Account.enrol(
                invite: parsed, at: options.directory, passphrase: passphrase, role: .expert, proxy: proxy)
            let card = try await account.contactCard
            options.say("enrolled", [parsed.relay, try CardText.encode(card)])
        }
    }

    struct Card: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print this device's card for the administrator.")

        @OptionGroup var options: ProfileOptions

        func run() async throws {
            let account = try options.open()
            let card = try await account.contactCard
            options.say("card", [try CardText.encode(card)])
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send what is queued and fetch what has arrived.")

        @OptionGroup var options: ProfileOptions

        func run() async throws {
            let account = try options.open()
            let summary = try await account.sync()
            options.say("synced", [String(summary.received), String(summary.sent), String(summary.queued)])
            if summary.triageChanges > 0 { options.say("synced.triage", [String(summary.triageChanges)]) }
            if summary.colleaguesReplies > 0 { options.say("synced.team", [String(summary.colleaguesReplies)]) }
            if summary.historyItems > 0 { options.say("synced.history", [String(summary.historyItems)]) }
            if summary.moreWaiting { options.say("synced.more") }
            if summary.undecryptable > 0 { options.say("synced.undecryptable", [String(summary.undecryptable)]) }
            if summary.notPermitted > 0 { options.say("synced.not-permitted", [String(summary.notPermitted)]) }
        }
    }

    struct Cases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per defender: triage state, messages, unread, latest.")

        @OptionGroup var options: ProfileOptions

        @Option(help: "Only cases with this status: new, in-progress, waiting, resolved, closed.")
        var status: String?

        @Option(help: "Only cases assigned to this expert (a roster name, `me` or `nobody`).")
        var assignee: String?

        @Option(help: "Only cases with this label.")
        var label: String?

        @Flag(help: "Only cases past their due date and not resolved or closed.")
        var overdue = false

        @Option(help: "Order: latest (newest message first), priority (most urgent first), due (soonest first).")
        var sort: String = "latest"

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let account = try options.open()
            guard ["latest", "priority", "due"].contains(sort) else {
                throw CommandError("error.triage-value", [sort, "latest, priority, due"], code: CommandError.usage)
            }
            if let status, !TriageWords.statuses.contains(where: { $0.0 == status }) {
                throw CommandError(
                    "error.triage-value", [status, "new, in-progress, waiting, resolved, closed"],
                    code: CommandError.usage)
            }
            let view = try await TriageOverview.load(account, options)
            var cases = try await InboxCase.load(account, options)
            let now = UInt64(Date().timeIntervalSince1970)
            var verified: Set<Data> = []
            for item in cases
            where try await account.isVerified(item.identity) {
                verified.insert(Data(item.identity.encoded))
            }
            if let status { cases = cases.filter { TriageWords.word(view.state(of: $0).status) == status } }
            if let assignee {
                let wanted: Data? = try await view.expertKey(assignee, account, options)
                cases = cases.filter { view.state(of: $0).assignee.map { Data($0) } == wanted }
            }
            if let label { cases = cases.filter { view.state(of: $0).labels.contains(label) } }
            if overdue { cases = cases.filter { view.isOverdue($0, now: now) } }
            switch sort {
            case "priority":
                cases.sort { view.state(of: $0).priority.rawValue > view.state(of: $1).priority.rawValue }
            case "due":
                cases.sort { (view.state(of: $0).due ?? .max) < (view.state(of: $1).due ?? .max) }
            default:
                cases.sort { ($0.messages.last?.storedAt ?? 0) > ($1.messages.last?.storedAt ?? 0) }
            }
            if json {
                let list = cases.map { item -> [String: Any] in
                    let state = view.state(of: item)
                    return [
                        "case": item.id.short, "id": item.id.text, "alias": item.alias ?? NSNull(),
                        "verified": verified.contains(Data(item.identity.encoded)),
                        "messages": item.messages.count, "unread": item.unread,
                        "status": TriageWords.word(state.status), "priority": TriageWords.word(state.priority),
                        "assignee": state.assignee.map { view.name(of: $0) } ?? NSNull(), "labels": state.labels,
                        "due": state.due.map(TriageWords.date) ?? NSNull(), "overdue": view.isOverdue(item, now: now),
                        "notes": state.notes.count,
                        "seizedSince": view.seizure(of: item.identity).seizedSince.map { Int($0) } ?? NSNull(),
                    ]
                }
                try JSONOutput.print(list)
                return
            }
            if cases.isEmpty { options.say("cases.empty") }
            for item in cases {
                let state = view.state(of: item)
                let last = item.messages.last.map { VisibleText.of(String($0.text.prefix(40)), multiline: false) } ?? ""
                var mark =
                    verified.contains(Data(item.identity.encoded))
                    ? " (" + InboxCatalogue.text("verified.mark", options.language) + ")" : ""
                if view.seizure(of: item.identity).seizedSince != nil {
                    mark += " [" + InboxCatalogue.text("seized.mark", options.language) + "]"
                }
                options.say(
                    "cases.line",
                    [
                        item.name + mark, view.say("status." + TriageWords.word(state.status)),
                        view.say("priority." + TriageWords.word(state.priority)),
                        state.assignee.map { view.name(of: $0) } ?? view.say("nobody"),
                        state.labels.isEmpty ? "-" : state.labels.joined(separator: ", "),
                        state.due.map { LocalTime.day($0, options.language) } ?? "-", String(item.messages.count),
                        String(item.unread), last,
                    ])
            }
        }
    }

    struct Case: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A case's timeline (updates, attachments, replies), its triage, notes and history.")

        @OptionGroup var options: ProfileOptions

        @Argument(help: InboxCommand.caseHelp)
        var label: String

        @Argument(
            help:
                "`seized` to report the defender's device lost or seized (the administrator's device also freezes its mailbox); `link` to continue the case with the defender's new device; nothing to show the case."
        )
        var action: String?

        @Argument(help: "With `link`: the new device's case (its id, a unique prefix or alias), verified first.")
        var target: String?

        @Flag(help: "Also draw the safety number as a QR code for the defender's `amanat verify --scan`.")
        var qr = false

        @Option(
            help:
                "With `seized`: since when the device is out of the defender's hands (YYYY-MM-DD, DD.MM.YYYY or YYYY-MM-DDTHH:MM in UTC; default now)."
        )
        var since: String?

        @Flag(help: "With `seized`: only shut the device out; do not ask it to erase itself.")
        var noWipe = false

        @Flag(help: "With `seized`: do not ask for confirmation.")
        var yes = false

        func run() async throws {
            guard action == nil || action == "seized" || action == "link" else {
                throw CommandError("error.case-action", [action ?? ""], code: CommandError.usage)
            }
            guard (target != nil) == (action == "link") else {
                throw CommandError("error.link-target", code: CommandError.usage)
            }
            let account = try options.open()
            let item = try await InboxCase.find(label, account, options)
            if action == "seized" {
                try await reportSeized(item, account)
                return
            }
            if let target {
                try await link(item, to: target, account)
                return
            }
            options.say("case.title", [item.name, item.id.text])
            let number = try await account.safetyNumber(with: item.identity)
            let verified = try await account.isVerified(item.identity)
            if verified {
                options.say("case.safety.verified", [SafetyText.grouped(number)])
            } else {
                options.say(
                    "case.safety",
                    [InboxCatalogue.text("safety.unverified", options.language), SafetyText.grouped(number)])
            }
            if qr, let code = TerminalQR.render(SafetyText.uri(number)) { print(code) }
            let overview = try await TriageOverview.load(account, options)
            if let since = overview.seizure(of: item.identity).seizedSince {
                options.say("case.seized", [LocalTime.text(since, options.language)])
            }
            for message in item.messages {
                let id = String(message.idText.prefix(8))
                let text =
                    message.kind == .notice
                    ? InboxCatalogue.text(message.text, options.language, [item.id.short]) : message.text
                if message.direction == .incoming {
                    let sender = item.identity(encoded: message.sender) ?? item.identity
                    if overview.seizure(of: sender).isSuspect(sentAt: message.sentAt, storedAt: message.storedAt) {
                        options.say("case.in.suspect", [id, item.id.short, text])
                    } else {
                        options.say("case.in", [id, item.id.short, text])
                    }
                    try await account.markRead(message.id)
                } else {
                    let state = InboxCatalogue.text(
                        "delivery." + (message.deliveryState ?? .queued).rawValue, options.language)
                    if let author = message.authorName {
                        options.say("case.team", [id, author, item.id.short, state, text])
                    } else {
                        options.say("case.out", [id, item.id.short, state, text])
                    }
                }
                for (index, attachment) in message.attachments.enumerated() {
                    options.say(
                        "attachment",
                        [
                            "\(id)-\(index + 1)", attachment.fileName, String(attachment.size),
                            InboxCatalogue.text("file." + attachment.state.rawValue, options.language),
                        ])
                }
            }
            let view = try await TriageOverview.load(account, options)
            let triage = view.cases[Data(item.caseKey)]
            let state = triage?.state ?? TriageState()
            options.say(
                "case.triage",
                [
                    view.say("status." + TriageWords.word(state.status)),
                    view.say("priority." + TriageWords.word(state.priority)),
                    state.assignee.map { view.name(of: $0) } ?? view.say("nobody"),
                    state.labels.isEmpty ? "-" : state.labels.joined(separator: ", "),
                    state.due.map { LocalTime.day($0, options.language) } ?? "-",
                ])
            for note in state.notes {
                if case .note(let text) = note.change {
                    options.say(
                        "case.note", [LocalTime.text(note.time, options.language), view.name(of: note.author), text])
                }
            }
            for event in triage?.events ?? [] {
                options.say(
                    "case.event",
                    [
                        LocalTime.text(event.time, options.language), view.name(of: event.author),
                        TriageWords.describe(event.change, names: view.names, language: options.language),
                    ])
            }
        }

        /// `case ID link NEW`: the case continues with the defender's new device, whose safety
        /// number this expert has compared (`amanat-inbox verify NEW`); every expert sees one case
        /// under the old id, with the old and new messages.
        func link(_ item: InboxCase, to target: String, _ account: Account) async throws {
            let new = try InboxCase.find(target, in: try await InboxCase.load(account, options))
            guard new.id != item.id else {
                throw CommandError("error.link-same", [item.id.short], code: CommandError.usage)
            }
            guard new.identities.count == 1 else {
                throw CommandError("error.link-merged", [new.id.short], code: CommandError.usage)
            }
            guard try await account.isVerified(new.identity) else {
                throw CommandError("error.link-unverified", [new.id.short], code: CommandError.security)
            }
            let (_, sent) = try await account.changeTriage(of: item.caseKey, .link(new.caseKey, present: true))
            options.say("linked", [item.id.short, new.id.short])
            guard sent else {
                options.say("triage.queued")
                throw ExitCode(CommandError.queued)
            }
        }

        /// `case ID seized`: the report, and on the administrator's device the freeze.
        func reportSeized(_ item: InboxCase, _ account: Account) async throws {
            let now = UInt64(Date().timeIntervalSince1970)
            var start = now
            if let since {
                guard let parsed = LocalTime.parseMoment(since), parsed <= now + 300 else {
                    throw CommandError("error.seized-since", [since], code: CommandError.usage)
                }
                start = parsed
            }
            let word = item.id.short
            let question = InboxCatalogue.text(
                "seized.confirm", options.language, [item.name, LocalTime.text(start, options.language), word])
            guard yes || Terminal.confirm(question, word: word) else {
                options.say("seized.cancelled")
                return
            }
            let report = try await account.reportSeized(item.identity, since: start, wipe: !noWipe)
            options.say("seized.reported", [item.id.short, LocalTime.text(start, options.language)])
            options.say(
                report.frozen ? (noWipe ? "seized.frozen.no-wipe" : "seized.frozen") : "seized.not-frozen",
                [item.id.short])
            guard report.sent else {
                options.say("triage.queued")
                throw ExitCode(CommandError.queued)
            }
        }
    }

    struct Reply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer a defender.")

        @OptionGroup var options: ProfileOptions

        @Argument(help: InboxCommand.caseHelp)
        var label: String

        @Argument(help: "The text of the reply.")
        var text: String

        @Option(name: .customLong("attach"), parsing: .upToNextOption, help: "Files to attach.")
        var attachments: [String] = []

        @Flag(help: "Reply although the defender's device is reported lost or seized (whoever holds it may read it).")
        var despiteSeizure = false

        func run() async throws {
            let account = try options.open()
            let item = try await InboxCase.find(label, account, options)
            var files: [OutgoingFile] = []
            for path in attachments {
                if FileManager.default.fileExists(atPath: path) && !RegularFile.isRegular(path) {
                    throw CommandError("error.not-a-file", [path], code: CommandError.input)
                }
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw CommandError("error.missing-file", [path], code: CommandError.input)
                }
                files.append(OutgoingFile(url: URL(fileURLWithPath: path)))
            }
            let message = try await account.reply(
                to: item.identity, text: text, inReplyTo: item.messages.last { $0.direction == .incoming }?.id,
                attachments: files, despiteSeizure: despiteSeizure)
            if message.deliveryState == .queued {
                options.say("queued")
                throw ExitCode(CommandError.queued)
            }
            if message.deliveryState == .refused {
                throw CommandError("error.reply-refused", [item.id.short], code: CommandError.authentication)
            }
            options.say("sent.reply", [item.name, String(message.idText.prefix(8))])
        }
    }

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decrypt an attachment to a file.")

        @OptionGroup var options: ProfileOptions

        @Argument(help: "The attachment id from `amanat-inbox case` (message id, a dash, its number).")
        var attachment: String

        @Argument(help: "Where to write it.")
        var path: String

        func run() async throws {
            let account = try options.open()
            try await options.saveAttachment(attachment, of: account, to: path)
            options.say("saved", [path])
        }
    }
}
