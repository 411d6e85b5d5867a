// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatProtocolVectors
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AmanatRelay

extension RelayHarness {
    /// A claim or blob-creation body (time and fresh nonce) and the deposit-token header over it.
    func fresh(
        _ owner: Owner, purpose: DepositToken.Purpose, extra: [String: Any] = [:], time: UInt64? = nil,
        nonce: [UInt8] = SecureRandom.bytes(count: 16), key: SecureBytes? = nil
    ) throws -> (HTTPFields, ByteBuffer) {
        var object = extra
        object["time"] = time ?? now
        object["nonce"] = Base64URL.encode(nonce)
        let body = try JSONSerialization.data(withJSONObject: object)
        let token = try DepositToken.make(
            depositKey: key ?? owner.depositKey, mailbox: owner.id, digest: try BLAKE2b.hash(Array(body)),
            purpose: purpose)
        return ([Relay.depositTokenHeader: token.base64URL], ByteBuffer(bytes: body))
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ response: TestResponse) throws -> Value {
        try JSONDecoder().decode(type, from: Data(response.body.readableBytesView))
    }
}

@Suite("Relay HTTP API: prekey directory, blobs, roster")
struct RelayDirectoryRouterTests {
    @Test("prekeys: sealed upload, claims pop one-time entries, counts and the low signal, every refusal")
    func prekeys() async throws {
        let harness = try RelayHarness()
        try await harness.test { client in
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            let device = VectorDevice("bob")
            let directoryKey = SecureBytes.random(count: 32)
            var entropy = SystemEntropy()
            let full = device.bundle(withOneTimePrekeys: true)
            let lastResort = device.bundle(withOneTimePrekeys: false).postQuantumPrekey
            let head = try PrekeyDirectory.sealHead(
                identity: full.identity, signedPrekey: full.signedPrekey, lastResortPrekey: lastResort,
                sealingKey: full.sealingKey, directoryKey: directoryKey, mailbox: owner.id, entropy: &entropy)
            let oneTime = try PrekeyDirectory.sealOneTime(
                try #require(full.oneTimePrekey), directoryKey: directoryKey, mailbox: owner.id, entropy: &entropy)
            let postQuantum = try PrekeyDirectory.sealOneTime(
                full.postQuantumPrekey, directoryKey: directoryKey, mailbox: owner.id, entropy: &entropy)
            let claimPath = owner.path + "/prekeys/claim"

            // Nothing published yet.
            let (noneHeaders, noneBody) = try harness.fresh(owner, purpose: .prekeyClaim)
            try await client.execute(uri: claimPath, method: .post, headers: noneHeaders, body: noneBody) {
                #expect($0.status == .notFound && errorCode($0) == "no_prekeys")
            }

            let uploadPath = owner.path + "/prekeys"
            let upload = RelayHarness.json([
                "head": Base64URL.encode(head),
                "oneTimePrekeys": [["id": 3, "entry": Base64URL.encode(oneTime)]],
                "oneTimePostQuantumPrekeys": [["id": 4, "entry": Base64URL.encode(postQuantum)]],
            ])
            try await client.execute(
                uri: uploadPath, method: .put, headers: harness.signed(owner, .put, uploadPath, upload), body: upload
            ) { response in
                #expect(response.status == .ok)
                let counts = try RelayHarness.decode(RelayAPI.PrekeyCounts.self, response)
                #expect(counts.oneTimePrekeys == 1 && counts.oneTimePostQuantumPrekeys == 1 && counts.low)
            }

            // The first claim gets the full bundle, the second the last-resort one.
            var bundles: [PrekeyBundle] = []
            for _ in 0..<2 {
                let (headers, body) = try harness.fresh(owner, purpose: .prekeyClaim)
                try await client.execute(uri: claimPath, method: .post, headers: headers, body: body) { response in
                    #expect(response.status == .ok)
                    let claim = try RelayHarness.decode(RelayAPI.PrekeyClaim.self, response)
                    bundles.append(
                        try PrekeyDirectory.openBundle(
                            head: try #require(Base64URL.decode(claim.head)),
                            oneTimePrekey: claim.oneTimePrekey.flatMap(Base64URL.decode),
                            oneTimePostQuantumPrekey: claim.oneTimePostQuantumPrekey.flatMap(Base64URL.decode),
                            directoryKey: directoryKey, mailbox: owner.id))
                }
            }
            #expect(bundles == [full, device.bundle(withOneTimePrekeys: false)])
            for bundle in bundles { try bundle.verify(now: harness.now) }

            // The owner's fetch reports the empty pools.
            let fetchPath = owner.path + "/fetch"
            let fetch = RelayHarness.json(["after": 0, "limit": 10])
            try await client.execute(
                uri: fetchPath, method: .post, headers: harness.signed(owner, .post, fetchPath, fetch), body: fetch
            ) { response in
                let page = try RelayHarness.decode(RelayAPI.FetchResponse.self, response)
                #expect(page.prekeys.oneTimePrekeys == 0 && page.prekeys.oneTimePostQuantumPrekeys == 0)
                #expect(page.prekeys.low)
            }

            // Claim refusals.
            let nonce = SecureRandom.bytes(count: 16)
            let (usedHeaders, usedBody) = try harness.fresh(owner, purpose: .prekeyClaim, nonce: nonce)
            try await client.execute(uri: claimPath, method: .post, headers: usedHeaders, body: usedBody) {
                #expect($0.status == .ok)
            }
            let stale = try harness.fresh(owner, purpose: .prekeyClaim, time: harness.now - 301)
            let wrongKey = try harness.fresh(owner, purpose: .prekeyClaim, key: SecureBytes.random(count: 32))
            let wrongPurpose = try harness.fresh(owner, purpose: .blob)
            let other = RelayHarness.Owner()
            let unknown = try harness.fresh(other, purpose: .prekeyClaim)
            let claimCases: [(String, HTTPFields, ByteBuffer, HTTPResponse.Status, String)] = [
                (claimPath, usedHeaders, usedBody, .unauthorized, "replayed_nonce"),
                (claimPath, stale.0, stale.1, .unauthorized, "stale_timestamp"),
                (claimPath, wrongKey.0, wrongKey.1, .forbidden, "bad_deposit_token"),
                (claimPath, wrongPurpose.0, wrongPurpose.1, .forbidden, "bad_deposit_token"),
                (claimPath, [:], noneBody, .forbidden, "bad_deposit_token"),
                (claimPath, noneHeaders, ByteBuffer(string: "{"), .badRequest, "malformed_json"),
                // An unknown mailbox answers like a wrong token (no existence oracle, #18).
                (other.path + "/prekeys/claim", unknown.0, unknown.1, .forbidden, "bad_deposit_token"),
            ]
            for (uri, headers, body, status, code) in claimCases {
                try await client.execute(uri: uri, method: .post, headers: headers, body: body) { response in
                    #expect(response.status == status && errorCode(response) == code, "claim: \(code)")
                }
            }

            // Upload refusals.
            let tooMany = RelayHarness.json([
                "oneTimePrekeys": (0..<201).map { ["id": $0, "entry": Base64URL.encode(oneTime)] }
            ])
            let duplicateIds = RelayHarness.json([
                "oneTimePrekeys": [0, 0].map { ["id": $0, "entry": Base64URL.encode(oneTime)] }
            ])
            let oversize = RelayHarness.json(["head": Base64URL.encode(SecureRandom.bytes(count: 4097))])
            let badBase64 = RelayHarness.json(["head": "*"])
            let uploadCases: [(ByteBuffer, HTTPFields?, HTTPResponse.Status, String)] = [
                (tooMany, nil, .badRequest, "invalid_field"),
                (duplicateIds, nil, .badRequest, "invalid_field"),
                (oversize, nil, .badRequest, "invalid_field"),
                (badBase64, nil, .badRequest, "invalid_field"),
                (ByteBuffer(string: "[]"), nil, .badRequest, "malformed_json"),
                (
                    upload, harness.signed(owner, .put, uploadPath, upload, key: Ed25519.PrivateKey()), .unauthorized,
                    "bad_signature"
                ),
                (upload, [:], .unauthorized, "bad_signature"),
            ]
            for (body, headers, status, code) in uploadCases {
                try await client.execute(
                    uri: uploadPath, method: .put, headers: headers ?? harness.signed(owner, .put, uploadPath, body),
                    body: body
                ) { response in
                    #expect(response.status == status && errorCode(response) == code, "upload: \(code)")
                }
            }
            // A full pool: 200 stored, then one more is refused as a whole.
            let fill = RelayHarness.json([
                "oneTimePrekeys": (0..<200).map { ["id": $0, "entry": Base64URL.encode(oneTime)] }
            ])
            try await client.execute(
                uri: uploadPath, method: .put, headers: harness.signed(owner, .put, uploadPath, fill), body: fill
            ) { #expect($0.status == .ok) }
            let more = RelayHarness.json(["oneTimePrekeys": [["id": 999, "entry": Base64URL.encode(oneTime)]]])
            try await client.execute(
                uri: uploadPath, method: .put, headers: harness.signed(owner, .put, uploadPath, more), body: more
            ) { #expect($0.status == .conflict && errorCode($0) == "prekeys_full") }
        }
    }

    @Test("blobs: create with a deposit token, chunked upload with resume, download count, every refusal")
    func blobs() async throws {
        var configuration = RelayHarness.Limits()
        configuration.blobChunkSize = 1000
        configuration.maximumBlobBytes = 5000
        let harness = try RelayHarness(limits: configuration)
        try await harness.test { client in
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            let createPath = owner.path + "/blobs"
            // Two recipients, each with its own confirmation key (SPEC.md §9.4).
            let keys = [SecureRandom.bytes(count: 32), SecureRandom.bytes(count: 32)]
            let (headers, body) = try harness.fresh(
                owner, purpose: .blob,
                extra: ["size": 2500, "confirmations": RelayHarness.confirmations(2, keys: keys)])
            var created: RelayAPI.CreatedBlob?
            try await client.execute(uri: createPath, method: .post, headers: headers, body: body) { response in
                #expect(response.status == .created)
                created = try RelayHarness.decode(RelayAPI.CreatedBlob.self, response)
            }
            let blob = try #require(created)
            #expect(blob.chunks == 3 && blob.chunkSize == 1000 && blob.expiresAt % 3600 == 0)
            // Until it is whole, a blob lives through its upload window (three hours) only.
            #expect(blob.expiresAt >= harness.now + 3 * 3600 && blob.expiresAt < harness.now + 4 * 3600)
            let path = "/v1/blobs/\(blob.blob)"
            let upload: HTTPFields = [Relay.uploadKeyHeader: blob.uploadKey]
            let data = SecureRandom.bytes(count: 2500)
            let chunks = [Array(data[0..<1000]), Array(data[1000..<2000]), Array(data[2000...])]

            // Chunk 0, then an "interruption": status says what is missing, and the upload resumes.
            try await client.execute(
                uri: path + "/chunks/0", method: .put, headers: upload, body: ByteBuffer(bytes: chunks[0])
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: path, method: .get) { response in
                let status = try RelayHarness.decode(RelayAPI.BlobStatus.self, response)
                #expect(status.present == [0] && !status.complete && status.chunks == 3)
            }
            try await client.execute(uri: path + "/chunks/0", method: .get) {
                #expect($0.status == .conflict && errorCode($0) == "blob_incomplete")
            }
            for index in [2, 1] {
                try await client.execute(
                    uri: path + "/chunks/\(index)", method: .put, headers: upload,
                    body: ByteBuffer(bytes: chunks[index])
                ) { #expect($0.status == .ok) }
            }
            var downloaded: [UInt8] = []
            for index in 0..<3 {
                try await client.execute(uri: path + "/chunks/\(index)", method: .get) { response in
                    #expect(response.status == .ok)
                    downloaded += Array(response.body.readableBytesView)
                }
            }
            #expect(downloaded == data)
            try await client.execute(uri: path, method: .get) { response in
                let status = try RelayHarness.decode(RelayAPI.BlobStatus.self, response)
                #expect(status.complete && status.expiresAt >= harness.now + 30 * 86_400, "whole: kept the retention")
            }

            // Refusals while the blob exists.
            let wrongKey: HTTPFields = [Relay.uploadKeyHeader: Base64URL.encode(SecureRandom.bytes(count: 32))]
            let putCases: [(String, HTTPFields, [UInt8], HTTPResponse.Status, String)] = [
                (path + "/chunks/1", wrongKey, chunks[1], .forbidden, "bad_upload_key"),
                (path + "/chunks/1", [:], chunks[1], .forbidden, "bad_upload_key"),
                (path + "/chunks/1", upload, SecureRandom.bytes(count: 1000), .conflict, "blob_complete"),
                (path + "/chunks/2", upload, chunks[1], .badRequest, "invalid_field"),
                (path + "/chunks/3", upload, chunks[2], .badRequest, "invalid_field"),
                (path + "/chunks/-1", upload, chunks[2], .badRequest, "invalid_field"),
                (path + "/chunks/0", upload, SecureRandom.bytes(count: 1001), .contentTooLarge, "body_too_large"),
                (
                    "/v1/blobs/\(Base64URL.encode(SecureRandom.bytes(count: 32)))/chunks/0", upload, chunks[0],
                    .notFound,
                    "unknown_blob"
                ),
            ]
            for (uri, headers, body, status, code) in putCases {
                try await client.execute(uri: uri, method: .put, headers: headers, body: ByteBuffer(bytes: body)) {
                    #expect($0.status == status && errorCode($0) == code, "put: \(code)")
                }
            }
            // A retried final chunk is fine.
            try await client.execute(
                uri: path + "/chunks/2", method: .put, headers: upload, body: ByteBuffer(bytes: chunks[2])
            ) { #expect($0.status == .ok) }

            // Whoever knows only the blob's id cannot count a download: no key, a malformed one, a
            // wrong one, the upload key.
            let wrongConfirmations: [HTTPFields] = [
                [:], [Relay.confirmationKeyHeader: "x"],
                [Relay.confirmationKeyHeader: Base64URL.encode(SecureRandom.bytes(count: 32))],
                [Relay.confirmationKeyHeader: blob.uploadKey],
            ]
            for headers in wrongConfirmations {
                try await client.execute(uri: path + "/downloaded", method: .post, headers: headers) {
                    #expect($0.status == .forbidden && errorCode($0) == "bad_confirmation_key")
                }
            }
            // Each recipient counts once (a repeated confirmation is a retry); the second deletes it.
            for (key, left) in [(keys[0], 1), (keys[0], 1), (keys[1], 0)] {
                try await client.execute(
                    uri: path + "/downloaded", method: .post,
                    headers: [Relay.confirmationKeyHeader: Base64URL.encode(key)]
                ) { response in
                    #expect(response.status == .ok)
                    let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
                    #expect((body as? [String: Int])?["downloadsLeft"] == left)
                }
            }
            try await client.execute(uri: path, method: .get) {
                #expect($0.status == .notFound && errorCode($0) == "unknown_blob")
            }
            try await client.execute(uri: path + "/chunks/0", method: .get) {
                #expect($0.status == .notFound && errorCode($0) == "unknown_blob")
            }

            // Creation refusals.
            let nonce = SecureRandom.bytes(count: 16)
            let first = try harness.fresh(
                owner, purpose: .blob, extra: ["size": 10, "confirmations": RelayHarness.confirmations(1)], nonce: nonce
            )
            try await client.execute(uri: createPath, method: .post, headers: first.0, body: first.1) {
                #expect($0.status == .created)
            }
            let cases: [((HTTPFields, ByteBuffer), HTTPResponse.Status, String)] = [
                (first, .unauthorized, "replayed_nonce"),
                (
                    try harness.fresh(
                        owner, purpose: .blob, extra: ["size": 5001, "confirmations": RelayHarness.confirmations(1)]),
                    .badRequest,
                    "invalid_field"
                ),
                (
                    try harness.fresh(
                        owner, purpose: .blob, extra: ["size": 0, "confirmations": RelayHarness.confirmations(1)]),
                    .badRequest,
                    "invalid_field"
                ),
                (
                    try harness.fresh(
                        owner, purpose: .blob, extra: ["size": 10, "confirmations": RelayHarness.confirmations(65)]),
                    .badRequest,
                    "invalid_field"
                ),
                (
                    try harness.fresh(
                        owner, purpose: .blob,
                        extra: ["size": 10, "confirmations": Array(RelayHarness.confirmations(2).reversed())]),
                    .badRequest, "invalid_field"
                ),
                (
                    try harness.fresh(
                        owner, purpose: .blob,
                        extra: ["size": 10, "confirmations": RelayHarness.confirmations(1, keys: [keys[0], keys[0]])]),
                    .badRequest, "invalid_field"
                ),
                (
                    try harness.fresh(owner, purpose: .blob, extra: ["size": 10, "confirmations": ["AAAA"]]),
                    .badRequest, "invalid_field"
                ),
                (
                    try harness.fresh(owner, purpose: .blob, extra: ["size": 10, "confirmations": [String]()]),
                    .badRequest, "invalid_field"
                ),
                (
                    try harness.fresh(
                        owner, purpose: .envelope, extra: ["size": 10, "confirmations": RelayHarness.confirmations(1)]),
                    .forbidden,
                    "bad_deposit_token"
                ),
                (
                    try harness.fresh(
                        owner, purpose: .blob, extra: ["size": 10, "confirmations": RelayHarness.confirmations(1)],
                        time: harness.now + 301),
                    .unauthorized, "stale_timestamp"
                ),
                (
                    try harness.fresh(owner, purpose: .blob, extra: ["confirmations": RelayHarness.confirmations(1)]),
                    .badRequest, "malformed_json"
                ),
            ]
            for ((headers, body), status, code) in cases {
                try await client.execute(uri: createPath, method: .post, headers: headers, body: body) {
                    #expect($0.status == status && errorCode($0) == code, "create: \(code)")
                }
            }
        }
    }

    @Test("roster: signed by the organisation root, versions only go up, opaque content")
    func roster() async throws {
        let harness = try RelayHarness()
        try await harness.test { client in
            try await client.execute(uri: "/v1/roster", method: .get) {
                #expect($0.status == .notFound && errorCode($0) == "no_roster")
            }
            let second = try SignedRoster(version: 2, content: SecureRandom.bytes(count: 300), signedBy: harness.root)
            try await client.execute(uri: "/v1/roster", method: .put, body: ByteBuffer(bytes: second.encoded)) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/v1/roster", method: .get) { response in
                #expect(response.status == .ok && Array(response.body.readableBytesView) == second.encoded)
            }
            let first = try SignedRoster(version: 1, content: [1, 2, 3], signedBy: harness.root)
            let forged = try SignedRoster(version: 3, content: [1, 2, 3], signedBy: Ed25519.PrivateKey())
            var tampered = try SignedRoster(version: 3, content: [1, 2, 3], signedBy: harness.root).encoded
            tampered[14] ^= 1
            let cases: [([UInt8], HTTPResponse.Status, String)] = [
                (second.encoded, .conflict, "stale_roster"),
                (first.encoded, .conflict, "stale_roster"),
                (forged.encoded, .forbidden, "bad_roster_signature"),
                (tampered, .forbidden, "bad_roster_signature"),
                (Array(second.encoded.dropLast()), .badRequest, "malformed_roster"),
                ([], .badRequest, "malformed_roster"),
                (
                    [UInt8](repeating: 0, count: SignedRoster.maximumContentByteCount + 2000), .contentTooLarge,
                    "body_too_large"
                ),
            ]
            for (body, status, code) in cases {
                try await client.execute(uri: "/v1/roster", method: .put, body: ByteBuffer(bytes: body)) {
                    #expect($0.status == status && errorCode($0) == code, "roster: \(code)")
                }
            }
            try await client.execute(uri: "/v1/roster", method: .get) { response in
                #expect(Array(response.body.readableBytesView) == second.encoded)
            }
        }
    }
}
