// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

/// A case's merged triage state and the events behind it, oldest first (the audit trail).
public struct CaseTriage: Sendable {
    public let state: TriageState
    public let events: [TriageEvent]

    /// The triage `events` merge to.
    public init(merging events: [TriageEvent]) {
        state = TriageState(merging: events)
        self.events = events.sorted { $1.supersedes($0) }
    }
}

extension Account {
    static let triageClockName = "triage-clock"

    // MARK: - Changing

    /// Records a triage change to the case of the defender whose identity signing key is
    /// `caseKey`, signed by this device, and sends it to every other expert device on the roster
    /// (SPEC.md §16.3). The change is committed before anything is sent; without the network it
    /// waits, and the next sync sends it. Returns the event and whether it reached the relay for
    /// every expert.
    ///
    /// - Throws: ``AccountError/notPermitted`` on a defender's device; ``AccountError/tooLarge``
    ///   or ``AccountError/protocolFailure(_:)`` for a value the protocol refuses.
    @discardableResult
    public func changeTriage(
        of caseKey: [UInt8], _ change: TriageEvent.Change
    ) async throws(AccountError) -> (event: TriageEvent, sent: Bool) {
        guard try loadState()?.role == .expert else { throw .notPermitted }
        let keys = try loadKeys()
        let now = clock()
        let event = try store.transaction { db -> TriageEvent in
            let lamport = try triageClock(in: db) + 1
            let event: TriageEvent
            do {
                event = try TriageEvent(
                    caseKey: caseKey, lamport: lamport, time: now, change: change, signedBy: keys.identity.signingKey)
            } catch let error as ProtocolError {
                throw error == .tooLarge ? AccountError.tooLarge : AccountError.protocolFailure(error)
            }
            try storeTriage(event, pending: true, in: db)
            return event
        }
        // Offline (or an expert device not reachable yet) is not a failure: the event is
        // committed and pending, and the next sync sends it.
        var sent = false
        do {
            _ = try await sendPendingTriage()
            _ = try await flushOutbox()
            sent = try queuedCount() == 0
        } catch {
            switch error {
            case .transport, .protocolFailure: break
            default: throw error
            }
        }
        return (event, sent)
    }

    /// Puts every local event not yet sent into the outbox, one envelope per other expert device,
    /// each event in the same transaction that clears its pending mark. Returns how many events.
    func sendPendingTriage() async throws(AccountError) -> Int {
        let pending: [(row: Data, event: TriageEvent)] = try perform { db in
            try Row.fetchAll(db, sql: "SELECT row, event FROM triage WHERE pending = 1 ORDER BY seq").map { row in
                (row["row"], try openTriage(row))
            }
        }
        guard !pending.isEmpty else { return 0 }
        let keys = try loadKeys()
        let own = keys.identity.publicKey
        let routes = try rosterRoutes().filter { $0.device.identity != own }
        let bundles = try await claimBundles(for: routes)
        let now = clock()
        try store.transaction { db in
            let certificate = try self.certificate(keys: keys, now: now, in: db)
            for (row, event) in pending {
                let payload = Payload(id: SecureRandom.bytes(count: 16), sentAt: now, body: .triage(event))
                for route in routes {
                    var (session, _) = try outgoingSession(
                        to: route, bundles: bundles, keys: keys, now: now, in: db)
                    try enqueue(
                        payload, session: &session, route: route, certificate: certificate, message: nil, in: db)
                    try store.saveSession(session, in: db)
                }
                try db.execute(sql: "UPDATE triage SET pending = 0 WHERE row = ?", arguments: [row])
            }
        }
        return pending.count
    }

    // MARK: - Receiving

    /// Accepts a triage event from `sender`: an expert device on the roster, signing its own
    /// event. Anything else is dropped.
    func receiveTriage(_ event: TriageEvent, from sender: IdentityKey, state: AccountState, in db: Database) throws
        -> Outcome
    {
        guard state.role == .expert,
            try rosterEntries(in: db).contains(where: { $0.card.devices[0].identity == sender }),
            event.author == sender.signingKey.rawRepresentation,
            (try? event.verify()) != nil
        else { return .notPermitted }
        try storeTriage(event, pending: false, in: db)
        return .triage
    }

    // MARK: - Reading

