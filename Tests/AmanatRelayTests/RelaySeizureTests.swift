// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AmanatRelay

/// Seizure orders at the relay (SPEC.md §8.8; issue #20): only the organisation root freezes a
/// mailbox, and a frozen mailbox tells only its key holder why.
@Suite("Relay: seizure orders")
struct RelaySeizureTests {
    func order(
        _ harness: RelayHarness, _ owner: RelayHarness.Owner, issuedAt: UInt64? = nil, expiresAt: UInt64? = nil,
        signedBy signer: Ed25519.PrivateKey? = nil, wipe: Bool = true
    ) -> [UInt8] {
        let issued = issuedAt ?? harness.now - 60
        return SeizureOrder(
            mailbox: owner.id, issuedAt: issued, expiresAt: expiresAt ?? issued + 86_400, wipe: wipe,
            signedBy: signer ?? harness.root
        ).encoded
    }

    func hand(
        _ order: [UInt8], to owner: RelayHarness.Owner, _ client: any TestClientProtocol,
        _ check: @escaping @Sendable (TestResponse) throws -> Void
    ) async throws {
        let body = RelayHarness.json(["order": Base64URL.encode(order)])
        try await client.execute(uri: owner.path + "/seizure", method: .put, body: body) { try check($0) }
    }

    @Test(
        "a forged, relay-signed, misdirected or expired order is refused and freezes nothing; a root-signed one freezes once"
    )
    func forgedOrders() async throws {
        let harness = try RelayHarness()
        try await harness.test { client in
            let owner = RelayHarness.Owner()
            let other = RelayHarness.Owner()
            try await harness.create(owner, client)
            try await harness.create(other, client)
            let refused: [(String, [UInt8], String)] = [
                ("another key", order(harness, owner, signedBy: Ed25519.PrivateKey()), "invalid_order"),
                ("the relay's own key", order(harness, owner, signedBy: harness.relayKey), "invalid_order"),
                ("the order for another mailbox", order(harness, other), "invalid_order"),
                (
                    "expired", order(harness, owner, issuedAt: harness.now - 7200, expiresAt: harness.now),
                    "expired_order"
                ),
            ]
            for (name, bytes, code) in refused {
                try await hand(bytes, to: owner, client) { response in
                    #expect(response.status == .forbidden && errorCode(response) == code, "\(name)")
                }
            }
            var changed = order(harness, owner, wipe: false)
            changed[1 + 32 + 8 + 8] = 1
            try await hand(changed, to: owner, client) { response in
                #expect(response.status == .forbidden && errorCode(response) == "invalid_order")
            }
            for body in [RelayHarness.json(["order": "AAAA"]), ByteBuffer(string: "{")] {
                try await client.execute(uri: owner.path + "/seizure", method: .put, body: body) { response in
                    #expect(response.status == .badRequest)
                }
            }
            // None of that froze anything: the owner still fetches.
            let fetchPath = owner.path + "/fetch"
            let fetchBody = RelayHarness.json(["after": 0, "limit": 10])
            try await client.execute(
                uri: fetchPath, method: .post, headers: harness.signed(owner, .post, fetchPath, fetchBody),
                body: fetchBody
            ) { #expect($0.status == .ok) }
            // The root's order for a mailbox that does not exist.
            let nobody = RelayHarness.Owner()
            try await hand(order(harness, nobody), to: nobody, client) { response in
                #expect(response.status == .notFound && errorCode(response) == "unknown_mailbox")
            }
        }
    }

    @Test(
        "a frozen mailbox: what waited is gone, contacts are shut out, and every owner request gets the order; others learn nothing"
    )
    func frozenMailbox() async throws {
        let harness = try RelayHarness()
        try await harness.test { client in
            let owner = RelayHarness.Owner()
            try await harness.create(owner, client)
            for _ in 0..<3 {
                let envelope = RelayHarness.envelope()
                try await harness.deposit(envelope, into: owner, client)
            }
            let first = order(harness, owner)
            try await hand(first, to: owner, client) { response in
                let answer = try? JSONDecoder().decode(
                    RelayAPI.SeizureResponse.self, from: Data(response.body.readableBytesView))
                #expect(response.status == .ok && answer == RelayAPI.SeizureResponse(frozen: true))
            }
            // Handing in another valid order changes nothing: the first one stays.
            try await hand(order(harness, owner, issuedAt: harness.now, wipe: false), to: owner, client) {
                #expect($0.status == .ok)
            }
            // The mailbox is empty for the store; its owner's requests are refused with the order.
            let mailbox = owner.id
            #expect(try await harness.relay.store.fetch(from: mailbox, after: 0, limit: 10).envelopes.isEmpty)
            let requests: [(HTTPRequest.Method, String, ByteBuffer)] = [
                (.post, "/fetch", RelayHarness.json(["after": 0, "limit": 10])),
                (.post, "/ack", RelayHarness.json(["digests": [String](), "expiredUnreadSeen": 0])),
                (.post, "/wait", RelayHarness.json(["after": 0, "timeout": 1])),
                (
                    .post, "/deposit-key",
                    RelayHarness.json(["depositKey": Base64URL.encode(SecureRandom.bytes(count: 32))])
                ),
            ]
            for (method, suffix, body) in requests {
                let path = owner.path + suffix
                try await client.execute(
                    uri: path, method: method, headers: harness.signed(owner, method, path, body), body: body
                ) { response in
                    #expect(response.status == .forbidden && errorCode(response) == "mailbox_frozen", "\(suffix)")
                    let answer = try JSONDecoder().decode(
                        RelayAPI.ErrorResponse.self, from: Data(response.body.readableBytesView))
                    #expect(answer.order.flatMap(Base64URL.decode) == first, "\(suffix)")
                }
                // Without the mailbox key: the usual refusal, and no order.
                try await client.execute(
                    uri: path, method: method,
                    headers: harness.signed(owner, method, path, body, key: Ed25519.PrivateKey()), body: body
                ) { response in
                    #expect(response.status == .unauthorized && errorCode(response) == "bad_signature", "\(suffix)")
                    #expect(!String(buffer: response.body).contains("order"))
                }
            }
            // A contact with the deposit key it had is refused, for envelopes and prekey claims alike.
            let late = RelayHarness.envelope()
            try await client.execute(
                uri: owner.path + "/envelopes", method: .put, headers: harness.depositHeaders(owner, late),
                body: ByteBuffer(bytes: late)
            ) { response in
                #expect(response.status == .forbidden && errorCode(response) == "bad_deposit_token")
            }
            #expect(try await harness.relay.store.fetch(from: mailbox, after: 0, limit: 10).envelopes.isEmpty)
        }
    }
}
