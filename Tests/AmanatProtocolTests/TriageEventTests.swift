// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocolVectors
import Testing

@testable import AmanatProtocol

@Suite("Triage events (SPEC §16.3)")
struct TriageEventTests {
    let caseKey = Ed25519.PrivateKey().publicKey.rawRepresentation
    let experts = (0..<3).map { _ in Ed25519.PrivateKey() }

    func event(_ change: TriageEvent.Change, lamport: UInt64, by author: Int = 0) throws -> TriageEvent {
        try TriageEvent(
            caseKey: caseKey, lamport: lamport, time: 1_800_000_000, change: change, signedBy: experts[author])
    }

    static let changes: [TriageEvent.Change] = [
        .status(.waitingOnDefender), .priority(.urgent), .assignee(nil), .assignee([UInt8](repeating: 7, count: 32)),
        .label("суд", present: true), .label("x", present: false), .due(nil), .due(1_800_086_400),
        .note("Позвонить адвокату"), .alias("Гульнара, апелляция"), .alias(nil), .seized(1_799_990_000), .seized(nil),
        .link([UInt8](repeating: 9, count: 32), present: true), .link([UInt8](repeating: 9, count: 32), present: false),
    ]

    @Test(
        "a seized report and links merge as registers: the latest wins, links keep their order, an unlink removes one")
    func seizedAndLinks() throws {
        let first = [UInt8](repeating: 1, count: 32)
        let second = [UInt8](repeating: 2, count: 32)
        let events = [
            try event(.seized(1_799_990_000), lamport: 1), try event(.link(second, present: true), lamport: 5, by: 1),
            try event(.link(first, present: true), lamport: 2), try event(.seized(nil), lamport: 3, by: 2),
            try event(.seized(1_799_995_000), lamport: 4),
        ]
        let state = TriageState(merging: events)
        #expect(state.seizedSince == 1_799_995_000 && state.seizedReportedAt == 1_800_000_000)
        #expect(state.links == [first, second])
        #expect(state.isSuspect(sentAt: 1_799_995_000, storedAt: 0))
        #expect(state.isSuspect(sentAt: 1, storedAt: 1_800_000_000), "arrived after the report, whatever it claims")
        #expect(!state.isSuspect(sentAt: 1_799_994_999, storedAt: 1_799_999_999))
        let unlinked = TriageState(merging: events + [try event(.link(first, present: false), lamport: 6)])
        #expect(unlinked.links == [second])
        let withdrawn = TriageState(merging: events + [try event(.seized(nil), lamport: 7)])
        #expect(withdrawn.seizedSince == nil && !withdrawn.isSuspect(sentAt: .max, storedAt: .max))
        #expect(throws: ProtocolError.malformed) { try event(.link([1, 2], present: true), lamport: 1) }
        var link = try event(.link(first, present: true), lamport: 1).encoded
        link[84] = 2
        #expect(throws: ProtocolError.malformed) { try TriageEvent(decoding: link) }
    }

    @Test("every kind of change round-trips, inside a payload too, and its signature verifies")
    func roundTrip() throws {
        for change in Self.changes {
            let original = try event(change, lamport: 42)
            let decoded = try TriageEvent(decoding: original.encoded)
            #expect(decoded == original)
            try decoded.verify()
            let payload = Payload(id: [UInt8](repeating: 1, count: 16), sentAt: 5, body: .triage(original))
            #expect(try Payload(decoding: payload.encoded()) == payload)
        }
    }

    @Test("a change to any byte is refused: by the decoder or by the signature")
    func tampering() throws {
        let original = try event(.note("internal"), lamport: 3).encoded
        for index in original.indices {
            var changed = original
            changed[index] ^= 0x01
            if let decoded = try? TriageEvent(decoding: changed) {
                #expect(throws: ProtocolError.authenticationFailure) { try decoded.verify() }
            }
        }
    }

