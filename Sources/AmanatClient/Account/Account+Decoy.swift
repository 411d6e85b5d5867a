// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

/// The decoy profile the duress passphrase opens (SECURITY.md, "Duress passphrase").
///
/// A decoy must hold up when someone compares what its commands say: it looks like a profile
/// enrolled with the same relay (its address, pin, proxy, language and read-receipt choice are
/// copied when the duress passphrase is set) whose organisation has not published its list of
/// experts, with no messages. It holds device keys of its own that were never published, no
/// roster key (so no expert's name), no sessions, contacts or messages. What it says to the
/// relay is what such a profile would: it fetches the published roster (and cannot open it) and
/// never touches a mailbox, so a relay that is down is down for it too.
extension Account {
    static let decoyName = "decoy"

    /// Whether this profile is a decoy.
    var isDecoy: Bool {
        ((try? perform { db in try store.setting(Self.decoyName, in: db) }) ?? nil) != nil
    }

    /// Sets or replaces the duress passphrase (``ProfileStore/setDuressPassphrase(_:authorisedBy:filling:)``):
    /// it will open a decoy that looks like this profile freshly enrolled. From the decoy, the
    /// real profile is replaced by a second such decoy and destroyed for good.
    ///
    /// - Throws: ``AccountError/store(_:)`` (``StoreError/wrongPassphrase`` when `passphrase`
    ///   does not open this profile).
    public func setDuressPassphrase(_ duress: SecureBytes, authorisedBy passphrase: SecureBytes) throws(AccountError) {
        let state = try loadState()
        let language = try perform { db in try store.setting("language", in: db) }
        // The profile's own choices, which `amanat config` shows: the decoy must show the same.
        let choices = try perform { db in
            try [
                Self.readReceiptsName, Self.remoteWipeName, Self.keepDaysName, Self.deleteDeliveredName,
                Self.relayInUseName,
            ]
            .compactMap { name in try store.setting(name, in: db).map { (name, $0) } }
        }
        let now = clock()
        do {
            try store.setDuressPassphrase(duress, authorisedBy: passphrase) { decoy in
                try decoy.database.write { db in
                    try decoy.setSetting(Self.decoyName, [1], in: db)
                    if let language { try decoy.setSetting("language", language, in: db) }
                    for (name, value) in choices { try decoy.setSetting(name, value, in: db) }
                    guard let state else { return }
                    // Enrolled-looking, with keys no relay has seen and nothing else.
                    try decoy.saveKeys(DeviceKeys.generate(now: now), in: db)
                    // The same relay addresses, proxy, Tor-only choice and bridges as the real one.
                    var decoyState = state
                    decoyState.enrolled = true
                    decoyState.voucher = nil
                    decoyState.certificate = nil
                    decoyState.nextPrekeyId = 16
                    decoyState.rosterVersion = 0
                    try decoy.saveState(decoyState, in: db)
                }
            }
        } catch {
            throw .store(error)
        }
    }

    /// A decoy's sync: the roster fetched as an enrolled profile would (and not opened), nothing
    /// sent or received.
    func decoySync() async throws(AccountError) -> SyncSummary {
        try await decoyRosterFetch()
        return SyncSummary()
    }

    /// A decoy's roster refresh: the relay is asked, as it would be, and the answer dropped.
    func decoyRosterFetch() async throws(AccountError) {
        do {
            _ = try await api.roster()
        } catch {
            throw .transport(error)
        }
    }
}