    /// The triage of every case with at least one event, by case key.
    public func triage() throws(AccountError) -> [Data: CaseTriage] {
        let events = try perform { db in
            try Row.fetchAll(db, sql: "SELECT row, event FROM triage ORDER BY seq").map { try openTriage($0) }
        }
        return Dictionary(grouping: events, by: { Data($0.caseKey) }).mapValues { CaseTriage(merging: $0) }
    }

    /// The triage of one case (the initial state when it has no event).
    public func triage(of caseKey: [UInt8]) throws(AccountError) -> CaseTriage {
        try perform { db in try triage(of: caseKey, in: db) }
    }

    func triage(of caseKey: [UInt8], in db: Database) throws -> CaseTriage {
        let events = try Row.fetchAll(
            db, sql: "SELECT row, event FROM triage WHERE case_lookup = ? ORDER BY seq",
            arguments: [Data(store.cipher.lookup("triage-case", caseKey))]
        ).map { try openTriage($0) }.filter { $0.caseKey == caseKey }
        return CaseTriage(merging: events)
    }

    /// Whether `identity`'s device is reported lost or seized (field 8): nothing then tells it
    /// when its messages arrived or were read (a seizer probing with a message would learn it).
    func isReportedSeized(_ identity: IdentityKey, in db: Database) throws -> Bool {
        try triage(of: identity.signingKey.rawRepresentation, in: db).state.seizedSince != nil
    }

    // MARK: - Storage

    /// Stores `event` unless it is there already, and moves the Lamport clock past it.
    func storeTriage(_ event: TriageEvent, pending: Bool, in db: Database) throws {
        let lookup = store.cipher.lookup("triage-event", event.id)
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM triage WHERE lookup = ?", arguments: [Data(lookup)]) == true {
            return
        }
        let row = SecureRandom.bytes(count: 16)
        let sealed = try store.cipher.seal(event.encoded, place: "triage.event", row: row)
        try db.execute(
            sql: "INSERT INTO triage (row, lookup, case_lookup, pending, event) VALUES (?, ?, ?, ?, ?)",
            arguments: [
                Data(row), Data(lookup), Data(store.cipher.lookup("triage-case", event.caseKey)), pending ? 1 : 0,
                Data(sealed),
            ])
        if event.lamport > (try triageClock(in: db)) {
            var writer = [UInt8](repeating: 0, count: 8)
            for index in 0..<8 { writer[index] = UInt8(truncatingIfNeeded: event.lamport >> (56 - 8 * index)) }
            try store.setSetting(Self.triageClockName, writer, in: db)
        }
    }

    private func triageClock(in db: Database) throws -> UInt64 {
        guard let bytes = try store.setting(Self.triageClockName, in: db), bytes.count == 8 else { return 0 }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    func openTriage(_ row: Row) throws -> TriageEvent {
        let rowId: Data = row["row"]
        let sealed: Data = row["event"]
        return try TriageEvent(decoding: try store.cipher.open(Array(sealed), place: "triage.event", row: Array(rowId)))
    }
}

extension Account {
    /// This device's identity key.
    public func ownIdentity() throws(AccountError) -> IdentityKey {
        try loadKeys().identity.publicKey
    }
}

// MARK: - Evidence

/// What an evidence bundle needs from the account: who signs it, under which organisation and
/// relay (SPEC.md §17).
public struct EvidenceSigner: Sendable {
    public let identity: IdentityKey
    public let certificate: SenderCertificate
    public let organisationRoot: Ed25519.PublicKey
    public let relayKey: Ed25519.PublicKey
}

extension Account {
    /// This expert device's identity, certificate, organisation root and relay key.
    ///
    /// - Throws: ``AccountError/notPermitted`` on a defender's device or before the certificate.
    public func evidenceSigner() throws(AccountError) -> EvidenceSigner {
        guard let state = try loadState() else { throw .notEnrolled }
        guard state.role == .expert, let encoded = state.certificate,
            let certificate = try? SenderCertificate(decoding: Array(encoded)),
            let relayKey = try? Ed25519.PublicKey(rawRepresentation: Array(state.relayKey))
        else { throw .notPermitted }
        return EvidenceSigner(
            identity: try loadKeys().identity.publicKey, certificate: certificate,
            organisationRoot: try organisationRoot(state), relayKey: relayKey)
    }

    /// Signs an evidence bundle's content with this device's identity key (SPEC.md §17).
    public func signEvidence(_ content: [UInt8]) throws(AccountError) -> [UInt8] {
        try loadKeys().identity.signingKey.signature(for: EvidenceSignature.input(content))
    }
}
