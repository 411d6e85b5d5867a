// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatProtocol
import Foundation

/// An organisation for tests: the relay's root key, a roster key, and helpers to invite devices
/// and publish rosters as the organisation's administrator would (issue #8 builds the real tool).
public struct TestOrganisation {
    public let relay: LiveRelay
    public let rosterKey = SecureBytes.random(count: 32)
    public let folder: URL
    /// How devices reach the relay: its URL, TLS pin and a SOCKS proxy.
    public var url: String
    public var pin: [UInt8]?
    public var proxy: String?
    /// The relay's other addresses and the Tor bridge lines invites carry (SPEC.md §16.1).
    public var alternates: [RelayAddress] = []
    public var bridges: [String] = []
    public static let cost = try! Argon2id.Cost(operations: 1, memoryByteCount: 8192)

    public init(relay: LiveRelay) throws {
        self.relay = relay
        url = relay.url
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-accounts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// A relay started with `relayArguments`, an organisation on it, and one expert device
    /// (profile `expert`) on roster version 1 as `expertName`: where most exchanges begin.
    public static func started(
        expertName: String = "Expert", relayArguments: [String] = []
    ) async throws -> (organisation: TestOrganisation, expert: Account) {
        let relay = try LiveRelay()
        try await relay.start(relayArguments)
        let organisation = try TestOrganisation(relay: relay)
        let expert = try await organisation.enrolExpert("expert")
        try await organisation.publishRoster([(expertName, expert)], version: 1)
        return (organisation, expert)
    }

    public var now: UInt64 { UInt64(Date().timeIntervalSince1970) }

    public func invite(expiresIn seconds: UInt64 = 3600) throws -> Invite {
        try Invite(
            addresses: [RelayAddress(url: url, pin: pin)] + alternates, bridges: bridges, rosterKey: rosterKey,
            voucher: Voucher(id: .random(), expiresAt: now + seconds, signedBy: relay.root),
            signedBy: relay.root)
    }

    public func directory(_ name: String) -> URL { folder.appendingPathComponent(name) }

    public func enrolExpert(_ name: String) async throws -> Account {
        let account = try await Account.enrol(
            invite: try invite(), at: directory(name), passphrase: SecureBytes(copying: Array("pass \(name)".utf8)),
            role: .expert, proxy: proxy, cost: Self.cost)
        try await account.installCertificate(
            SenderCertificate(
                for: try await account.identityKey, expiresAt: now + 30 * 86_400, signedByOrganisation: relay.root))
        return account
    }

    public func enrolDefender(_ name: String) async throws -> Account {
        try await Account.enrol(
            invite: try invite(), at: directory(name), passphrase: SecureBytes(copying: Array("pass \(name)".utf8)),
            role: .defender, proxy: proxy, cost: Self.cost)
    }

    /// Signs and publishes a roster of `experts` (name, account) as `version`.
    public func publishRoster(_ experts: [(String, Account)], version: UInt64) async throws {
        var entries: [RosterContent.Entry] = []
        for (name, account) in experts {
            let certificate = SenderCertificate(
                for: try await account.identityKey, expiresAt: now + 30 * 86_400, signedByOrganisation: relay.root)
            entries.append(
                RosterContent.Entry(name: name, card: try await account.contactCard, certificate: certificate))
        }
        var entropy = SystemEntropy()
        let content = try RosterContent(entries: entries).sealed(
            version: version, rosterKey: rosterKey, entropy: &entropy)
        let roster = try SignedRoster(version: version, content: content, signedBy: relay.root)
        let configuration = TransportConfiguration(
            relay: url, proxy: proxy, pin: pin.map { "sha256//" + Base64URL.encodeStandard($0) })
        try await RelayClient(transport: try CurlTransport(configuration: configuration)).publishRoster(roster)
    }

    public func remove() {
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Every file under `directory`, read whole.
public func filesBelow(_ directory: URL) -> [(URL, Data)] {
    guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
        return []
    }
    return enumerator.compactMap { item in
        guard let url = item as? URL, let data = try? Data(contentsOf: url) else { return nil }
        return (url, data)
    }
}
