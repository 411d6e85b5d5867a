// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

/// An enrolled device: its profile store and its relay (DESIGN §5). Defenders send case updates
/// to every expert device on the organisation's roster; experts answer the defenders who wrote.
/// All state lives in the encrypted ``ProfileStore``; every change that must not be half-done
/// (a ratchet step and the envelope it produced, a decrypted message and the session that
/// decrypted it) is one database transaction.
public actor Account {
    /// The profile store.
    public let store: ProfileStore
    let api: RelayClient
    let clock: @Sendable () -> UInt64
    /// Told of every attachment chunk that moves, for progress bars.
    var transferObserver: (@Sendable (TransferProgress) -> Void)?
    /// One-time prekeys published per pool at enrolment and whenever the relay says a pool is low.
    static let prekeyBatch = 40

    init(store: ProfileStore, api: RelayClient, clock: @escaping @Sendable () -> UInt64) {
        self.store = store
        self.api = api
        self.clock = clock
    }

    /// Where and how to reach the relay, for ``enrol(invite:at:passphrase:role:proxy:cost:clock:)``
    /// and ``open(at:passphrase:proxy:clock:)``.
    static func transport(relay: String, pin: [UInt8]?, proxy: String?) throws(AccountError) -> CurlTransport {
        try transport(routes: [RelayRoute(relay: relay, pin: pin.map(Invite.pinText))], proxy: proxy)
    }

    /// A transport to the relay at `routes` (SPEC.md §16.1): requests start at `preferred` when
    /// it is one of them, and `store`, when given, keeps the address that answered last.
    static func transport(
        routes: [RelayRoute], proxy: String?, onionOnly: Bool = false, managedTor: ManagedTor? = nil,
        preferred: String? = nil, store: ProfileStore? = nil
    ) throws(AccountError) -> CurlTransport {
        var configuration = TransportConfiguration(routes: routes, proxy: proxy, onionOnly: onionOnly)
        configuration.managedTor = managedTor
        do {
            return try CurlTransport(
                configuration: configuration, preferring: preferred,
                onPinMismatch: { route in
                    // Shown by `amanat status` until the person changes the relay's address.
                    try? store?.transaction { db in
                        try store?.setSetting(pinMismatchName, Array(route.relay.utf8), in: db)
                    }
                },
                onSwitch: { route in
                    // Kept so the next command starts where this one got through. Losing this
                    // write costs one failed attempt next time, nothing more.
                    try? store?.transaction { db in
                        try store?.setSetting(relayInUseName, Array(route.relay.utf8), in: db)
                    }
                })
        } catch {
            throw .transport(error)
        }
    }

    /// The setting that names the relay address that answered last.
    static let relayInUseName = "relay-in-use"
    /// The setting that names an address where the relay's TLS key did not match its pin.
    static let pinMismatchName = "pin-mismatch"

    /// An address of the relay where its TLS key did not match the pin (a possible
    /// interception), if that happened since the address was last set.
    public nonisolated var pinMismatchAddress: String? {
        let bytes = try? store.read { db in try store.setting(Self.pinMismatchName, in: db) }
        return (bytes ?? nil).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The invite's addresses as the transport takes them.
    static func routes(of invite: Invite) -> [RelayRoute] {
        invite.addresses.map { RelayRoute(relay: $0.url, pin: $0.pin.map(Invite.pinText)) }
    }

    // MARK: - Enrolment

    /// Joins the organisation with `invite`, in an order that cannot leave half a profile or
    /// spend the voucher for nothing (SPEC.md §16.1): checks the invite's signature and voucher,
    /// reaches the relay (through its pin), opens the organisation's roster if one is published
    /// (so the roster key is right), prepares the profile without its keyslots, and only then
    /// redeems the voucher. A refused redemption removes what was prepared; the keyslots are
    /// written (and the profile exists) once the mailbox does, or once the relay's answer was
    /// lost (then ``sync()`` asks again, and the relay recognises the same mailbox). Publishing
    /// prekeys and fetching the roster come last; if they fail the profile stays and ``sync()``
    /// finishes the enrolment.
    ///
    /// - Throws: ``AccountError/invalidInvite`` (also when the relay's roster does not open
    ///   under the invite's keys), ``AccountError/inviteExpired``, ``AccountError/inviteUsed``,
    ///   ``AccountError/store(_:)``
    ///   (``StoreError/exists`` when `directory` holds a profile), ``AccountError/transport(_:)``.
    ///
    /// With `tor` set (and no `proxy`), the client runs its own Tor for the profile, through
    /// `bridges` and then the invite's, from the first request on.
    public static func enrol(
        invite: Invite, at directory: URL, passphrase: SecureBytes, role: AccountRole = .defender,
        proxy: String? = nil, onionOnly: Bool = false, tor: Bool = false, bridges: [String] = [],
        torProgress: (@Sendable (TorProgress) -> Void)? = nil, cost: Argon2id.Cost = .moderate,
        clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }
    ) async throws(AccountError) -> Account {
        do {
            try invite.verify(now: clock())
        } catch ProtocolError.expired {
            throw .inviteExpired
        } catch {
            throw .invalidInvite
        }
        guard !ProfileStore.exists(at: directory) else { throw .store(.exists) }
        guard bridges.allSatisfy(Invite.isValidBridge), !(tor && proxy != nil) else {
            throw .transport(.invalidConfiguration("a proxy and a Tor of the client's own cannot both be set"))
        }
        let managedTor =
            tor
            ? ManagedTor(profileFolder: directory, bridges: bridges + invite.bridges.filter { !bridges.contains($0) })
            : nil
        managedTor?.observe(torProgress)
        let api = RelayClient(
            transport: try transport(
                routes: routes(of: invite), proxy: proxy, onionOnly: onionOnly, managedTor: managedTor),
            clock: clock)
        let info: RelayInfo
        let published: [UInt8]?
        do {
            info = try await api.info()
            published = try await api.roster()
        } catch {
            // Nothing was written but what the profile's own Tor keeps.
            await managedTor?.discard()
            throw .transport(error)
        }
        if let published {
            // The roster key and root must open the organisation's roster, or nothing works later.
            do {
                let roster = try SignedRoster(decoding: published)
                try roster.verify(root: invite.organisationRoot)
                _ = try RosterContent(opening: roster, rosterKey: invite.rosterKey)
            } catch {
                // Not this organisation's roster under this invite's keys: a wrong invite (or a
                // wrong relay). Nothing has been written yet, but what the profile's Tor keeps.
                await managedTor?.discard()
                throw .invalidInvite
            }
        }
        let prepared: (store: ProfileStore, keyslots: [UInt8])
        do {
            prepared = try ProfileStore.prepare(at: directory, passphrase: passphrase, cost: cost)
        } catch {
            throw .store(error)
        }
        let account: Account
        do {
            account = try await prepare(
                invite: invite, into: prepared.store, info: info, api: api, role: role, proxy: proxy,
                onionOnly: onionOnly, tor: tor ? bridges : nil, clock: clock)
            try await account.redeemVoucher()
        } catch .transport(let error) where error.mayHaveBeenCarriedOut {
            // The relay may have created the mailbox without our hearing it: keep the profile,
            // and let sync ask again.
            do {
                try prepared.store.commit(keyslots: prepared.keyslots)
            } catch {
                throw .store(error)
            }
            throw .transport(error)
        } catch {
            await managedTor?.stop()
            ProfileStore.wipe(at: directory)
            throw error
        }
        do {
            try prepared.store.commit(keyslots: prepared.keyslots)
        } catch {
            throw .store(error)
        }
        try await account.finishEnrolment()
        return account
    }

    /// Writes fresh device keys and the invite's settings into `store`, then finishes enrolment.
    static func enrol(
        invite: Invite, into store: ProfileStore, info: RelayInfo, api: RelayClient, role: AccountRole, proxy: String?,
        clock: @escaping @Sendable () -> UInt64
    ) async throws(AccountError) -> Account {
        let account = try await prepare(
            invite: invite, into: store, info: info, api: api, role: role, proxy: proxy, clock: clock)
        try await account.finishEnrolment()
        return account
    }

    /// Writes fresh device keys and the invite's settings (the voucher not yet redeemed) into `store`.
    static func prepare(
        invite: Invite, into store: ProfileStore, info: RelayInfo, api: RelayClient, role: AccountRole, proxy: String?,
        onionOnly: Bool = false, tor ownBridges: [String]? = nil, clock: @escaping @Sendable () -> UInt64
    ) async throws(AccountError) -> Account {
        let keys = DeviceKeys.generate(now: clock())
        var state = AccountState(
            relay: invite.relay, pin: invite.pin.map { Data($0) }, proxy: proxy,
            organisationRoot: Data(invite.organisationRoot.rawRepresentation),
            relayKey: Data(info.relayKey.rawRepresentation), role: role, enrolled: false,
            voucher: Data(invite.voucher.encoded), certificate: nil, nextPrekeyId: 16, rosterVersion: 0,
            maximumBlobBytes: info.maximumBlobBytes, retentionSeconds: info.retentionSeconds)
        if invite.addresses.count > 1 {
            state.alternates = invite.addresses.dropFirst().map {
                StoredRoute(relay: $0.url, pin: $0.pin.map { Data($0) })
            }
        }
        if onionOnly { state.onionOnly = true }
        if !invite.bridges.isEmpty { state.bridges = invite.bridges }
        if let ownBridges {
            state.managedTor = true
            if !ownBridges.isEmpty { state.ownBridges = ownBridges }
        }
        let prepared = state
        // The address that answered during enrolment is where the next command starts.
        let inUse = api.transport.route.relay
        try store.transaction { db in
            try store.saveKeys(keys, in: db)
            try store.saveState(prepared, in: db)
            try store.setSetting(ProfileStore.rosterKeyName, invite.rosterKey, in: db)
            try store.setSetting(relayInUseName, Array(inUse.utf8), in: db)
        }
        return Account(store: store, api: api, clock: clock)
    }

    /// Opens the profile in `directory` with `passphrase`. Nothing touches the network until a
    /// call needs it. `proxy`, when given, replaces the proxy recorded at enrolment.
    public static func open(
        at directory: URL, passphrase: SecureBytes, proxy: String? = nil,
        clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }
    ) throws(AccountError) -> Account {
        let store: ProfileStore
        do {
            store = try ProfileStore.open(at: directory, passphrase: passphrase)
        } catch {
            throw .store(error)
        }
        let state: AccountState?
        do {
            state = try store.read { db in try store.state(in: db) }
        } catch {
            throw .store(error)
        }
        guard let state else {
            // A decoy or unfinished profile: no relay to talk to.
            let api = RelayClient(
                transport: try transport(relay: "http://127.0.0.1:9", pin: nil, proxy: nil), clock: clock)
            return Account(store: store, api: api, clock: clock)
        }
        let preferred: [UInt8]?
        do {
            preferred = try store.read { db in try store.setting(relayInUseName, in: db) }
        } catch {
            throw .store(error)
        }
        // The profile's own Tor, unless the caller gives a proxy for this run.
        let managedTor =
            proxy == nil && state.managedTor == true
            ? ManagedTor(profileFolder: directory, bridges: state.torBridges) : nil
        let api = RelayClient(
            transport: try transport(
                routes: state.routes, proxy: managedTor == nil ? proxy ?? state.proxy : nil,
                onionOnly: state.onionOnly ?? false, managedTor: managedTor,
                preferred: preferred.map { String(decoding: $0, as: UTF8.self) }, store: store),
            clock: clock)
        // What the profile's retention no longer keeps goes before anything else is done.
        _ = try applyRetention(store, now: clock())
        return Account(store: store, api: api, clock: clock)
    }

    /// Creates the mailbox and publishes prekeys, if that has not happened yet.
    func finishEnrolment() async throws(AccountError) {
        guard var state = try loadState(), !state.enrolled else { return }
        try await redeemVoucher()
        try await publishPrekeys(head: true)
        state = try loadState() ?? state
        state.enrolled = true
        let finished = state
        try store.transaction { db in try store.saveState(finished, in: db) }
        _ = try? await refreshRoster()
    }

    /// Creates the mailbox with the invite's voucher, if that has not happened yet, and forgets
    /// the voucher once the relay said so.
    func redeemVoucher() async throws(AccountError) {
        guard var state = try loadState(), let voucherBytes = state.voucher else { return }
        guard let voucher = try? Voucher(decoding: Array(voucherBytes)) else { throw .invalidInvite }
        let mailbox = try loadKeys().mailbox
        do {
            try await api.createMailbox(mailbox, voucher: voucher)
        } catch .refused(_, .expiredVoucher) {
            throw .inviteExpired
        } catch .refused(_, .invalidVoucher) {
            throw .invalidInvite
        } catch .refused(_, .voucherUsed) {
            throw .inviteUsed
        } catch {
            throw .transport(error)
        }
        state.voucher = nil
        let redeemed = state
        try store.transaction { db in try store.saveState(redeemed, in: db) }
    }

    /// Sets (or with nil, removes) the function told of attachment uploads and downloads as they
    /// progress, chunk by chunk.
    public func observeTransfers(_ observer: (@Sendable (TransferProgress) -> Void)?) {
        transferObserver = observer
    }

    // MARK: - Who this device is

    /// This device's identity key.
    public var identityKey: IdentityKey {
        get throws(AccountError) { try loadKeys().identity.publicKey }
    }

    /// The card that lets others reach this device (for the roster, or a defender's first message).
    public var contactCard: ContactCard {
        get throws(AccountError) { try loadKeys().contactCard }
    }

    /// Whether the profile has finished enrolling (false for a decoy profile).
    public var isEnrolled: Bool {
        ((try? loadState())??.enrolled) ?? false
    }

    /// The role chosen at enrolment.
    public var role: AccountRole? {
        (try? loadState())??.role
    }

    /// Installs the organisation-signed sender certificate an expert device sends with (SPEC.md
    /// §7.1, signer 2). It must name this device and verify under the organisation key.
    public func installCertificate(_ certificate: SenderCertificate) throws(AccountError) {
        guard var state = try loadState() else { throw .notEnrolled }
        guard state.role == .expert, certificate.signer == .organisation,
            certificate.sender == (try loadKeys().identity.publicKey)
        else { throw .notPermitted }
        do {
            try certificate.verify(
                now: clock(), organisationRoot: try Ed25519.PublicKey(rawRepresentation: Array(state.organisationRoot)))
        } catch {
            throw .protocolFailure(.authenticationFailure)
        }
        state.certificate = Data(certificate.encoded)
        let updated = state
        try store.transaction { db in try store.saveState(updated, in: db) }
    }

    /// The relay's address in use (the one that answered last), the proxy this account uses,
    /// every address it may use in order, and whether it is Tor-only.
    public var connection: (relay: String, proxy: String?, addresses: [String], onionOnly: Bool) {
        let configuration = api.transport.configuration
        return (
            api.transport.route.relay, configuration.proxy,
            configuration.routes.filter { !configuration.onionOnly || $0.isOnion }.map(\.relay), configuration.onionOnly
        )
    }

    /// The Tor bridge lines the profile's own Tor would use: the person's, then the invite's.
    public var bridges: [String] {
        ((try? loadState()) ?? nil)?.torBridges ?? []
    }

    /// The Tor this client runs for the profile, when it does (`amanat config --tor auto`).
    public nonisolated var managedTor: ManagedTor? { api.transport.configuration.managedTor }

    /// Whether the profile is set to run its own Tor.
    public var runsOwnTor: Bool { ((try? loadState()) ?? nil)?.managedTor == true }

    /// Makes the client run its own Tor for this profile (through `bridges`, the person's own
    /// lines, then the invite's), or stop doing so; a proxy set before is forgotten when it
    /// starts. Takes effect on the next ``open``.
    public func setManagedTor(_ on: Bool, bridges: [String]? = nil) throws(AccountError) {
        guard var state = try loadState() else { throw .notEnrolled }
        if let bridges {
            guard bridges.count <= 8, bridges.allSatisfy(Invite.isValidBridge) else {
                throw .transport(.invalidConfiguration("a bridge line must be printable ASCII, 1-1024 bytes"))
            }
            state.ownBridges = bridges.isEmpty ? nil : bridges
        }
        if on {
            state.managedTor = true
            state.proxy = nil
        } else {
            if state.onionOnly == true && state.proxy == nil {
                throw .transport(.invalidConfiguration("a Tor-only profile needs a proxy"))
            }
            state.managedTor = nil
        }
        let updated = state
        try store.transaction { db in try store.saveState(updated, in: db) }
        // What that Tor kept (its bridges, its guards) goes with it.
        if !on { ManagedTor.shred(store.directory.appendingPathComponent(ManagedTor.folderName)) }
    }

    /// Whether the relay answers now (through the proxy, with the pin).
    public func relayIsReachable() async -> Bool {
        (try? await api.info()) != nil
    }

    /// Records the proxy to use from now on (nil: none); takes effect on the next ``open``.
    public func setProxy(_ proxy: String?) throws(AccountError) {
        guard var state = try loadState() else { throw .notEnrolled }
        if let proxy {
            do {
                _ = try CurlTransport(configuration: TransportConfiguration(relay: state.relay, proxy: proxy))
            } catch {
                throw .transport(error)
            }
        }
        if proxy == nil && state.onionOnly == true && state.managedTor != true {
            throw .transport(.invalidConfiguration("a Tor-only profile needs a proxy"))
        }
        // A proxy of the person's choice replaces the client's own Tor.
        if proxy != nil { state.managedTor = nil }
        state.proxy = proxy
        let updated = state
        try store.transaction { db in try store.saveState(updated, in: db) }
    }

    /// Makes the profile Tor-only (only its relay's onion addresses, always through the proxy) or
    /// not; takes effect on the next ``open``.
    ///
    /// - Throws: ``AccountError/transport(_:)`` with ``TransportError/invalidConfiguration(_:)``
    ///   when it has no proxy or the relay no onion address.
    public func setOnionOnly(_ onionOnly: Bool) throws(AccountError) {
        guard var state = try loadState() else { throw .notEnrolled }
        var configuration = TransportConfiguration(routes: state.routes, proxy: state.proxy, onionOnly: onionOnly)
        if state.managedTor == true {
            configuration.managedTor = ManagedTor(profileFolder: store.directory, bridges: [])
        }
        do {
            _ = try CurlTransport(configuration: configuration)
        } catch {
            throw .transport(error)
        }
        state.onionOnly = onionOnly ? true : nil
        let updated = state
        try store.transaction { db in try store.saveState(updated, in: db) }
    }

    /// How long the relay keeps an unfetched envelope (from its `/v1/info` at enrolment).
    public var retentionSeconds: UInt64 {
        ((try? loadState()) ?? nil)?.retentionSeconds ?? 30 * 86_400
    }

    /// Moves the account to another address of its relay (a new domain, an onion address), with
    /// its TLS pin if it has one; it replaces the invite's list of addresses. The relay must be the
    /// same one: its receipts are still checked against the key recorded at enrolment. Takes
    /// effect on the next ``open``.
    public func setRelay(_ relay: String, pin: [UInt8]?) throws(AccountError) {
        guard var state = try loadState() else { throw .notEnrolled }
        do {
            // A Tor-only profile takes only an onion address.
            var configuration = TransportConfiguration(
                routes: [RelayRoute(relay: relay, pin: pin.map(Invite.pinText))], proxy: state.proxy,
                onionOnly: state.onionOnly ?? false)
            if state.managedTor == true {
                configuration.managedTor = ManagedTor(profileFolder: store.directory, bridges: [])
            }
            _ = try CurlTransport(configuration: configuration)
        } catch {
            throw .transport(error)
        }
        state.relay = relay
        state.pin = pin.map { Data($0) }
        // The address the person gives replaces the invite's list.
        state.alternates = nil
        let updated = state
        try store.transaction { db in
            try store.saveState(updated, in: db)
            try store.setSetting(Self.relayInUseName, Array(relay.utf8), in: db)
            try db.execute(sql: "DELETE FROM settings WHERE name = ?", arguments: [Self.pinMismatchName])
        }
    }

    /// The language the user chose for this profile's tools (`en`, `ru`), if any.
    public nonisolated var storedLanguage: String? {
        let bytes = try? store.read { db in try store.setting("language", in: db) }
        return (bytes ?? nil).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Records the language for this profile's tools (sealed like every other setting).
    public func setPreferredLanguage(_ language: String) throws(AccountError) {
        try store.transaction { db in try store.setSetting("language", Array(language.utf8), in: db) }
    }

    /// Every message, oldest first.
    public func messages() throws(AccountError) -> [Message] {
        try perform { db in try store.messages(in: db) }
    }

    /// The message with `id`, found through its keyed lookup (no other message is decrypted).
    public func message(id: Data) throws(AccountError) -> Message? {
        try perform { db in try store.message(id: id, in: db) }
    }

    /// The defenders who have introduced themselves to this (expert) device, with their cases'
    /// ids (SPEC.md §16.4).
    public func contacts() throws(AccountError) -> [(identity: IdentityKey, caseID: CaseID)] {
        try perform { db in
            try store.contacts(in: db).compactMap { record in
                guard let identity = try? IdentityKey(decoding: Array(record.identity)) else { return nil }
                return (identity, CaseID(defender: identity))
            }
        }
    }

    /// Marks an incoming message read and, the first time, tells its sender with a read receipt
    /// (SPEC.md §9.1), unless read receipts are off; a defender's receipt for a reply goes to
    /// every expert device, like its delivered receipt (SPEC.md §16.5). The receipt waits in the
    /// outbox for the next sync.
    public func markRead(_ id: Data) throws(AccountError) {
        let keys = try loadKeys()
        let now = clock()
        try store.transaction { db in
            guard let message = try store.message(id: id, in: db), message.direction == .incoming, !message.isRead
            else { return }
            try store.updateMessage(id: id, in: db) { $0.isRead = true }
            guard message.kind != .notice, try store.setting(Self.readReceiptsName, in: db) != Self.off,
                let sender = message.sender.flatMap({ try? IdentityKey(decoding: Array($0)) }),
                try !isReportedSeized(sender, in: db),
                let route = try route(to: sender, in: db), var session = try store.session(with: sender, in: db),
                let certificate = try? certificate(keys: keys, now: now, in: db)
            else { return }
            let receipt = Payload(
                id: SecureRandom.bytes(count: 16), sentAt: now, body: .receipt(.read, messageIds: [Array(id)]))
            try enqueue(receipt, session: &session, route: route, certificate: certificate, message: nil, in: db)
            try store.saveSession(session, in: db)
            if message.kind == .reply {
                try sendToColleagues(of: sender, receipt, keys: keys, certificate: certificate, in: db)
            }
        }
    }

    static let readReceiptsName = "read-receipts"
    static let off: [UInt8] = Array("off".utf8)

    /// Whether opening a message tells its sender (on unless turned off).
    public var sendsReadReceipts: Bool {
        get throws(AccountError) { try isOn(Self.readReceiptsName) }
    }

    /// Turns read receipts on or off for this profile.
    public func setReadReceipts(_ on: Bool) throws(AccountError) {
        try setOn(Self.readReceiptsName, on)
    }

    /// Whether the profile's on/off choice `name` is on (on unless turned off).
    func isOn(_ name: String) throws(AccountError) -> Bool {
        try perform { db in try store.setting(name, in: db) } != Self.off
    }

    /// Turns the profile's on/off choice `name` on or off.
    func setOn(_ name: String, _ on: Bool) throws(AccountError) {
        try store.transaction { db in try store.setSetting(name, on ? Array("on".utf8) : Self.off, in: db) }
    }

    /// Messages and envelopes waiting for the relay: unfinished drafts and the outbox.
    public func queuedCount() throws(AccountError) -> Int {
        try perform { db in try store.outbox(in: db).count + store.drafts(in: db).count }
    }

    // MARK: - Helpers

    func loadState() throws(AccountError) -> AccountState? {
        try perform { db in try store.state(in: db) }
    }

    func loadKeys() throws(AccountError) -> DeviceKeys {
        guard let keys = try perform({ db in try store.keys(in: db) }) else { throw .notEnrolled }
        return keys
    }

    func perform<T>(_ body: (Database) throws -> T) throws(AccountError) -> T {
        do {
            return try store.read(body)
        } catch {
            throw .store(error)
        }
    }

    func organisationRoot(_ state: AccountState) throws(AccountError) -> Ed25519.PublicKey {
        guard let root = try? Ed25519.PublicKey(rawRepresentation: Array(state.organisationRoot)) else {
            throw .store(.corrupted)
        }
        return root
    }
}

extension ProfileStore {
    /// A write transaction whose errors are the account's.
    func transaction<T>(_ body: (Database) throws -> T) throws(AccountError) -> T {
        do {
            return try database.write(body)
        } catch let error as AccountError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL || error.resultCode == .SQLITE_IOERR {
            throw .store(.unwritable)
        } catch {
            throw .store(.corrupted)
        }
    }
}
