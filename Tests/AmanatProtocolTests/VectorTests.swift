// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocolVectors
import Foundation
import Testing

@testable import AmanatProtocol

@Suite("Protocol/vectors")
struct VectorTests {
    @Test("every committed vector file is what the code computes now")
    func filesAreCurrent() throws {
        let files = try VectorFiles.generate(reusingFrom: vectorDirectory)
        let committed = try FileManager.default.contentsOfDirectory(atPath: vectorDirectory.path).filter {
            $0.hasSuffix(".json")
        }
        #expect(Set(committed) == Set(files.keys), "run `swift run amanat-vectors` and commit the result")
        for (name, data) in files {
            let onDisk = try Data(contentsOf: vectorDirectory.appendingPathComponent(name))
            #expect(onDisk == data, "\(name) differs from the code's output: run `swift run amanat-vectors`")
        }
    }

    @Test("local-state.json: each ratchet state decodes, encodes to the same bytes, and opens its next message")
    func localStates() throws {
        let file = try loadVector("local-state", as: LocalStateVectors.self)
        #expect(file.states.count == 2)
        for vector in file.states {
            let encoded = try #require([UInt8](hex: vector.encoded))
            var session = try RatchetSession(serialized: SecureBytes(copying: encoded))
            #expect(session.serialized().withUnsafeBytes { Array($0) } == encoded, "\(vector.comment)")
            #expect(
                try session.decrypt(try #require([UInt8](hex: vector.thenOpens)), now: 1_800_000_240)
                    == [UInt8](hex: vector.plaintext), "\(vector.comment)")
            // A state cut short is refused, never half read.
            var truncated = encoded
            truncated.removeLast()
            #expect(throws: ProtocolError.self) { try RatchetSession(serialized: SecureBytes(copying: truncated)) }
        }
    }

