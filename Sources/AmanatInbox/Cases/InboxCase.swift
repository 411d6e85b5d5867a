// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatProtocol
import AmanatTerminal
import Foundation

/// A case: one per defender who introduced themselves, with every message to and from them,
/// named by the case id every expert device derives alike (SPEC.md §16.4) and by the alias the
/// experts gave it, if any.
struct InboxCase {
    let id: CaseID
    let identity: IdentityKey
    /// The experts' display alias (triage field 7), if one is set.
    let alias: String?
    let messages: [Message]
    var unread: Int { messages.filter { $0.direction == .incoming && !$0.isRead }.count }
    /// The defender's identity signing key: the `case` of triage events.
    var caseKey: [UInt8] { identity.signingKey.rawRepresentation }
    /// How lists name it: the short id, and the alias after it.
    var name: String { alias.map { "\(id.short) «\($0)»" } ?? id.short }

    static func load(_ account: Account, _ options: ProfileOptions) async throws -> [InboxCase] {
        let contacts = try await account.contacts()
        let messages = try await account.messages()
        let triage = try await account.triage()
        return make(contacts: contacts, messages: messages, triage: triage)
    }

    /// One case per contact, with the messages from and to it, sorted by id so that every
    /// device lists the same cases alike.
    static func make(
        contacts: [(identity: IdentityKey, caseID: CaseID)], messages: [Message], triage: [Data: CaseTriage]
    ) -> [InboxCase] {
        contacts.map { contact in
            let key = Data(contact.identity.encoded)
            let related = messages.filter { message in
                message.sender == key || message.deliveries.contains { $0.device == key }
            }
            return InboxCase(
                id: contact.caseID, identity: contact.identity,
                alias: triage[Data(contact.identity.signingKey.rawRepresentation)]?.state.alias, messages: related)
        }.sorted { $0.id.text < $1.id.text }
    }

    /// What `typed` names among `cases`.
    enum Lookup {
        case found(InboxCase)
        case ambiguous([InboxCase])
        /// Fewer id characters than ``CaseID/minimumPrefixLength``, and no alias.
        case tooShort
        case none
    }

    /// The cases `typed` names: those whose id starts with it (at least
    /// ``CaseID/minimumPrefixLength`` id characters, in any case, hyphens optional) and those
    /// whose alias it is (ignoring case and surrounding space). Never a silent first match: two
    /// or more cases are ``Lookup/ambiguous(_:)``.
    static func lookup(_ typed: String, in cases: [InboxCase]) -> Lookup {
        let alias = foldedAlias(typed)
        let matches = cases.filter { item in
            item.id.matches(typed) || (!alias.isEmpty && item.alias.map(foldedAlias) == alias)
        }
        switch matches.count {
        case 0:
            if let typedID = CaseID.normalised(typed), typedID.count < CaseID.minimumPrefixLength { return .tooShort }
            return .none
        case 1: return .found(matches[0])
        default: return .ambiguous(matches)
        }
    }

    /// An alias as it compares: trimmed, composed, lowercased.
    static func foldedAlias(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping.lowercased()
    }

    /// The case `typed` names among `cases`.
    ///
    /// - Throws: ``CommandError`` `error.unknown-case` (exit 65) when there is none,
    ///   `error.ambiguous-case` (exit 64, naming the candidates) when there are several.
    static func find(_ typed: String, in cases: [InboxCase]) throws -> InboxCase {
        switch lookup(typed, in: cases) {
        case .found(let item): return item
        case .none: throw CommandError("error.unknown-case", [typed], code: CommandError.data)
        case .tooShort:
            throw CommandError(
                "error.short-case-id", [typed, String(CaseID.minimumPrefixLength)], code: CommandError.usage)
        case .ambiguous(let matches):
            throw CommandError(
                "error.ambiguous-case", [typed, matches.map(\.name).joined(separator: ", ")], code: CommandError.usage)
        }
    }

    /// `typed` as an alias for `item`: trimmed, 1-64 bytes, no control characters, and never
    /// mistaken for another name (another case's alias, or the start of any case's id).
    ///
    /// - Throws: ``CommandError`` `error.triage-value` or `error.alias-taken` (exit 64).
    static func validAlias(_ typed: String, for item: InboxCase, among cases: [InboxCase]) throws -> String {
        let alias = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !alias.isEmpty, alias.utf8.count <= TriageEvent.maximumAliasByteCount,
            !alias.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw CommandError("error.triage-value", [alias, "1-64 bytes of text"], code: CommandError.usage)
        }
        let folded = foldedAlias(alias)
        if let other = cases.first(where: { other in
            other.id.matches(alias) || (other.id != item.id && other.alias.map(foldedAlias) == folded)
        }) {
            throw CommandError("error.alias-taken", [alias, other.name], code: CommandError.usage)
        }
        return alias
    }

    /// The case `typed` names, by id, unique id prefix or alias.
    static func find(_ typed: String, _ account: Account, _ options: ProfileOptions) async throws -> InboxCase {
        try find(typed, in: try await load(account, options))
    }
}
