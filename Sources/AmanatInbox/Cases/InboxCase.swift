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
    /// The identity replies go to: the defender's most recently linked device (triage field 9,
    /// after a re-enrolment), else the one the case began with.
    let identity: IdentityKey
    /// Every identity of the case: the one it began with first, then each linked device in the
    /// order it was linked.
    let identities: [IdentityKey]
    /// The experts' display alias (triage field 7), if one is set.
    let alias: String?
    let messages: [Message]
    var unread: Int { messages.filter { $0.direction == .incoming && !$0.isRead }.count }
    /// The identity signing key the case began with: the `case` of its triage events, and what
    /// its id is derived from, unchanged by a re-enrolment.
    var caseKey: [UInt8] { identities[0].signingKey.rawRepresentation }
    /// How lists name it: the short id, and the alias after it.
    var name: String { alias.map { "\(id.short) «\($0)»" } ?? id.short }

    /// The identity whose encoded key is `encoded`, among the case's.
    func identity(encoded: Data?) -> IdentityKey? {
        identities.first { Data($0.encoded) == encoded }
    }

    static func load(_ account: Account, _ options: ProfileOptions) async throws -> [InboxCase] {
        let contacts = try await account.contacts()
        let messages = try await account.messages()
        let triage = try await account.triage()
        return make(contacts: contacts, messages: messages, triage: triage)
    }

    /// One case per defender, with the messages from and to each of its identities, sorted by
    /// id so that every device lists the same cases alike. A defender who enrolled again is one
    /// case: an identity that a case links (field 9) joins that case, whose id stays, and what
    /// it links in turn joins it too.
    static func make(
        contacts: [(identity: IdentityKey, caseID: CaseID)], messages: [Message], triage: [Data: CaseTriage]
    ) -> [InboxCase] {
        let known = Dictionary(
            contacts.map { (Data($0.identity.signingKey.rawRepresentation), $0) },
            uniquingKeysWith: { first, _ in first })
        // Which case each linked identity continues: the smallest case key when two cases claim
        // one, so every device decides alike.
        var parent: [Data: Data] = [:]
        /// Where following the links up from `key` ends.
        func top(_ key: Data) -> Data {
            var current = key
            var seen: Set<Data> = [key]
            while let next = parent[current], seen.insert(next).inserted { current = next }
            return current
        }
        // A link that would close a circle (two experts linking two cases each way before they
        // synced) is ignored, in the same order on every device, so no case disappears.
        for (caseKey, item) in triage.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            for link in item.state.links.map({ Data($0) })
            where link != caseKey && parent[link] == nil && top(caseKey) != link {
                parent[link] = caseKey
            }
        }
        func root(of key: Data) -> Data {
            var current = key
            var seen: Set<Data> = [key]
            while let next = parent[current], known[next] != nil, seen.insert(next).inserted { current = next }
            return current
        }
        /// The identities a case holds: `key`, then what it links, depth first, in link order.
        func members(of key: Data, _ seen: inout Set<Data>) -> [Data] {
            guard seen.insert(key).inserted else { return [] }
            var result = [key]
            for link in triage[key]?.state.links.map({ Data($0) }) ?? [] where parent[link] == key && known[link] != nil
            {
                result += members(of: link, &seen)
            }
            return result
        }
        var cases: [InboxCase] = []
        for (key, contact) in known where root(of: key) == key {
            var seen: Set<Data> = []
            let identities = members(of: key, &seen).compactMap { known[$0]?.identity }
            let encoded = Set(identities.map { Data($0.encoded) })
            let related = messages.filter { message in
                message.sender.map(encoded.contains) ?? false
                    || message.deliveries.contains { encoded.contains($0.device) }
            }
            cases.append(
                InboxCase(
                    id: contact.caseID, identity: identities.last ?? contact.identity, identities: identities,
                    alias: triage[key]?.state.alias, messages: related))
        }
        return cases.sorted { $0.id.text < $1.id.text }
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
        // A re-enrolled defender's case answers to the ids of its later devices too.
        let matches = cases.filter { item in
            item.id.matches(typed) || item.identities.dropFirst().contains { CaseID(defender: $0).matches(typed) }
                || (!alias.isEmpty && item.alias.map(foldedAlias) == alias)
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
