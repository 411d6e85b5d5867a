// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Testing

@testable import AmanatRelay

/// The store implementations the conformance suite runs against: SQLite always, PostgreSQL
/// when a server is there (and always in CI, where a missing server must fail).
enum StoreKind: CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    static var available: [StoreKind] { PostgresTestDatabase.enabled ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { self == .sqlite ? "SQLite" : "PostgreSQL" }

    /// A fresh, empty store of this kind for the duration of `body`.
    func withStore(_ body: (any MailboxStore) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let directory = try SQLiteMailboxStoreTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try await body(try SQLiteMailboxStore(path: directory.appendingPathComponent("relay.sqlite").path))
        case .postgres:
            try await PostgresTestDatabase.withStore { try await body($0) }
        }
    }
}

/// The parts of ``MailboxStoreConformance``, each a test case of its own for every store.
enum ConformanceCase: CaseIterable, CustomTestStringConvertible, Sendable {
    case mailboxes, depositFetchAcknowledge, quotas, unknownMailboxes, retention, concurrentDeposits
    case concurrentQuota, prekeyDirectory, concurrentClaims, blobs, blobLimitsAndExpiry, roster, seizure

    var testDescription: String {
        switch self {
        case .mailboxes: "mailboxes and vouchers"
        case .depositFetchAcknowledge: "idempotent deposit, cursor fetch, acknowledge"
        case .quotas: "count and byte quotas"
        case .unknownMailboxes: "unknown mailboxes and malformed fields"
        case .retention: "retention purge and expired-unread counts"
        case .concurrentDeposits: "concurrent deposits, each stored exactly once"
        case .concurrentQuota: "concurrent deposits respect the quota exactly"
        case .prekeyDirectory: "prekey directory upload, atomic claims, counts"
        case .concurrentClaims: "concurrent claims never share a one-time entry"
        case .blobs: "blob chunks, resume, download confirmations"
        case .blobLimitsAndExpiry: "blob storage limit and expiry"
        case .roster: "roster versions only go up"
        case .seizure: "a seizure order freezes a mailbox once, emptying it and shutting out its contacts"
        }
    }

    func run(_ conformance: MailboxStoreConformance) async throws {
        switch self {
        case .mailboxes: try await conformance.mailboxes()
        case .depositFetchAcknowledge: try await conformance.depositFetchAcknowledge()
        case .quotas: try await conformance.quotas()
        case .unknownMailboxes: try await conformance.unknownMailboxes()
        case .retention: try await conformance.retention()
        case .concurrentDeposits: try await conformance.concurrentDeposits()
        case .concurrentQuota: try await conformance.concurrentQuota()
        case .prekeyDirectory: try await conformance.prekeyDirectory()
        case .concurrentClaims: try await conformance.concurrentClaims()
        case .blobs: try await conformance.blobs()
        case .blobLimitsAndExpiry: try await conformance.blobLimitsAndExpiry()
        case .roster: try await conformance.roster()
        case .seizure: try await conformance.seizure()
        }
    }
}

/// The conformance suite, written once and run for every store kind (issue #19).
@Suite("MailboxStore conformance")
struct MailboxStoreConformanceTests {
    @Test("every store behaves alike", arguments: StoreKind.available, ConformanceCase.allCases)
    func conformance(_ kind: StoreKind, _ part: ConformanceCase) async throws {
        try await kind.withStore { store in try await part.run(MailboxStoreConformance(store: store)) }
    }
}
