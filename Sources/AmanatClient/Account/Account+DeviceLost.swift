// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

/// An expert device lost or seized (issue #20): the administrator takes it off the roster under a
/// new roster key, which goes end to end to every device that remains; each defender then
/// changes its mailbox's deposit key and tells the remaining experts, so the lost device can
/// neither read the rosters that follow nor write to defenders.
extension Account {
    /// The newest roster key grant this device holds (SPEC.md §16.2), encoded.
    static let rosterKeyGrantName = "roster-key-grant"
    /// A defender's new deposit key, from the moment it is chosen until the relay and every
    /// expert have it.
    static let pendingDepositKeyName = "pending-deposit-key"

    /// What ``deviceLost(_:)`` did.
    public struct DeviceLostReport: Sendable, Equatable {
        /// The roster version without the lost device, the first under the new key.
        public let rosterVersion: UInt64
        /// Devices (experts and defenders) the new key was sealed to.
        public let reached: Int
        /// Devices it could not be sealed to now (no session, prekeys out of reach).
        public let unreachable: Int
        /// Everything sealed reached the relay (else the next sync sends it).
        public let sent: Bool
    }

    /// Takes `identity`, a lost or seized expert device, off the roster (administrator only).
    /// The new roster is sealed under a fresh roster key, which this device sends, signed by the
    /// organisation root, to every other expert device and every defender it has a card of.
    ///
    /// - Throws: ``AccountError/notPermitted`` without the organisation root or when no other
    ///   device would remain; ``AccountError/unknownContact`` when `identity` is not on the roster.
    public func deviceLost(_ identity: IdentityKey) async throws(AccountError) -> DeviceLostReport {
        guard let state = try loadState(), state.role == .expert else { throw .notPermitted }
        let root = try organisationRootKey()
        let before = try rosterEntries()
        guard let lost = before.first(where: { $0.card.devices[0].identity == identity }) else {
            throw .unknownContact
        }
        let entries = before.filter { $0.card.devices[0].identity != identity }
        guard !entries.isEmpty else { throw .notPermitted }
        let version = state.rosterVersion + 1
        // Kept before the roster goes out, so that a crash in between cannot lose the key; a
        // grant made by an earlier attempt that did not publish is used again.
        let grant =
            try perform { db in try heldGrant(in: db) }.flatMap { $0.version == version ? $0 : nil }
            ?? RosterKeyGrant(version: version, rosterKey: SecureBytes.random(count: 32), signedBy: root)
        try store.transaction { db in
            try store.setSetting(Self.rosterKeyGrantName, grant.encoded, in: db)
            try store.setSetting(Self.grantPendingName, [1], in: db)
        }
        try await publish(entries, rosterKey: grant.rosterKey)
        // The lost device's own mailbox is frozen too: what waits there (cases, triage, team
        // copies) is deleted, and the device wipes itself if it connects (SPEC.md §8.8).
        let now = clock()
        do {
            try await api.freeze(
                SeizureOrder(
                    mailbox: lost.card.mailbox, issuedAt: now, expiresAt: now + SeizureOrder.defaultValidity,
                    wipe: true, signedBy: root))
        } catch {
            throw .transport(error)
        }
        let (reached, unreachable) = try await sendPendingGrant()
        var sent = false
        do {
            _ = try await flushOutbox()
            sent = try queuedCount() == 0
        } catch .transport(let error) where error.isTransient {
            // Queued: the next sync sends it.
        }
        return DeviceLostReport(rosterVersion: version, reached: reached, unreachable: unreachable, sent: sent)
    }

    /// Marks a grant this device made that has not yet been sealed for every device.
    static let grantPendingName = "roster-key-grant-pending"

