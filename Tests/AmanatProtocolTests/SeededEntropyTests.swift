// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Testing

@testable import AmanatProtocol

@Suite("Seeded entropy for vectors")
struct SeededEntropyTests {
    struct File: Decodable {
        struct Request: Decodable {
            let count: Int
            let bytes: String
        }
        struct Case: Decodable {
            let seed: String
            let requests: [Request]
        }
        struct Raw: Decodable {
            let seed: String
            let count: Int
            let bytes: String
        }
        let tests: [Case]
        let drg: [Raw]
    }

    @Test("matches an independent ChaCha20 computation, request by request")
    func vectors() throws {
        let file = try loadVector("seeded-entropy", as: File.self)
        #expect(file.tests.count == 2)
        for raw in file.drg {
            let seed = try #require([UInt8](hex: raw.seed))
            #expect(try DeterministicRandom.bytes(count: raw.count, seed: seed).hex == raw.bytes)
        }
        for vector in file.tests {
            var entropy = SeededEntropy(seed: try #require([UInt8](hex: vector.seed)))
            for request in vector.requests {
                #expect(entropy.bytes(count: request.count).hex == request.bytes)
            }
        }
    }
}
