// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation
import Logging
import Testing

@testable import AmanatRelay

@Suite("Relay data directory and purge service")
struct RelayServerTests {
    func withDirectory(_ body: (RelayDataDirectory) async throws -> Void) async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try await body(RelayDataDirectory(url: url))
    }

    @Test("init creates a private key file once; load reads it back; damage is a typed error")
    func dataDirectory() async throws {
        try await withDirectory { directory in
            #expect(throws: RelaySetupError.notInitialised) { try directory.load() }
            let root = Ed25519.PrivateKey().publicKey
            try directory.initialise(organisationRoot: root, retentionDays: 7)
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.keyURL.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let (key, settings) = try directory.load()
            #expect(settings.retentionDays == 7)
            #expect(RelayDataDirectory.organisationRootKey(settings) == root)
            #expect(throws: RelaySetupError.alreadyInitialised) { try directory.initialise(organisationRoot: root) }
            #expect(try directory.load().signingKey.publicKey == key.publicKey)
            try Data("{".utf8).write(to: directory.settingsURL)
            #expect(throws: RelaySetupError.invalidSettings) { try directory.load() }
            try Data([1, 2, 3]).write(to: directory.keyURL)
            #expect(throws: RelaySetupError.invalidSettings) { try directory.load() }
        }
        try await withDirectory { directory in
            #expect(throws: RelaySetupError.invalidSettings) {
                try directory.initialise(organisationRoot: Ed25519.PrivateKey().publicKey, retentionDays: 0)
            }
        }
    }

    @Test("the purge service deletes what is past retention and counts it for the owner")
    func purge() async throws {
        try await withDirectory { directory in
            try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
            let store = try SQLiteMailboxStore(path: directory.databasePath)
            let conformance = MailboxStoreConformance(store: store)
            let mailbox = try await conformance.newMailbox()
            let old = MailboxStoreConformance.envelope()
            let recent = MailboxStoreConformance.envelope()
            let day: UInt64 = 86_400
            let now = conformance.now
            _ = try await store.deposit(
                old.bytes, digest: old.digest, into: mailbox.id, now: now - 31 * day, quota: conformance.quota)
            _ = try await store.deposit(
                recent.bytes, digest: recent.digest, into: mailbox.id, now: now - day, quota: conformance.quota)
            let service = PurgeService(store: store, retention: 30 * day, clock: { now }, logger: Logger(label: "test"))
            #expect(try await service.purgeOnce().envelopes == 1)
            let page = try await store.fetch(from: mailbox.id, after: 0, limit: 10)
            #expect(page.envelopes.map(\.envelope) == [recent.bytes])
            #expect(page.expiredUnread == 1)
            #expect(try await service.purgeOnce().envelopes == 0)
        }
    }

    @Test("limits: from relay.json, then environment, then flags; unknown names and bad values refused")
    func limits() async throws {
        try await withDirectory { directory in
            try directory.initialise(organisationRoot: Ed25519.PrivateKey().publicKey)
            // An operator's relay.json with a limits section.
            var object = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: directory.settingsURL)) as? [String: Any])
            object["limits"] = ["mailboxEnvelopes": 500, "contactBurst": 50, "ownerPerSecond": 2.5]
            try JSONSerialization.data(withJSONObject: object).write(to: directory.settingsURL)
            let settings = try directory.load().settings
            var limits = try #require(settings.limits)
            try limits.assign(["contactBurst=70", "blobBytes=1000", "retentionDays=7"])
            var configuration = RelayConfiguration(
                signingKey: Ed25519.PrivateKey(), organisationRoot: Ed25519.PrivateKey().publicKey)
            // relay.json's retentionDays (from init) is where the limit starts; a named limit wins.
            configuration.retention = UInt64(settings.retentionDays) * 86_400
            #expect(configuration.retention == 30 * 86_400)
            try limits.apply(to: &configuration)
            #expect(configuration.retention == 7 * 86_400)
            #expect(configuration.quota.maximumEnvelopes == 500)
            #expect(configuration.contactRate.burst == 70)
            #expect(configuration.ownerRate.perSecond == 2.5)
            #expect(configuration.maximumBlobBytes == 1000)
            #expect(configuration.maximumWaiters == 20_000)
        }
        var configuration = RelayConfiguration(
            signingKey: Ed25519.PrivateKey(), organisationRoot: Ed25519.PrivateKey().publicKey)
        for bad in ["nonsense=1", "mailboxEnvelopes=0", "mailboxEnvelopes=2.5", "waitSeconds=301", "retentionDays=366"]
        {
            var limits = RelayLimits()
            try limits.assign([bad])
            #expect(throws: RelaySetupError.self, "\(bad)") { try limits.apply(to: &configuration) }
        }
        var limits = RelayLimits()
        #expect(throws: RelaySetupError.invalidLimit("mailboxEnvelopes")) { try limits.assign(["mailboxEnvelopes"]) }
        #expect(throws: RelaySetupError.invalidLimit("waiters=many")) { try limits.assign(["waiters=many"]) }
        #expect(RelayLimits.help.contains("contactPerSecond"))
    }
}