    @Test("malformed values, unknown fields and oversize text are typed errors")
    func malformed() throws {
        #expect(throws: ProtocolError.malformed) { try event(.note(""), lamport: 1) }
        #expect(throws: ProtocolError.tooLarge) { try event(.note(String(repeating: "ж", count: 2049)), lamport: 1) }
        #expect(throws: ProtocolError.tooLarge) {
            try event(.label(String(repeating: "a", count: 65), present: true), lamport: 1)
        }
        #expect(throws: ProtocolError.malformed) { try event(.assignee([1, 2, 3]), lamport: 1) }
        #expect(throws: ProtocolError.malformed) { try event(.alias(""), lamport: 1) }
        #expect(throws: ProtocolError.malformed) { try event(.alias("a\u{1B}]0;x\u{07}"), lamport: 1) }
        #expect(throws: ProtocolError.tooLarge) { try event(.alias(String(repeating: "ж", count: 33)), lamport: 1) }
        let good = try event(.status(.resolved), lamport: 1).encoded
        // Field 1's value is at 84 (after the 82 fixed bytes and the u16 length).
        for (offset, byte) in [(84, UInt8(9)), (81, UInt8(8)), (81, UInt8(0)), (81, UInt8(7))] {
            var bad = good
            bad[offset] = byte
            #expect(throws: ProtocolError.malformed) { try TriageEvent(decoding: bad) }
        }
        var label = try event(.label("a", present: true), lamport: 1).encoded
        label[84] = 2
        #expect(throws: ProtocolError.malformed) { try TriageEvent(decoding: label) }
        #expect(throws: ProtocolError.self) { try TriageEvent(decoding: Array(good.dropLast())) }
        #expect(throws: ProtocolError.self) { try TriageEvent(decoding: good + [0]) }
    }

    @Test("the merged state is the same in every arrival order, ties go to the greater author")
    func convergence() throws {
        var random = ScheduleRandom(seed: 16_03)
        var events: [TriageEvent] = []
        for index in 0..<60 {
            let author = Int(random.next() % 3)
            let lamport = random.next() % 12
            let change: TriageEvent.Change
            switch index % 6 {
            case 0: change = .status(TriageEvent.Status.allCases[Int(random.next() % 5)])
            case 1: change = .priority(TriageEvent.Priority.allCases[Int(random.next() % 4)])
            case 2:
                change = .label(
                    ["суд", "срочно", "апелляция"][Int(random.next() % 3)], present: random.next() % 2 == 0)
            case 3: change = .assignee(random.next() % 3 == 0 ? nil : experts[author].publicKey.rawRepresentation)
            case 4: change = .due(random.next() % 2 == 0 ? nil : 1_800_000_000 + random.next() % 100)
            default: change = .note("note \(index)")
            }
            events.append(try event(change, lamport: lamport, by: author))
        }
        let reference = TriageState(merging: events)
        for _ in 0..<20 {
            events.shuffle(using: &random)
            // Duplicates change nothing either.
            #expect(TriageState(merging: events + events.prefix(10)) == reference)
        }
        #expect(reference.notes.count == 10)
        #expect(reference.lamport == events.map(\.lamport).max())

        // The same lamport: the greater author key wins, whoever arrived last.
        let sorted = experts.map { $0 }.sorted {
            $0.publicKey.rawRepresentation.lexicographicallyPrecedes($1.publicKey.rawRepresentation)
        }
        let low = try TriageEvent(caseKey: caseKey, lamport: 5, time: 9, change: .status(.closed), signedBy: sorted[0])
        let high = try TriageEvent(
            caseKey: caseKey, lamport: 5, time: 1, change: .status(.resolved), signedBy: sorted[2])
        #expect(TriageState(merging: [low, high]).status == .resolved)
        #expect(TriageState(merging: [high, low]).status == .resolved)
        // A later lamport wins over a greater author.
        let later = try TriageEvent(
            caseKey: caseKey, lamport: 6, time: 0, change: .status(.closed), signedBy: sorted[0])
        #expect(TriageState(merging: [high, later]).status == .closed)
        // A label removed by the winning event is gone.
        let added = try event(.label("суд", present: true), lamport: 1)
        let removed = try event(.label("суд", present: false), lamport: 2, by: 1)
        #expect(TriageState(merging: [removed, added]).labels.isEmpty)
        #expect(TriageState(merging: [added]).labels == ["суд"])
        // The alias is a register like the status: the later event wins, and clearing it counts.
        let named = try event(.alias("Гульнара"), lamport: 3)
        let renamed = try event(.alias("Гульнара К."), lamport: 4, by: 2)
        let cleared = try event(.alias(nil), lamport: 5, by: 1)
        #expect(TriageState(merging: [renamed, named]).alias == "Гульнара К.")
        #expect(TriageState(merging: [cleared, named, renamed]).alias == nil)
        #expect(TriageState().alias == nil)
    }
}
