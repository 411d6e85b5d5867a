// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatProtocol
import AmanatTerminal
import ArgumentParser
import Foundation

/// Words for triage values on the command line and in `--json`, the same in every language (the
/// catalogue translates them for display).
enum TriageWords {
    static let statuses: [(String, TriageEvent.Status)] = [
        ("new", .new), ("in-progress", .inProgress), ("waiting", .waitingOnDefender), ("resolved", .resolved),
        ("closed", .closed),
    ]
    static let priorities: [(String, TriageEvent.Priority)] = [
        ("low", .low), ("normal", .normal), ("high", .high), ("urgent", .urgent),
    ]

    static func word(_ status: TriageEvent.Status) -> String { statuses.first { $0.1 == status }?.0 ?? "new" }
    static func word(_ priority: TriageEvent.Priority) -> String {
        priorities.first { $0.1 == priority }?.0 ?? "normal"
    }

    /// A due date as YYYY-MM-DD (UTC).
    static func date(_ time: UInt64) -> String {
        utc("yyyy-MM-dd").string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }

    /// A typed day (YYYY-MM-DD or DD.MM.YYYY) as Unix seconds of its midnight UTC, or nil.
    static func time(_ text: String) -> UInt64? { LocalTime.parseDay(text) }

    /// A formatter for `format` in UTC, independent of the user's locale.
    static func utc(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }

    /// What one event says, for the audit trail.
    static func describe(_ change: TriageEvent.Change, names: [Data: String], language: Language) -> String {
        let say = { (key: String, arguments: [String]) in InboxCatalogue.text(key, language, arguments) }
        switch change {
        case .status(let status): return say("triage.set-status", [say("status." + word(status), [])])
        case .priority(let priority): return say("triage.set-priority", [say("priority." + word(priority), [])])
        case .assignee(let key):
            return say("triage.set-assignee", [key.map { names[Data($0)] ?? "?" } ?? say("nobody", [])])
        case .label(let name, let present): return say(present ? "triage.label-added" : "triage.label-removed", [name])
        case .due(let time): return say("triage.set-due", [time.map(date) ?? say("none", [])])
        case .note(let text): return say("triage.note", [text])
        case .alias(let name): return say("triage.set-alias", [name ?? say("none", [])])
        case .seized(let time):
            return time.map { say("triage.seized", [LocalTime.text($0, language)]) }
                ?? say("triage.seized-withdrawn", [])
        case .link(let key, let present):
            let id = (try? CaseID(caseKey: key).short) ?? "?"
            return say(present ? "triage.linked" : "triage.unlinked", [id])
        }
    }
}

extension InboxCommand {
    /// Records a change and says whether it reached the other experts (exit 75 when queued).
    static func change(
        _ change: TriageEvent.Change, of label: String, _ options: ProfileOptions, account: Account? = nil
    ) async throws {
        // The profile opens once per command: its passphrase may come from a pipe, read once.
        let account = try account ?? options.open()
        let item = try await InboxCase.find(label, account, options)
        let (_, sent) = try await account.changeTriage(of: item.caseKey, change)
        guard sent else {
            options.say("triage.queued")
            throw ExitCode(CommandError.queued)
        }
        options.say("triage.changed", [item.id.short])
    }

