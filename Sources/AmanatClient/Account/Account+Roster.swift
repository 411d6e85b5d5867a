// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

/// An expert device on the organisation's roster, as this device knows it.
public struct RosterDevice: Sendable, Equatable {
    /// The expert's display name.
    public let name: String
    /// The device's identity key.
    public let identity: IdentityKey
    /// The safety number of this device and that one (SPEC.md §10), to compare in person.
    public let safetyNumber: SafetyNumber
    /// How to reach it.
    public let card: ContactCard
    /// Whether the user compared the safety number with the expert and marked it verified (for
    /// this identity key: a new key on a later roster is unverified again).
    public let isVerified: Bool
}

extension Account {
    // MARK: - Roster (DESIGN §5, SPEC.md §16.2)

    /// Fetches the organisation's roster and accepts it if it is signed by the organisation key
    /// from the invite, opens under the roster key, and is not older than the one held. Returns
    /// the version held afterwards (0: none published yet).
    ///
    /// - Throws: ``AccountError/rosterInvalid`` or ``AccountError/rosterRollback``; the roster held
    ///   is unchanged then.
    @discardableResult
    public func refreshRoster() async throws(AccountError) -> UInt64 {
        guard let state = try loadState() else { throw .notEnrolled }
        if isDecoy {
            try await decoyRosterFetch()
            return 0
        }
        let bytes: [UInt8]?
        do {
            bytes = try await api.roster()
        } catch {
            throw .transport(error)
        }
        guard let bytes else { return state.rosterVersion }
        try acceptRoster(bytes, leavingAsideUnreadable: true)
        return try loadState()?.rosterVersion ?? 0
    }

    /// Checks and stores a signed roster's bytes (from the relay, or handed over another way).
    ///
    /// - Throws: ``AccountError/rosterInvalid`` also for a roster signed by the organisation that
    ///   does not open under the roster key held.
    public func acceptRoster(_ bytes: [UInt8]) throws(AccountError) {
        try acceptRoster(bytes, leavingAsideUnreadable: false)
    }

    /// `leavingAsideUnreadable`: a newer roster signed by the organisation that does not open
    /// under the key this device holds is left aside without error (SPEC.md §16.2), as a sync
    /// does: its key has not reached this device yet, or never will (a device reported lost).
    func acceptRoster(_ bytes: [UInt8], leavingAsideUnreadable: Bool) throws(AccountError) {
        guard let state = try loadState() else { throw .notEnrolled }
        let (held, grant) = try perform { db in
            (try store.secretSetting(ProfileStore.rosterKeyName, in: db), try heldGrant(in: db))
        }
        guard let held else { throw .store(.corrupted) }
        let roster: SignedRoster
        let content: RosterContent
        var rosterKey = held
        do {
            roster = try SignedRoster(decoding: bytes)
            try roster.verify(root: try organisationRoot(state))
            // From the version a roster key grant names on, the roster is sealed under its key.
            if let grant, roster.version >= grant.version { rosterKey = grant.rosterKey }
            do {
                content = try RosterContent(opening: roster, rosterKey: rosterKey)
            } catch {
                // A newer roster, signed by the organisation, that this device cannot open: the
                // key it is sealed under has not reached this device (yet, or ever: a device
                // reported lost is left out). The roster held stays.
                if leavingAsideUnreadable, roster.version > state.rosterVersion { return }
                throw error
            }
            // Signatures only: an entry whose card or certificate has expired makes that device
            // unreachable (its bundle no longer checks, its envelopes are refused), not the whole
            // roster invalid, or every device would stop syncing the day the oldest expert's
            // keys expire, and no newer roster could be taken (SPEC.md §16.2).
            for entry in content.entries {
                try entry.card.verify(now: 0)
                try entry.certificate.verify(now: 0, organisationRoot: try organisationRoot(state))
            }
        } catch {
            throw .rosterInvalid
        }
        guard roster.version >= state.rosterVersion else { throw .rosterRollback }
        guard roster.version > state.rosterVersion else { return }
        try store.transaction { db in
            guard var current = try store.state(in: db) else { throw AccountError.notEnrolled }
            // Checked again inside the transaction: another call may have stored a newer one.
            guard roster.version > current.rosterVersion else { return }
            current.rosterVersion = roster.version
            // The grant's key becomes the roster key; a defender then changes its deposit key,
            // which the device left out also knew (``rotateDepositKeyIfDue()``).
            if !ConstantTime.equals(rosterKey, held) {
                try store.setSetting(ProfileStore.rosterKeyName, rosterKey, in: db)
                if current.role == .defender, try store.secretSetting(Self.pendingDepositKeyName, in: db) == nil {
                    try store.setSetting(Self.pendingDepositKeyName, SecureBytes.random(count: 32), in: db)
                }
            }
            // An expert device finds its own organisation-signed certificate in the roster.
            if current.role == .expert, let own = try store.keys(in: db)?.identity.publicKey,
                let entry = content.entries.first(where: { $0.card.devices[0].identity == own })
            {
                current.certificate = Data(entry.certificate.encoded)
            }
            try store.saveState(current, in: db)
            try store.setSetting(ProfileStore.rosterName, roster.encoded, in: db)
        }
    }