    /// On the administrator's device: seals the grant it made for every other expert device and
    /// every defender it has a card of, until every one of them could be reached (it is tried
    /// again at each sync; a device that has it already takes it as "no change").
    func sendPendingGrant() async throws(AccountError) -> (reached: Int, unreachable: Int) {
        let pending = try perform { db in
            try store.setting(Self.grantPendingName, in: db) != nil ? try heldGrant(in: db) : nil
        }
        guard let grant = pending else { return (0, 0) }
        let own = try loadKeys().identity.publicKey
        let defenders = try perform { db in try store.contacts(in: db).compactMap(Self.route) }
        let routes = try rosterRoutes().filter { $0.device.identity != own } + defenders
        let result = try await send(
            Payload(id: SecureRandom.bytes(count: 16), sentAt: clock(), body: .rosterKey(grant)), to: routes)
        if result.unreachable == 0 {
            try store.transaction { db in
                try db.execute(sql: "DELETE FROM settings WHERE name = ?", arguments: [Self.grantPendingName])
            }
        }
        return result
    }

    /// Seals `payload` for each of `routes` into the outbox (claiming a bundle where there is no
    /// session yet). Returns how many it was sealed for, and how many could not be reached.
    func send(_ payload: Payload, to routes: [Route]) async throws(AccountError) -> (reached: Int, unreachable: Int) {
        let (bundles, unreachable) = try await claimReachableBundles(for: routes)
        let reachable = routes.filter { unreachable[$0.device.identity.encoded] == nil }
        let keys = try loadKeys()
        let now = clock()
        try store.transaction { db in
            let certificate = try self.certificate(keys: keys, now: now, in: db)
            for route in reachable {
                var (session, _) = try outgoingSession(to: route, bundles: bundles, keys: keys, now: now, in: db)
                try enqueue(payload, session: &session, route: route, certificate: certificate, message: nil, in: db)
                try store.saveSession(session, in: db)
            }
        }
        return (reachable.count, unreachable.count)
    }

    // MARK: - Receiving a new roster key

    /// Keeps a roster key grant that verifies under the organisation root and is newer than the
    /// one held; whoever sent it does not matter, only the root's signature.
    func receiveRosterKey(_ grant: RosterKeyGrant, state: AccountState, in db: Database) throws -> Outcome {
        guard (try? grant.verify(root: try organisationRoot(state))) != nil, grant.version > state.rosterVersion
        else { return .notPermitted }
        if let held = try heldGrant(in: db), held.version >= grant.version { return .other }
        try store.setSetting(Self.rosterKeyGrantName, grant.encoded, in: db)
        return .other
    }

    /// The roster key grant held, if any.
    func heldGrant(in db: Database) throws -> RosterKeyGrant? {
        guard let bytes = try store.secretSetting(Self.rosterKeyGrantName, in: db) else { return nil }
        return try? RosterKeyGrant(decoding: bytes)
    }

    // MARK: - A defender's new deposit key

    /// On a defender's device whose roster lost an expert device under a new roster key: a new
    /// deposit key for its mailbox, at the relay first, then in a new contact card to every
    /// expert device on the roster. Resumes where it stopped (the chosen key is kept until done).
    func rotateDepositKeyIfDue() async throws(AccountError) {
        guard let pending = try perform({ db in try store.secretSetting(Self.pendingDepositKeyName, in: db) }) else {
            return
        }
        let keys = try loadKeys()
        if !ConstantTime.equals(pending, keys.mailbox.depositKey) {
            do {
                try await api.rotateDepositKey(keys.mailbox, to: pending)
            } catch {
                throw ownerRequestFailed(error)
            }
            let rotated = keys.replacingDepositKey(with: pending)
            try store.transaction { db in try store.saveKeys(rotated, in: db) }
        }
        let current = try loadKeys()
        let card = Payload(id: SecureRandom.bytes(count: 16), sentAt: clock(), body: .contactCard(current.contactCard))
        _ = try await send(card, to: try rosterRoutes())
        try store.transaction { db in
            try db.execute(sql: "DELETE FROM settings WHERE name = ?", arguments: [Self.pendingDepositKeyName])
        }
    }
}
