// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocolVectors
import Testing

@testable import AmanatProtocol

/// Two devices and an unreliable network between them: messages are dropped, duplicated and
/// reordered within a window; both directions interleave.
struct Network {
    struct Packet {
        let index: Int
        let message: SessionMessage
        let isDuplicate: Bool
    }

    var schedule: ScheduleRandom
    var entropy = testEntropy(42)
    var encapsulator = SystemEncapsulator()
    let bob: TestDevice
    var aliceSession: RatchetSession
    var bobSession: RatchetSession?
    /// In flight toward Alice (0) and toward Bob (1).
    var inFlight: [[Packet]] = [[], []]
    var now = testNow
    var sent = 0
    var dropped = Set<Int>()
    var delivered = [Int: Int]()
    var duplicatesInjected = 0
    var duplicatesRejected = 0
    var unexpected: [String] = []
    /// The first bytes of every post-quantum refresh encapsulation sent, per direction.
    var refreshes = Set<[UInt8]>()
    var mostSkippedKeys = 0
    var longestQueue = 0

    static let window = 8

    init(seed: UInt64) throws {
        schedule = ScheduleRandom(seed: seed)
        let alice = TestDevice(entropy: &entropy)
        bob = TestDevice(entropy: &entropy)
        aliceSession = try Handshake.initiate(
            from: alice.identity, to: bob.bundle(), now: now, entropy: &entropy, encapsulator: &encapsulator)
    }

    static func plaintext(_ index: Int) -> [UInt8] { Array("message \(index)".utf8) }

    mutating func send(fromAlice: Bool) throws {
        let index = sent
        sent += 1
        let message: SessionMessage
        if fromAlice {
            message = try aliceSession.encrypt(
                Self.plaintext(index), now: now, entropy: &entropy, encapsulator: &encapsulator)
        } else {
            message = try bobSession!.encrypt(
                Self.plaintext(index), now: now, entropy: &entropy, encapsulator: &encapsulator)
        }
        let refresh = fromAlice ? aliceSession.sendingRefresh : bobSession?.sendingRefresh
        if let refresh { refreshes.insert(Array(refresh.ciphertext.prefix(16))) }
        mostSkippedKeys = max(mostSkippedKeys, aliceSession.skippedKeyCount, bobSession?.skippedKeyCount ?? 0)
        if Int.random(in: 0..<100, using: &schedule) < 5 {
            dropped.insert(index)
            return
        }
        inFlight[fromAlice ? 1 : 0].append(Packet(index: index, message: message, isDuplicate: false))
    }

    /// Delivers one packet toward `direction`, picked within the reordering window.
    mutating func deliver(toward direction: Int) {
        guard !inFlight[direction].isEmpty else { return }
        let pick = Int.random(in: 0..<min(Self.window, inFlight[direction].count), using: &schedule)
        let packet = inFlight[direction].remove(at: pick)
        if !packet.isDuplicate, Int.random(in: 0..<100, using: &schedule) < 5 {
            duplicatesInjected += 1
            let position = Int.random(in: 0...min(Self.window, inFlight[direction].count), using: &schedule)
            inFlight[direction].insert(
                Packet(index: packet.index, message: packet.message, isDuplicate: true), at: position)
        }
        do {
            let plaintext = try receive(packet.message, atBob: direction == 1)
            if plaintext != Self.plaintext(packet.index) {
                unexpected.append("message \(packet.index) decrypted to the wrong text")
            }
            delivered[packet.index, default: 0] += 1
        } catch let error as ProtocolError where error == .duplicateMessage && packet.isDuplicate {
            duplicatesRejected += 1
        } catch {
            unexpected.append("message \(packet.index) (duplicate: \(packet.isDuplicate)): \(error)")
        }
    }

    mutating func receive(_ message: SessionMessage, atBob: Bool) throws -> [UInt8] {
        guard atBob else { return try aliceSession.decrypt(message.bytes, now: now) }
        switch message.kind {
        case .initial:
            guard var session = bobSession else {
                let (session, plaintext) = try bob.respond(to: message.bytes, now: now)
                bobSession = session
                return plaintext
            }
            let plaintext = try session.decrypt(InitialMessage(decoding: message.bytes).ratchetMessage, now: now)
            bobSession = session
            return plaintext
        case .ratchet:
            guard var session = bobSession else { throw ProtocolError.sessionNotEstablished }
            let plaintext = try session.decrypt(message.bytes, now: now)
            bobSession = session
            return plaintext
        }
    }

    mutating func run(messages: Int) throws {
        while sent < messages {
            now += UInt64.random(in: 0...30, using: &schedule)
            let bobCanSend = bobSession?.canSend ?? false
            // Bursts in one direction, then the other, with deliveries in between.
            let fromAlice = !bobCanSend || Bool.random(using: &schedule)
            for _ in 0..<Int.random(in: 1...3, using: &schedule) where sent < messages {
                try send(fromAlice: fromAlice)
            }
            // Deliveries keep up with sends on average, so latency stays bounded.
            for _ in 0..<Int.random(in: 0...5, using: &schedule) {
                let open = (0...1).filter { !inFlight[$0].isEmpty }
                guard let direction = open.randomElement(using: &schedule) else { break }
                deliver(toward: direction)
            }
            longestQueue = max(longestQueue, inFlight[0].count, inFlight[1].count)
        }
        while !inFlight[0].isEmpty || !inFlight[1].isEmpty {
            deliver(toward: inFlight[0].isEmpty ? 1 : 0)
        }
    }
}

@Suite("Ratchet under loss, duplication and reordering")
struct RatchetSimulationTests {
    @Test("10,000 messages: each non-dropped one decrypts exactly once, duplicates are replays")
    func tenThousandMessages() throws {
        var network = try Network(seed: 20_261_125)
        try network.run(messages: 10_000)
        #expect(network.unexpected.isEmpty, "\(network.unexpected.prefix(5))")
        let expected = Set(0..<10_000).subtracting(network.dropped)
        #expect(Set(network.delivered.keys) == expected)
        #expect(network.delivered.values.allSatisfy { $0 == 1 })
        #expect(network.duplicatesRejected == network.duplicatesInjected)
        #expect(network.dropped.count > 300 && network.dropped.count < 700)
        #expect(network.duplicatesInjected > 300)
        // Post-quantum refreshes happened on schedule (about one per 50 messages on each side),
        // and drops left skipped keys that stayed under the cap.
        #expect(network.refreshes.count > 100, "\(network.refreshes.count) refreshes")
        #expect(
            network.mostSkippedKeys > 10 && network.mostSkippedKeys <= 1000, "\(network.mostSkippedKeys) skipped keys")
        #expect(network.longestQueue < 100)
        print(
            "simulation:", network.dropped.count, "dropped,", network.duplicatesInjected, "duplicates,",
            network.refreshes.count, "PQ refreshes, at most", network.mostSkippedKeys, "skipped keys, longest queue",
            network.longestQueue)
    }
}