    /// The expert devices of the roster held, in the organisation's order.
    public func roster() throws(AccountError) -> [RosterDevice] {
        let own = try loadKeys().identity.publicKey
        return try perform { db in
            try rosterEntries(in: db).map { entry in
                let device = entry.card.devices[0]
                return RosterDevice(
                    name: entry.name, identity: device.identity,
                    safetyNumber: SafetyNumber(local: own, remote: device.identity), card: entry.card,
                    isVerified: try store.setting(Self.verifiedName(device.identity), in: db) != nil)
            }
        }
    }

    /// Marks `identity` verified, after the user compared the safety numbers (digits, or the QR
    /// payload in constant time) with its owner in person: a roster expert device, or (on an
    /// expert's device) a defender who introduced themselves.
    public func markVerified(_ identity: IdentityKey) throws(AccountError) {
        let known = try perform { db in
            try rosterEntries(in: db).contains { $0.card.devices[0].identity == identity }
                || store.contact(identity, in: db) != nil
        }
        guard known else { throw .unknownContact }
        try store.transaction { db in try store.setSetting(Self.verifiedName(identity), identity.encoded, in: db) }
    }

    /// Whether `identity` was marked verified on this device.
    public func isVerified(_ identity: IdentityKey) throws(AccountError) -> Bool {
        try perform { db in try store.setting(Self.verifiedName(identity), in: db) != nil }
    }

    /// The safety number between this device and `identity` (SPEC.md §10): the same 60 digits
    /// its owner's device shows for this one.
    public func safetyNumber(with identity: IdentityKey) throws(AccountError) -> SafetyNumber {
        SafetyNumber(local: try loadKeys().identity.publicKey, remote: identity)
    }

    static func verifiedName(_ identity: IdentityKey) -> String {
        settingName("verified", identity)
    }

    func rosterEntries() throws(AccountError) -> [RosterContent.Entry] {
        try perform { db in try rosterEntries(in: db) }
    }

    func rosterEntries(in db: Database) throws -> [RosterContent.Entry] {
        guard let bytes = try store.setting(ProfileStore.rosterName, in: db),
            let rosterKey = try store.secretSetting(ProfileStore.rosterKeyName, in: db)
        else { return [] }
        return try RosterContent(opening: try SignedRoster(decoding: bytes), rosterKey: rosterKey).entries
    }

    // MARK: - Prekeys (SPEC.md §8.6)

    /// Generates a batch of one-time prekeys, commits their private halves, then publishes them
    /// sealed in the mailbox's directory (with the head when `head` is set).
    func publishPrekeys(head: Bool) async throws(AccountError) {
        let keys = try loadKeys()
        var entropy = SystemEntropy()
        var oneTime: [(UInt32, [UInt8])] = []
        var postQuantum: [(UInt32, [UInt8])] = []
        let expiresAt = clock() + DeviceKeys.prekeyLifetime
        try store.transaction { db in
            guard var state = try store.state(in: db) else { throw AccountError.notEnrolled }
            for _ in 0..<Self.prekeyBatch {
                let id = state.nextPrekeyId
                state.nextPrekeyId &+= 1
                let classical = X25519.PrivateKey()
                try store.savePrekey(pool: 3, id: id, secret: classical.rawRepresentation, in: db)
                let signed = SignedPrekey(
                    kind: .oneTimeX25519, id: id, expiresAt: expiresAt,
                    publicKey: classical.publicKey.rawRepresentation, signedBy: keys.identity)
                oneTime.append(
                    (
                        id,
                        try PrekeyDirectory.sealOneTime(
                            signed, directoryKey: keys.mailbox.directoryKey, mailbox: keys.mailbox.id,
                            entropy: &entropy)
                    ))
                let quantum = XWing.PrivateKey()
                try store.savePrekey(pool: 4, id: id, secret: quantum.seed, in: db)
                let signedQuantum = SignedPrekey(
                    kind: .oneTimeXWing, id: id, expiresAt: expiresAt, publicKey: quantum.publicKey.rawRepresentation,
                    signedBy: keys.identity)
                postQuantum.append(
                    (
                        id,
                        try PrekeyDirectory.sealOneTime(
                            signedQuantum, directoryKey: keys.mailbox.directoryKey, mailbox: keys.mailbox.id,
                            entropy: &entropy)
                    ))
            }
            try store.saveState(state, in: db)
        }
        var sealedHead: [UInt8]?
        if head {
            sealedHead = try? PrekeyDirectory.sealHead(
                identity: keys.identity.publicKey, signedPrekey: keys.signedPrekey.published,
                lastResortPrekey: keys.lastResortPrekey.published, sealingKey: keys.sealingKey.published,
                directoryKey: keys.mailbox.directoryKey, mailbox: keys.mailbox.id, entropy: &entropy)
        }
        do {
            try await api.uploadPrekeys(
                keys.mailbox, head: sealedHead, oneTime: oneTime, oneTimePostQuantum: postQuantum)
        } catch {
            throw ownerRequestFailed(error)
        }
    }
}
