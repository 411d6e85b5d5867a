// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatProtocolVectors
import Foundation
import Testing

@testable import AmanatRelay

/// Two real `amanat-relay` processes on one PostgreSQL database (issue #9), as an operator runs
/// them behind one address: each has a copy of the same data directory.
@Suite("Two relay instances on one PostgreSQL database", .serialized, .enabled(if: PostgresTestDatabase.enabled))
struct RelayInstancesTests {
    /// No rate limit or quota in the way: what is tested is the store and push.
    static let unlimited = [
        "--limit", "contactPerSecond=100000", "--limit", "contactBurst=1000000", "--limit", "mailboxEnvelopes=100000",
        "--limit", "globalPerSecond=1000000", "--limit", "globalBurst=1000000",
    ]

    @Test("deposits through A are fetched through B; a long-poll waiting on B wakes for a deposit on A")
    func sharedMailboxes() async throws {
        try await PostgresTestDatabase.withDatabase { url in
            let a = try RelayProcess()
            let b = try RelayProcess(sharing: a)
            try await a.start(["--database", url] + Self.unlimited)
            try await b.start(["--database", url] + Self.unlimited)
            defer {
                _ = a.interrupt()
                _ = b.interrupt()
            }
            let owner = try await a.createMailbox()
            let first = RelayHarness.envelope()
            #expect(try await a.deposit(first, to: owner) == 201)
            #expect(try await b.fetchAll(owner) == [SealedEnvelope.digest(of: first)])
            // The same envelope again through B: stored once, answered as stored.
            #expect(try await b.deposit(first, to: owner) == 201)
            #expect(try await a.fetchAll(owner).count == 1)

            // A long-poll on B past everything there is, then a deposit on A: B must hear of it
            // from the database, since nothing else connects the two processes.
            let page = try await b.signed(owner, "POST", owner.path + "/fetch", ["after": 0, "limit": 10])
            let last = try JSONDecoder().decode(RelayAPI.FetchResponse.self, from: Data(page.0)).envelopes.last?
                .sequence
            let waiting = Task {
                try await b.signed(owner, "POST", owner.path + "/wait", ["after": last ?? 0, "timeout": 25])
            }
            try await Task.sleep(for: .seconds(1))
            #expect(try await a.deposit(RelayHarness.envelope(), to: owner) == 201)
            let (answer, status) = try await waiting.value
            #expect(status == 200)
            #expect(String(decoding: answer, as: UTF8.self).contains(#""new":true"#))
            #expect(a.interrupt() == 0 && b.interrupt() == 0)
        }
    }

    @Test("A killed with SIGKILL during 1,000 concurrent deposits: none it answered 201 is lost, B takes the rest")
    func killDuringDeposits() async throws {
        try await PostgresTestDatabase.withDatabase { url in
            let a = try RelayProcess()
            let b = try RelayProcess(sharing: a)
            try await a.start(["--database", url] + Self.unlimited)
            try await b.start(["--database", url] + Self.unlimited)
            defer { _ = b.interrupt() }
            let owner = try await a.createMailbox()
            let envelopes = (0..<1000).map { _ in RelayHarness.envelope() }
            // Sixteen depositors (each with every sixteenth envelope), through A while it answers and through B
            // after (a load balancer's failover); A dies under them after 150-450 ms.
            var generator = ScheduleRandom(seed: 20_261_126)
            let killAfter = Duration.milliseconds(Int64(generator.next() % 300 + 150))
            let results = await withTaskGroup(of: (throughA: [[UInt8]], throughB: Int, failed: Int).self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        var throughA: [[UInt8]] = []
                        var throughB = 0
                        var failed = 0
                        var useB = false
                        for index in stride(from: worker, to: envelopes.count, by: 16) {
                            if !useB, let status = try? await a.deposit(envelopes[index], to: owner), status == 201 {
                                throughA.append(SealedEnvelope.digest(of: envelopes[index]))
                                continue
                            }
                            useB = true
                            if let status = try? await b.deposit(envelopes[index], to: owner), status == 201 {
                                throughB += 1
                            } else {
                                failed += 1
                            }
                        }
                        return (throughA, throughB, failed)
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: killAfter)
                    a.kill()
                    return ([], 0, 0)
                }
                return await group.reduce(into: (throughA: [[UInt8]](), throughB: 0, failed: 0)) {
                    $0.throughA += $1.throughA
                    $0.throughB += $1.throughB
                    $0.failed += $1.failed
                }
            }
            let present = try await b.fetchAll(owner)
            let answeredByA = Set(results.throughA)
            #expect(
                answeredByA.isSubset(of: present), "\(answeredByA.subtracting(present).count) answered deposits lost")
            #expect(results.failed == 0)
            #expect(present == Set(envelopes.map(SealedEnvelope.digest(of:))))
            #expect(!answeredByA.isEmpty && results.throughB > 0, "the kill did not fall during the deposits")
            print(
                "instances: A answered \(answeredByA.count) deposits with 201 before SIGKILL at \(killAfter),",
                "B took \(results.throughB); all \(present.count) of 1000 fetched through B")
        }
    }
}
