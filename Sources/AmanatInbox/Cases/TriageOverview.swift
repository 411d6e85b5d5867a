// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatProtocol
import AmanatTerminal
import Foundation

/// Every case's triage and the roster's names, loaded once for a command.
struct TriageOverview {
    let cases: [Data: CaseTriage]
    /// Expert device identity signing keys to their roster names.
    let names: [Data: String]
    /// The roster's devices in its own order, for finding one by name.
    let roster: [RosterDevice]
    let language: Language

    init(cases: [Data: CaseTriage], roster: [RosterDevice], language: Language) {
        self.cases = cases
        var names: [Data: String] = [:]
        for device in roster { names[Data(device.identity.signingKey.rawRepresentation)] = device.name }
        self.names = names
        self.roster = roster
        self.language = language
    }

    static func load(_ account: Account, _ options: ProfileOptions) async throws -> TriageOverview {
        let cases = try await account.triage()
        let roster = try await account.roster()
        return TriageOverview(cases: cases, roster: roster, language: options.language)
    }

    /// The case's triage: its events name the identity it began with.
    func state(of item: InboxCase) -> TriageState {
        cases[Data(item.caseKey)]?.state ?? TriageState()
    }

    /// Whether, and since when, the device of `identity` is reported lost or seized (field 8
    /// names the seized device's own identity, so a case's new device is not under suspicion).
    func seizure(of identity: IdentityKey) -> TriageState {
        cases[Data(identity.signingKey.rawRepresentation)]?.state ?? TriageState()
    }

    func name(of key: [UInt8]) -> String { names[Data(key)] ?? say("former-expert") }

    func say(_ key: String) -> String { InboxCatalogue.text(key, language) }

    /// Past its due date and still open.
    func isOverdue(_ item: InboxCase, now: UInt64) -> Bool {
        let state = state(of: item)
        guard let due = state.due else { return false }
        return due < now && state.status != .resolved && state.status != .closed
    }

    /// The key `text` names: a roster name, `me`, or nil for `nobody`.
    func expertKey(_ text: String, _ account: Account, _ options: ProfileOptions) async throws -> Data? {
        switch text {
        case "nobody": return nil
        case "me":
            return Data(
                try await account.ownIdentity().signingKey
                    .rawRepresentation)
        default:
            // The first device of that name in the roster's order (an expert's devices share it).
            guard let device = roster.first(where: { $0.name == text }) else {
                throw CommandError("error.unknown-expert", [text], code: CommandError.data)
            }
            return Data(device.identity.signingKey.rawRepresentation)
        }
    }
}
