// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

/// The organisation's administrator (DESIGN §4, issue #8): the first expert device holds the
/// organisation root key inside its encrypted profile, issues invites (vouchers) and signs and
/// publishes the roster with every expert device's certificate.
extension Account {
    static let organisationRootName = "organisation-root"

    /// Creates a profile in `directory` holding a new organisation root key and roster key, and
    /// returns the root's public key: give it to `amanat-relay init --organisation-root`, start the
    /// relay, then ``connectOrganisation(at:passphrase:relay:pin:proxy:name:clock:)``.
    public static func createOrganisation(
        at directory: URL, passphrase: SecureBytes, cost: Argon2id.Cost = .moderate
    ) throws(AccountError) -> Ed25519.PublicKey {
        let store: ProfileStore
        do {
            store = try ProfileStore.create(at: directory, passphrase: passphrase, cost: cost)
        } catch {
            throw .store(error)
        }
        let root = Ed25519.PrivateKey()
        try store.transaction { db in
            try store.setSetting(organisationRootName, root.seed, in: db)
            try store.setSetting(
                ProfileStore.rosterKeyName, SecureBytes.random(count: RosterContent.keyByteCount), in: db)
        }
        return root.publicKey
    }

    /// Connects the organisation profile to its relay (which must know the root key): enrols this
    /// device as the first expert with a voucher of its own, and publishes the first roster with
    /// it as `name`. A second call on a connected profile just opens it.
    public static func connectOrganisation(
        at directory: URL, passphrase: SecureBytes, relay: String, pin: [UInt8]? = nil, proxy: String? = nil,
        name: String, clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }
    ) async throws(AccountError) -> Account {
        let store: ProfileStore
        do {
            store = try ProfileStore.open(at: directory, passphrase: passphrase)
        } catch {
            throw .store(error)
        }
        let (root, rosterKey, state) = try store.transaction { db in
            (
                try store.secretSetting(organisationRootName, in: db),
                try store.secretSetting(ProfileStore.rosterKeyName, in: db), try store.state(in: db)
            )
        }
        guard let root, let rosterKey, let rootKey = try? Ed25519.PrivateKey(seed: root) else { throw .notPermitted }
        if state != nil {
            let account = try open(at: directory, passphrase: passphrase, proxy: proxy, clock: clock)
            try await account.finishEnrolment()
            return account
        }
        let invite: Invite
        do {
            invite = try Invite(
                relay: relay, pin: pin, rosterKey: rosterKey,
                voucher: Voucher(id: .random(), expiresAt: clock() + 3600, signedBy: rootKey),
                signedBy: rootKey)
        } catch {
            throw .invalidInvite
        }
        let api = RelayClient(transport: try transport(relay: relay, pin: pin, proxy: proxy), clock: clock)
        let info: RelayInfo
        do {
            info = try await api.info()
        } catch {
            throw .transport(error)
        }
        let account = try await enrol(
            invite: invite, into: store, info: info, api: api, role: .expert, proxy: proxy, clock: clock)
        try await account.addExpert(name: name, card: try await account.contactCard)
        return account
    }

    /// Whether this profile holds the organisation root key.
    public var isOrganisationAdministrator: Bool {
        ((try? perform { db in try store.secretSetting(Self.organisationRootName, in: db) }) ?? nil) != nil
    }

    /// A single-use invite for a new device (a defender's, or another expert's), valid for
    /// `lifetime` seconds.
    /// It carries every address of the relay this profile knows, in order, and `bridges` (Tor
    /// bridge lines meant for this one person, SPEC.md §16.1).
    public func invite(lifetime: UInt64 = 7 * 86_400, bridges: [String] = []) throws(AccountError) -> Invite {
        let root = try organisationRootKey()
        guard let state = try loadState() else { throw .notEnrolled }
        let rosterKey = try perform { db in try store.secretSetting(ProfileStore.rosterKeyName, in: db) }
        guard let rosterKey else { throw .store(.corrupted) }
        let addresses =
            [RelayAddress(url: state.relay, pin: state.pin.map(Array.init))]
            + (state.alternates ?? []).map { RelayAddress(url: $0.relay, pin: $0.pin.map(Array.init)) }
        do {
            return try Invite(
                addresses: addresses, bridges: bridges, rosterKey: rosterKey,
                voucher: Voucher(id: .random(), expiresAt: clock() + lifetime, signedBy: root),
                signedBy: root)
        } catch {
            throw .invalidInvite
        }
    }

    /// Adds another address of the relay (an onion service, a mirror domain), with its pin,
    /// after those already known: this device tries it when the others cannot be reached, and the
    /// invites it makes carry it. At most four addresses.
    ///
    /// - Throws: ``AccountError/transport(_:)`` with ``TransportError/badRelayAddress`` for an
    ///   address no client may reach, one already known, or a fifth one.
    public func addRelayAddress(_ relay: String, pin: [UInt8]?) throws(AccountError) {
        guard var state = try loadState() else { throw .notEnrolled }
        var routes = state.routes
        routes.append(RelayRoute(relay: relay, pin: pin.map(Invite.pinText)))
        guard routes.count <= Invite.maximumAddressCount else { throw .transport(.badRelayAddress) }
        do {
            _ = try CurlTransport(configuration: TransportConfiguration(routes: routes, proxy: state.proxy))
        } catch {
            throw .transport(error)
        }
        state.alternates = (state.alternates ?? []) + [StoredRoute(relay: relay, pin: pin.map { Data($0) })]
        let updated = state
        try store.transaction { db in try store.saveState(updated, in: db) }
    }

    /// The relay's addresses as the profile records them now, in the order they are tried
    /// (only the onion ones for a Tor-only profile).
    public var relayAddresses: [String] {
        get throws(AccountError) {
            guard let state = try loadState() else { throw .notEnrolled }
            return state.routes.filter { state.onionOnly != true || $0.isOnion }.map(\.relay)
        }
    }

    /// Forgets one of the relay's other addresses (not the first, which ``setRelay(_:pin:)``
    /// replaces). Takes effect on the next ``open``.
    ///
    /// - Throws: ``AccountError/transport(_:)`` with ``TransportError/badRelayAddress`` when
    ///   `relay` is not one of them, or when a Tor-only profile would be left without an onion
    ///   address.
    public func removeRelayAddress(_ relay: String) throws(AccountError) {
        guard var state = try loadState() else { throw .notEnrolled }
        guard let index = state.alternates?.firstIndex(where: { $0.relay == relay }) else {
            throw .transport(.badRelayAddress)
        }
        state.alternates?.remove(at: index)
        if state.alternates?.isEmpty == true { state.alternates = nil }
        do {
            _ = try CurlTransport(
                configuration: TransportConfiguration(
                    routes: state.routes, proxy: state.proxy, onionOnly: state.onionOnly ?? false))
        } catch {
            throw .transport(error)
        }
        let updated = state
        try store.transaction { db in try store.saveState(updated, in: db) }
    }

    /// Adds an expert device (its contact card, as its owner's `amanat-inbox` shows it) to the
    /// roster as `name`, with a certificate valid for a year, and publishes the new version.
    public func addExpert(name: String, card: ContactCard) async throws(AccountError) {
        do {
            try card.verify(now: clock())
        } catch {
            throw .protocolFailure(error)
        }
        guard card.devices.count == 1 else { throw .protocolFailure(.malformed) }
        let root = try organisationRootKey()
        let certificate = SenderCertificate(
            for: card.devices[0].identity, expiresAt: clock() + 365 * 86_400, signedByOrganisation: root)
        let before = try rosterEntries()
        let device = card.devices[0].identity
        var entries = before.filter { $0.card.devices[0].identity != device }
        entries.append(RosterContent.Entry(name: name, card: card, certificate: certificate))
        try await publish(entries)
        // A device new to the roster gets the cases this device holds (SPEC.md §16.6), from the
        // next sync on.
        if !before.contains(where: { $0.card.devices[0].identity == device }) {
            try store.transaction { db in try startHistory(for: device, in: db) }
        }
    }

    /// Removes an expert device from the roster and publishes the new version.
    public func removeExpert(_ identity: IdentityKey) async throws(AccountError) {
        let entries = try rosterEntries().filter { $0.card.devices[0].identity != identity }
        guard !entries.isEmpty else { throw .notPermitted }
        try await publish(entries)
    }

    /// Signs and publishes a roster of `entries` as the next version, sealed under `newKey` (a
    /// roster key grant this device just made) or else the roster key held.
    func publish(_ entries: [RosterContent.Entry], rosterKey newKey: SecureBytes? = nil) async throws(AccountError) {
        let root = try organisationRootKey()
        guard let state = try loadState() else { throw .notEnrolled }
        let (held, grant) = try perform { db in
            (try store.secretSetting(ProfileStore.rosterKeyName, in: db), try heldGrant(in: db))
        }
        let version = state.rosterVersion + 1
        // A grant whose roster did not go out (a failed attempt) still names the key from its
        // version on: the roster is sealed under it, as every device will open it.
        let granted = grant.flatMap { $0.version <= version ? $0.rosterKey : nil }
        guard let rosterKey = newKey ?? granted ?? held else { throw .store(.corrupted) }
        let roster: SignedRoster
        do {
            var entropy = SystemEntropy()
            let content = try RosterContent(entries: entries).sealed(
                version: version, rosterKey: rosterKey, entropy: &entropy)
            roster = try SignedRoster(version: version, content: content, signedBy: root)
        } catch {
            throw .protocolFailure(error)
        }
        do {
            try await api.publishRoster(roster)
        } catch {
            throw .transport(error)
        }
        try acceptRoster(roster.encoded)
    }

    func organisationRootKey() throws(AccountError) -> Ed25519.PrivateKey {
        let seed = try perform { db in try store.secretSetting(Self.organisationRootName, in: db) }
        guard let seed, let key = try? Ed25519.PrivateKey(seed: seed) else { throw .notPermitted }
        return key
    }
}