    /// `set`: named apart from Swift's `Set`.
    struct SetField: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract:
                "Set a case's status (new, in-progress, waiting, resolved, closed) or priority (low, normal, high, urgent).",
            discussion: "Examples: `amanat-inbox set k7m2q status in-progress`, `… priority urgent`.")

        @OptionGroup var options: ProfileOptions
        @Argument(help: InboxCommand.caseHelp) var label: String
        @Argument(help: "status or priority.") var field: String
        @Argument(help: "The new value.") var value: String

        func run() async throws {
            let change: TriageEvent.Change
            switch field {
            case "status":
                guard let status = TriageWords.statuses.first(where: { $0.0 == value })?.1 else {
                    throw CommandError(
                        "error.triage-value", [value, "new, in-progress, waiting, resolved, closed"],
                        code: CommandError.usage)
                }
                change = .status(status)
            case "priority":
                guard let priority = TriageWords.priorities.first(where: { $0.0 == value })?.1 else {
                    throw CommandError(
                        "error.triage-value", [value, "low, normal, high, urgent"], code: CommandError.usage)
                }
                change = .priority(priority)
            default:
                throw CommandError("error.triage-value", [field, "status, priority"], code: CommandError.usage)
            }
            try await InboxCommand.change(change, of: label, options)
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign a case to an expert on the roster (by name), to `me`, or to `nobody`.")

        @OptionGroup var options: ProfileOptions
        @Argument(help: InboxCommand.caseHelp) var label: String
        @Argument(help: "An expert's name from the roster, `me` or `nobody`.") var expert: String

        func run() async throws {
            let account = try options.open()
            let key = try await TriageOverview.load(account, options).expertKey(expert, account, options).map {
                Array($0)
            }
            try await InboxCommand.change(.assignee(key), of: label, options, account: account)
        }
    }

    struct Label: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add labels to a case, or take them off with --remove.")

        @OptionGroup var options: ProfileOptions
        @Argument(help: InboxCommand.caseHelp) var label: String
        @Argument(help: "Labels (1-64 bytes each).") var names: [String]
        @Flag(help: "Take the labels off instead.") var remove = false

        func run() async throws {
            guard !names.isEmpty else {
                throw CommandError("error.triage-value", ["", "a label"], code: CommandError.usage)
            }
            let account = try options.open()
            for name in names {
                try await InboxCommand.change(.label(name, present: !remove), of: label, options, account: account)
            }
        }
    }

    struct Alias: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a case an alias the other experts see too (every command accepts it), or --clear it.",
            discussion: "Example: `amanat-inbox alias k7m2q \"Gulnara, appeal\"`.")

        @OptionGroup var options: ProfileOptions
        @Argument(help: InboxCommand.caseHelp) var label: String
        @Argument(help: "The alias (1-64 bytes).") var name: String?
        @Flag(help: "Take the alias off instead.") var clear = false

        func run() async throws {
            let account = try options.open()
            let cases = try await InboxCase.load(account, options)
            let item = try InboxCase.find(label, in: cases)
            guard !clear else {
                try await InboxCommand.change(.alias(nil), of: item.id.text, options, account: account)
                return
            }
            let alias = try InboxCase.validAlias(name ?? "", for: item, among: cases)
            try await InboxCommand.change(.alias(alias), of: item.id.text, options, account: account)
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a case's defender verified after comparing safety numbers with them (see `case`).")

        @OptionGroup var options: ProfileOptions
        @Argument(help: InboxCommand.caseHelp) var label: String
        @OptionGroup var safety: SafetyInput

        func run() async throws {
            let typed = try safety.typed()
            let account = try options.open()
            let item = try await InboxCase.find(label, account, options)
            let number = try await account.safetyNumber(with: item.identity)
            guard SafetyText.matches(typed, number) else {
                throw CommandError("error.case-safety-mismatch", [item.id.short], code: CommandError.security)
            }
            try await account.markVerified(item.identity)
            options.say("verified.case", [item.name])
        }
    }

    struct Note: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an internal note to a case: experts see it, the defender never does.")

        @OptionGroup var options: ProfileOptions
        @Argument(help: InboxCommand.caseHelp) var label: String
        @Argument(help: "The note.") var text: String

        func run() async throws {
            try await InboxCommand.change(.note(text), of: label, options)
        }
    }

    struct Due: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a case's due date (YYYY-MM-DD or DD.MM.YYYY) or `none`.")

        @OptionGroup var options: ProfileOptions
        @Argument(help: InboxCommand.caseHelp) var label: String
        @Argument(help: "YYYY-MM-DD, DD.MM.YYYY, or none.") var date: String

        func run() async throws {
            let due: UInt64?
            if date == "none" {
                due = nil
            } else {
                guard let time = TriageWords.time(date) else {
                    throw CommandError(
                        "error.triage-value", [date, "YYYY-MM-DD, DD.MM.YYYY, none"], code: CommandError.usage)
                }
                due = time
            }
            try await InboxCommand.change(.due(due), of: label, options)
        }
    }
}