    @Test("the transcript replays event by event from its seeds and recorded encapsulations")
    func transcriptReplay() throws {
        let file = try loadVector("ratchet-transcript", as: TranscriptVectors.self)
        let configuration = RatchetConfiguration(
            maximumSkippedKeys: file.configuration.maximumSkippedKeys,
            skippedKeyLifetime: file.configuration.skippedKeyLifetime,
            postQuantumRefreshMessages: file.configuration.postQuantumRefreshMessages,
            postQuantumRefreshInterval: file.configuration.postQuantumRefreshInterval)
        let sends = file.events.filter { $0.action == "send" }
        #expect(sends.count == 20)
        #expect(sends.filter { $0.postQuantumRefresh == true }.count >= 3)
        #expect(file.events.contains { $0.error == "duplicateMessage" })
        // What a second implementation does: rebuild both devices from their seeds, replay the
        // X-Wing encapsulations in call order, send and compare bytes, receive the recorded bytes.
        let alice = VectorDevice("alice")
        let bob = VectorDevice("bob")
        #expect(alice.secrets == file.initiator && bob.secrets == file.responder)
        var aliceEntropy = SeededEntropy(seed: try #require([UInt8](hex: file.initiatorEntropySeed)))
        var bobEntropy = SeededEntropy(seed: try #require([UInt8](hex: file.responderEntropySeed)))
        var encapsulator = ReplayingEncapsulator(file.encapsulations)
        let start = try #require(file.events.first).time - 60
        var aliceSession = try Handshake.initiate(
            from: alice.identity, to: bob.bundle(withOneTimePrekeys: true), now: start, configuration: configuration,
            entropy: &aliceEntropy, encapsulator: &encapsulator)
        var bobSession: RatchetSession?
        var recorded: [String: TranscriptVectors.Event] = [:]
        for event in file.events {
            let text = Array(event.plaintext.utf8)
            if event.action == "send" {
                let message: SessionMessage
                if event.party == "alice" {
                    message = try aliceSession.encrypt(
                        text, now: event.time, entropy: &aliceEntropy, encapsulator: &encapsulator)
                } else {
                    var session = try #require(bobSession)
                    message = try session.encrypt(
                        text, now: event.time, entropy: &bobEntropy, encapsulator: &encapsulator)
                    bobSession = session
                }
                #expect(message.bytes.hex == event.message, "\(event.label)")
                recorded[event.label] = event
                continue
            }
            let send = try #require(recorded[event.label])
            let bytes = try #require([UInt8](hex: send.message ?? ""))
            do throws(ProtocolError) {
                let plaintext: [UInt8]
                if event.party == "alice" {
                    plaintext = try aliceSession.decrypt(bytes, now: event.time)
                } else if var session = bobSession {
                    plaintext = try session.decrypt(
                        send.kind == "initial" ? InitialMessage(decoding: bytes).ratchetMessage : bytes, now: event.time
                    )
                    bobSession = session
                } else {
                    let answer = try bob.respond(to: bytes, now: event.time, configuration: configuration)
                    bobSession = answer.session
                    plaintext = answer.plaintext
                }
                #expect(event.error == nil && plaintext == text, "\(event.label)")
            } catch {
                #expect(event.error == errorName(error), "\(event.label)")
            }
        }
        #expect(encapsulator.recorded == file.encapsulations)
    }

    @Test("sealed envelope vectors open to their recorded contents")
    func envelopesOpen() throws {
        let file = try loadVector("sealed-envelopes", as: EnvelopeVectors.self)
        let key = try XWing.PrivateKey(
            seed: SecureBytes(copying: try #require([UInt8](hex: file.recipientSealingKeySeed))))
        let mailbox = try #require(MailboxID(hex: file.mailbox))
        #expect(file.tests.map(\.bucket) == [2048, 16_384, 65_536])
        for vector in file.tests {
            let envelope = try #require([UInt8](hex: vector.envelope))
            #expect(try SealedEnvelope.bucket(of: envelope).rawValue == vector.bucket)
            let opened = try SealedEnvelope.open(envelope, with: key, mailbox: mailbox)
            #expect(Int(opened.kind.rawValue) == vector.contentType)
            #expect(opened.certificate.encoded.hex == file.senderCertificate)
            #expect(opened.message.bytes.hex == vector.sessionMessage)
        }
    }

    @Test("handshake vectors: the responder derives the same session from the initial message")
    func handshakeResponder() throws {
        let file = try loadVector("handshake", as: HandshakeVectors.self)
        #expect(file.tests.count == 2)
        for vector in file.tests {
            let bob = VectorDevice("bob")
            let answer = try bob.respond(
                to: try #require([UInt8](hex: vector.initialMessage)), now: vector.now, configuration: .standard)
            #expect(answer.plaintext.hex == vector.plaintext)
            #expect(answer.session.associatedData.hex == vector.associatedData)
        }
    }

    @Test("bundle, payload, safety-number and relay vectors decode and verify as recorded")
    func decodingVectors() throws {
        let bundles = try loadVector("prekey-bundles", as: PrekeyBundleVectors.self)
        for vector in bundles.tests {
            var result = "valid"
            do {
                try PrekeyBundle(decoding: try #require([UInt8](hex: vector.encoded))).verify(now: vector.now)
            } catch let error as ProtocolError {
                result = errorName(error)
            }
            #expect(result == vector.result, "\(vector.comment)")
        }
        let payloads = try loadVector("payloads", as: PayloadVectors.self)
        for vector in payloads.tests {
            let payload = try Payload(decoding: try #require([UInt8](hex: vector.encoded)))
            #expect(PayloadDescription(payload) == vector.payload, "\(vector.comment)")
        }
        for vector in payloads.invalid {
            let error = #expect(throws: ProtocolError.self) { try Payload(decoding: [UInt8](hex: vector.encoded)!) }
            #expect(error.map(errorName) == vector.error, "\(vector.comment)")
        }
        let numbers = try loadVector("safety-numbers", as: SafetyNumberVectors.self)
        for vector in numbers.tests {
            let number = SafetyNumber(
                local: try IdentityKey(decoding: [UInt8](hex: vector.local)!),
                remote: try IdentityKey(decoding: [UInt8](hex: vector.remote)!))
            #expect(number.digits == vector.digits && number.qrPayload.hex == vector.qrPayload)
        }
        let caseIDs = try loadVector("case-ids", as: CaseIDVectors.self)
        var ids: [String: CaseID] = [:]
        for vector in caseIDs.tests {
            let id = try CaseID(caseKey: try #require([UInt8](hex: vector.caseKey)))
            #expect(
                id.bytes.hex == vector.id && id.text == vector.text && id.short == vector.short, "\(vector.defender)")
            ids[vector.defender] = id
        }
        #expect(Set(ids.values.map(\.short)).count == caseIDs.tests.count)
        for vector in caseIDs.typed {
            #expect(
                ids.filter { $0.value.matches(vector.typed) }.keys.sorted() == vector.matches.sorted(),
                "\(vector.typed)")
        }
        #expect(caseIDs.typed.contains { $0.matches.isEmpty } && caseIDs.typed.contains { !$0.matches.isEmpty })
        #expect(throws: ProtocolError.malformed) { try CaseID(caseKey: [UInt8](repeating: 1, count: 31)) }
        let relay = try loadVector("relay-authorisation", as: RelayAuthorisationVectors.self)
        for vector in relay.depositTokens {
            #expect(
                DepositToken.isValid(
                    DepositTokenValue(hex: vector.token)!,
                    depositKey: SecureBytes(copying: [UInt8](hex: vector.depositKey)!),
                    mailbox: MailboxID(hex: vector.mailbox)!, digest: [UInt8](hex: vector.digest)!,
                    purpose: try #require(
                        ["envelope": .envelope, "blob": .blob, "prekeyClaim": .prekeyClaim][vector.purpose])))
        }
        #expect(Set(relay.depositTokens.map(\.purpose)) == ["envelope", "blob", "prekeyClaim"])
        #expect(relay.rosters.count == 2)
        for vector in relay.rosters {
            let roster = try SignedRoster(decoding: [UInt8](hex: vector.encoded)!)
            #expect(roster.version == vector.version && roster.content.hex == vector.content)
            try roster.verify(root: try Ed25519.PublicKey(rawRepresentation: [UInt8](hex: vector.rootPublicKey)!))
            var tampered = [UInt8](hex: vector.encoded)!
            tampered[tampered.count - 1] ^= 1
            #expect(throws: ProtocolError.authenticationFailure) {
                try SignedRoster(decoding: tampered).verify(
                    root: try Ed25519.PublicKey(rawRepresentation: [UInt8](hex: vector.rootPublicKey)!))
            }
        }
        // The signed requests use the relay's real routes, and cover every owner-signed one.
        let routes = try openAPIRoutes()
        let signedRoutes = routes.filter(\.signed).map { "\($0.method) \($0.template)" }
        var covered = Set<String>()
        for vector in relay.requestSignatures {
            let route = routes.first { $0.method == vector.method && $0.matches(vector.path) }
            #expect(route?.signed == true, "\(vector.method) \(vector.path) is not an owner-signed route")
            if let route { covered.insert("\(route.method) \(route.template)") }
            if !vector.body.isEmpty {
                #expect(
                    (try? JSONSerialization.jsonObject(with: Data([UInt8](hex: vector.body)!))) is [String: Any],
                    "\(vector.path)")
            }
        }
        #expect(covered == Set(signedRoutes), "\(Set(signedRoutes).subtracting(covered))")
        for vector in relay.requestSignatures {
            let signature = RequestSignature(
                mailbox: MailboxID(hex: vector.mailbox)!, timestamp: vector.timestamp,
                nonce: [UInt8](hex: vector.nonce)!,
                signature: [UInt8](hex: vector.signature)!)
            try signature.verify(
                method: vector.method, path: vector.path, body: [UInt8](hex: vector.body)!,
                mailboxKey: try Ed25519.PublicKey(rawRepresentation: [UInt8](hex: vector.mailboxPublicKey)!),
                now: vector.timestamp)
        }
    }

    @Test(
        "deposit receipts: signed alone and under one tree they verify, with the recorded leaf and root; altered ones do not"
    )
    func depositReceipts() throws {
        let file = try loadVector("receipts", as: ReceiptVectors.self)
        let relayKey = try Ed25519.PublicKey(rawRepresentation: [UInt8](hex: file.relayPublicKey)!)
        var outcomes: [String: Bool] = [:]
        for test in file.cases {
            let mailbox = try #require(MailboxID(hex: test.mailbox))
            let digest = try #require(EnvelopeDigest(hex: test.digest))
            let proofBytes = test.proof.map { [UInt8](hex: $0)! }
            let proof = proofBytes.flatMap(DepositReceipt.Proof.init(encoded:))
            let valid =
                (proofBytes == nil || proof != nil)
                && DepositReceipt(
                    mailbox: mailbox, digest: digest, time: test.time, signature: [UInt8](hex: test.signature)!,
                    proof: proof
                ).isValid(relayKey: relayKey)
            #expect(valid == test.valid, "\(test.comment)")
            outcomes[test.comment] = valid
            // The leaf and root, from the spec's formulas, match what was recorded; for a valid
            // receipt the relay key's signature is over that root.
            if let proofBytes, let leaf = test.leaf, let root = test.root {
                let computed = specReceiptLeaf(
                    salt: Array(proofBytes[2..<34]), mailbox: mailbox.bytes, digest: digest.bytes, time: test.time)
                #expect(computed.hex == leaf && specReceiptRoot(leaf: computed, proof: proofBytes).hex == root)
                if test.valid {
                    let input = specReceiptRootInput([UInt8](hex: root)!)
                    #expect(relayKey.isValidSignature([UInt8](hex: test.signature)!, for: input))
                }
            }
        }
        // What each case must give, whatever the generator wrote.
        for valid in [
            "signed alone", "first of three under one tree", "second of three under one tree",
            "third of three under one tree",
        ] {
            #expect(outcomes[valid] == true, "\(valid)")
        }
        #expect(outcomes.values.filter { $0 }.count == 4)
        let trees = file.cases.filter { $0.comment.hasSuffix("under one tree") }
        #expect(Set(trees.map(\.signature)).count == 1 && Set(trees.map(\.root)).count == 1)
    }

    @Test(
        "seizure orders: the valid ones verify with their fields; forged, relay-signed, misdirected and expired ones fail as recorded"
    )
    func seizureOrders() throws {
        let file = try loadVector("seizure-orders", as: SeizureOrderVectors.self)
        let root = try Ed25519.PublicKey(rawRepresentation: [UInt8](hex: file.rootPublicKey)!)
        var outcomes: [String: String] = [:]
        for test in file.cases {
            let mailbox = try #require(MailboxID(hex: test.mailbox))
            do {
                let order = try SeizureOrder(decoding: [UInt8](hex: test.encoded)!)
                try order.verify(root: root, mailbox: mailbox, now: test.now)
                #expect(
                    test.error == nil && order.issuedAt == test.issuedAt && order.expiresAt == test.expiresAt
                        && order.wipe == test.wipe, "\(test.comment)")
                #expect(order.encoded == [UInt8](hex: test.encoded)!)
                outcomes[test.comment] = order.wipe ? "wipe" : "freeze"
            } catch {
                #expect(errorName(error) == test.error, "\(test.comment)")
                outcomes[test.comment] = errorName(error)
            }
        }
        // What each case must give, whatever the generator wrote.
        #expect(outcomes["freeze and wipe"] == "wipe" && outcomes["freeze only"] == "freeze")
        #expect(outcomes["one second before it expires"] == "wipe" && outcomes["expired"] == "expired")
        for forged in [
            "signed by the relay's key", "signed by another organisation's root",
            "the order for one mailbox handed in for another", "the wipe byte changed after signing",
        ] {
            #expect(outcomes[forged] == "authenticationFailure", "\(forged)")
        }
        #expect(outcomes["format 2"] == "unsupportedVersion")
        for malformed in ["a wipe byte of 2", "truncated", "a byte too many"] {
            #expect(outcomes[malformed] == "malformed", "\(malformed)")
        }
    }

    @Test("invites decode from both forms and sealed roster content opens only under its key and version")
    func organisation() throws {
        let file = try loadVector("organisation", as: OrganisationVectors.self)
        let root = try Ed25519.PublicKey(rawRepresentation: [UInt8](hex: file.rootPublicKey)!)
        let rosterKey = SecureBytes(copying: [UInt8](hex: file.rosterKey)!)
        #expect(file.invites.filter { $0.text != nil }.count == 3)
        #expect(file.invites.filter { $0.error == "authenticationFailure" }.count == 3)
        // The expert's card as text (§16.2): the prefix, then the card in base64url.
        #expect(file.expertCardText.hasPrefix("amanat://card/") && file.expertCardText.count == 14 + 2024)
        let card = try ContactCard(
            decoding: try #require(Base64URL.decode(String(file.expertCardText.dropFirst(14)))))
        #expect(card.mailbox == MailboxID(hex: file.expertMailbox) && card.devices.count == 1)
        for vector in file.invites {
            let bytes = try #require([UInt8](hex: vector.encoded))
            if let text = vector.text {
                let invite = try Invite(decoding: bytes)
                #expect(invite.encoded == bytes && invite.text == text, "\(vector.comment)")
                #expect(try Invite(text: "  \(text)\n") == invite)
                #expect(invite.organisationRoot == root && invite.rosterKey == rosterKey)
                #expect(invite.voucher.id.hex == file.voucherId && invite.voucher.expiresAt == file.voucherExpiresAt)
                try invite.verify(now: file.voucherExpiresAt - 1)
                #expect(throws: ProtocolError.expired) { try invite.verify(now: file.voucherExpiresAt) }
                if let pin = invite.pinText { #expect(try Invite.pin(fromText: pin) == invite.pin) }
                // The version byte: 2 for one address and no bridge, 3 otherwise (§16.1).
                #expect(bytes[0] == (invite.addresses.count == 1 && invite.bridges.isEmpty ? 2 : 3))
                if bytes[0] == 3 {
                    #expect(invite.addresses.map(\.isOnion) == [true, false, false])
                    #expect(invite.addresses.dropFirst().allSatisfy { $0.pin?.count == 32 })
                    #expect(invite.bridges.count == 1 && invite.bridges[0].hasPrefix("obfs4 "))
                }
                #expect(invite.checkCode == vector.checkCode && vector.checkCode?.count == 9)
            } else {
                let error = #expect(throws: ProtocolError.self, "\(vector.comment)") {
                    try Invite(decoding: bytes).verify(now: 1_800_000_000)
                }
                #expect(error.map(errorName) == vector.error, "\(vector.comment)")
            }
        }
        #expect(throws: ProtocolError.malformed) { try Invite(text: "amanat://invite/!!") }
        #expect(throws: ProtocolError.malformed) { try Invite(text: "https://example.org") }
        #expect(file.rosters.filter { $0.plaintext != nil }.count == 1)
        for vector in file.rosters {
            let roster = try SignedRoster(decoding: [UInt8](hex: vector.signedRoster)!)
            try roster.verify(root: root)
            if vector.plaintext != nil {
                let content = try RosterContent(opening: roster, rosterKey: rosterKey)
                let entry = try #require(content.entries.first)
                #expect(entry.name == "Expert Айгерим" && entry.card.mailbox.hex == file.expertMailbox)
                try entry.certificate.verify(now: file.voucherExpiresAt - 1, organisationRoot: root)
                #expect(entry.certificate.sender == entry.card.devices.first?.identity)
                #expect(
                    entry.card.devices.first?.identity
                        == VectorDevice("expert").bundle(withOneTimePrekeys: false).identity)
                // Sealing again with the recorded nonce gives the same content.
                var entropy = SeededEntropy(seed: [UInt8](hex: file.rosterNonceSeed)!)
                #expect(
                    try content.sealed(version: roster.version, rosterKey: rosterKey, entropy: &entropy)
                        == roster.content)
                #expect(throws: ProtocolError.authenticationFailure) {
                    try RosterContent(opening: roster, rosterKey: SecureBytes.random(count: 32))
                }
            } else {
                let error = #expect(throws: ProtocolError.self, "\(vector.comment)") {
                    try RosterContent(opening: roster, rosterKey: rosterKey)
                }
                #expect(error.map(errorName) == vector.error, "\(vector.comment)")
            }
        }
    }

    @Test("prekey directory entries seal from their seeds and open to the recorded bundles")
    func prekeyDirectory() throws {
        let file = try loadVector("prekey-directory", as: PrekeyDirectoryVectors.self)
        let key = SecureBytes(copying: try #require([UInt8](hex: file.directoryKey)))
        let mailbox = try #require(MailboxID(hex: file.mailbox))
        let device = VectorDevice("bob")
        #expect(device.secrets == file.device)
        // Sealing again with the recorded nonces gives the same bytes.
        var entropy = SeededEntropy(seed: try #require([UInt8](hex: file.entropySeed)))
        let full = device.bundle(withOneTimePrekeys: true)
        let head = try PrekeyDirectory.sealHead(
            identity: full.identity, signedPrekey: full.signedPrekey,
            lastResortPrekey: device.bundle(withOneTimePrekeys: false).postQuantumPrekey, sealingKey: full.sealingKey,
            directoryKey: key, mailbox: mailbox, entropy: &entropy)
        let oneTime = try PrekeyDirectory.sealOneTime(
            try #require(full.oneTimePrekey), directoryKey: key, mailbox: mailbox, entropy: &entropy)
        let postQuantum = try PrekeyDirectory.sealOneTime(
            full.postQuantumPrekey, directoryKey: key, mailbox: mailbox, entropy: &entropy)
        let first = try #require(file.tests.first)
        #expect(head.hex == first.head && oneTime.hex == first.oneTimePrekey)
        #expect(postQuantum.hex == first.oneTimePostQuantumPrekey)
        #expect(first.bundle == full.encoded.hex)
        #expect(file.tests.contains { $0.bundle == device.bundle(withOneTimePrekeys: false).encoded.hex })
        for vector in file.tests {
            let open = {
                try PrekeyDirectory.openBundle(
                    head: [UInt8](hex: vector.head)!, oneTimePrekey: vector.oneTimePrekey.flatMap { [UInt8](hex: $0) },
                    oneTimePostQuantumPrekey: vector.oneTimePostQuantumPrekey.flatMap { [UInt8](hex: $0) },
                    directoryKey: key, mailbox: mailbox)
            }
            if let bundle = vector.bundle {
                let opened = try open()
                #expect(opened.encoded.hex == bundle, "\(vector.comment)")
                try opened.verify(now: 1_800_000_000)
            } else {
                let error = #expect(throws: ProtocolError.self, "\(vector.comment)") { try open() }
                #expect(error.map(errorName) == vector.error, "\(vector.comment)")
            }
        }
        // Another mailbox or another key opens nothing.
        #expect(throws: ProtocolError.authenticationFailure) {
            try PrekeyDirectory.openBundle(
                head: head, oneTimePrekey: nil, oneTimePostQuantumPrekey: nil, directoryKey: key,
                mailbox: seed("another mailbox"))
        }
        #expect(throws: ProtocolError.authenticationFailure) {
            try PrekeyDirectory.openBundle(
                head: head, oneTimePrekey: nil, oneTimePostQuantumPrekey: nil,
                directoryKey: SecureBytes(copying: seed("another key")), mailbox: mailbox)
        }
    }
}

/// A route of `Protocol/openapi.yaml`: its method, its path template, and whether it is signed
/// by the mailbox's owner (takes the `Signature` header parameter).
struct OpenAPIRoute {
    let method: String
    let template: String
    let signed: Bool

    /// Whether `path` (without a query) fits the template, one segment per `{parameter}`.
    func matches(_ path: String) -> Bool {
        let wanted = template.split(separator: "/", omittingEmptySubsequences: false)
        let given = path.split(separator: "/", omittingEmptySubsequences: false)
        return wanted.count == given.count
            && zip(wanted, given).allSatisfy { pattern, segment in
                pattern.hasPrefix("{") ? !segment.isEmpty && !segment.contains("?") : pattern == segment
            }
    }
}

/// The routes of `Protocol/openapi.yaml` under `/v1/`, each signed when its operation takes the
/// `Signature` header parameter.
func openAPIRoutes() throws -> [OpenAPIRoute] {
    let document = try OpenAPIDocument.load()
    var routes: [OpenAPIRoute] = []
    for (path, item) in document.root["paths"] as? [String: Any] ?? [:] where path.hasPrefix("/v1/") {
        for method in ["get", "put", "post", "delete"] {
            guard let operation = (item as? [String: Any])?[method] as? [String: Any] else { continue }
            let parameters = operation["parameters"] as? [Any] ?? []
            let signed = parameters.contains {
                ($0 as? [String: Any])?["$ref"] as? String == "#/components/parameters/Signature"
            }
            routes.append(OpenAPIRoute(method: method.uppercased(), template: path, signed: signed))
        }
    }
    return routes
}
