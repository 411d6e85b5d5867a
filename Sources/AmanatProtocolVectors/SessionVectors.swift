// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

let vectorNow: UInt64 = 1_800_000_000

// MARK: - handshake.json

public struct HandshakeVectors: Codable, Equatable, Sendable {
    public struct Case: Codable, Equatable, Sendable {
        public let comment: String
        public let now: UInt64
        public let initiator: DeviceSecrets
        public let initiatorEntropySeed: String
        public let responder: DeviceSecrets
        public let bundle: String
        public let encapsulation: RecordedEncapsulation
        public let ephemeralPrivateKey: String
        public let ephemeralPublicKey: String
        public let dh: [String]
        public let sharedSecret: String
        public let initiatorHeaderKey: String
        public let responderHeaderKey: String
        public let associatedData: String
        public let plaintext: String
        public let initialMessage: String
    }
    public let source: String
    public let tests: [Case]

    /// Recomputes the file; `encapsulations` replays recorded X-Wing encapsulations, or records
    /// fresh ones when nil.
    public static func generate(replaying encapsulations: [RecordedEncapsulation]?) throws -> Self {
        var tests: [Case] = []
        for (index, withOneTime) in [true, false].enumerated() {
            let alice = VectorDevice("alice")
            let bob = VectorDevice("bob")
            let bundle = bob.bundle(withOneTimePrekeys: withOneTime)
            let entropySeed = seed("handshake/\(index)/alice-session")
            var entropy = SeededEntropy(seed: entropySeed)
            var probe = entropy
            let ephemeral = try X25519.PrivateKey(rawRepresentation: SecureBytes(copying: probe.bytes(count: 32)))
            var recorder = RecordingEncapsulator()
            var replayer = ReplayingEncapsulator(encapsulations.map { [$0[index]] } ?? [])
            var session: RatchetSession
            if encapsulations == nil {
                session = try Handshake.initiate(
                    from: alice.identity, to: bundle, now: vectorNow, entropy: &entropy, encapsulator: &recorder)
            } else {
                session = try Handshake.initiate(
                    from: alice.identity, to: bundle, now: vectorNow, entropy: &entropy, encapsulator: &replayer)
            }
            let encapsulation = encapsulations?[index] ?? recorder.recorded[0]
            let plaintext = Array("Задержан у здания суда".utf8)
            var unused = SystemEncapsulator()
            let message = try session.encrypt(plaintext, now: vectorNow, entropy: &entropy, encapsulator: &unused)
            var dh = [
                try alice.identity.agreementKey.sharedSecret(with: bob.signedPrekey.publicKey),
                try ephemeral.sharedSecret(with: bob.identity.agreementKey.publicKey),
                try ephemeral.sharedSecret(with: bob.signedPrekey.publicKey),
            ]
            if withOneTime { dh.append(try ephemeral.sharedSecret(with: bob.oneTimePrekey.publicKey)) }
            let postQuantum = withOneTime ? bob.oneTimePostQuantumPrekey : bob.lastResortPrekey
            let keys = Handshake.deriveKeys(
                secrets: dh + [SecureBytes(copying: bytes(hex: encapsulation.sharedSecret) ?? [])],
                initiator: alice.identity.publicKey, responder: bob.identity.publicKey,
                signedPrekey: bob.signedPrekey.publicKey, postQuantumPrekey: postQuantum.publicKey,
                oneTimePrekey: withOneTime ? bob.oneTimePrekey.publicKey : nil, ephemeralKey: ephemeral.publicKey,
                ciphertext: bytes(hex: encapsulation.ciphertext) ?? [])
            tests.append(
                Case(
                    comment: withOneTime
                        ? "with a one-time X25519 prekey and a one-time X-Wing prekey"
                        : "no one-time prekey left: DH4 omitted, last-resort X-Wing prekey",
                    now: vectorNow, initiator: alice.secrets, initiatorEntropySeed: hex(entropySeed),
                    responder: bob.secrets, bundle: hex(bundle.encoded), encapsulation: encapsulation,
                    ephemeralPrivateKey: hex(ephemeral.rawRepresentation),
                    ephemeralPublicKey: hex(ephemeral.publicKey.rawRepresentation), dh: dh.map(hex),
                    sharedSecret: hex(keys.sharedSecret), initiatorHeaderKey: hex(keys.initiatorHeaderKey),
                    responderHeaderKey: hex(keys.responderHeaderKey),
                    associatedData: hex(
                        Handshake.sessionAssociatedData(
                            initiator: alice.identity.publicKey, responder: bob.identity.publicKey)),
                    plaintext: hex(plaintext), initialMessage: hex(message.bytes)))
        }
        return Self(
            source:
                "SPEC.md §5 and §6.1; the X-Wing encapsulation is recorded (swift-crypto cannot fix its randomness)",
            tests: tests)
    }
}

// MARK: - ratchet-transcript.json

public struct TranscriptVectors: Codable, Equatable, Sendable {
    public struct Event: Codable, Equatable, Sendable {
        public let action: String
        public let party: String
        public let label: String
        public let time: UInt64
        public let plaintext: String
        public var kind: String?
        public var message: String?
        public var postQuantumRefresh: Bool?
        public var announcesPostQuantumKey: Bool?
        public var error: String?
    }
    public struct Configuration: Codable, Equatable, Sendable {
        public let maximumSkippedKeys: Int
        public let skippedKeyLifetime: UInt64
        public let postQuantumRefreshMessages: UInt32
        public let postQuantumRefreshInterval: UInt64
    }
    public let source: String
    public let configuration: Configuration
    public let initiator: DeviceSecrets
    public let responder: DeviceSecrets
    public let initiatorEntropySeed: String
    public let responderEntropySeed: String
    /// When alice ran the handshake; each event is 60 s after the one before.
    public let handshakeTime: UInt64
    /// The bundle alice's handshake used: bob's, with both one-time prekeys (SPEC.md §4.3).
    public let bundle: String
    /// How bob routes what arrives to a session (SPEC.md §5.4).
    public let routing: String
    public let encapsulations: [RecordedEncapsulation]
    public let events: [Event]

    /// The script: "A>" sends from Alice, "B<" receives at Bob; labels name messages.
    static let script: [(String, String)] = [
        ("A>", "A1"), ("A>", "A2"), ("A>", "A3"), ("B<", "A2"), ("B<", "A1"), ("B>", "B1"), ("B>", "B2"), ("A<", "B2"),
        ("A>", "A4"), ("A>", "A5"), ("B<", "A5"), ("B<", "A3"), ("B<", "A4"), ("B<", "A4"), ("A<", "B1"), ("B>", "B3"),
        ("A<", "B3"), ("A>", "A6"), ("B<", "A6"), ("B>", "B4"), ("B>", "B5"), ("A<", "B4"), ("A<", "B5"), ("A>", "A7"),
        ("B<", "A7"), ("B>", "B6"), ("A<", "B6"), ("A>", "A8"), ("A>", "A9"), ("B<", "A9"), ("B<", "A8"), ("B>", "B7"),
        ("B>", "B8"), ("A<", "B8"), ("A<", "B7"), ("A>", "A10"), ("B<", "A10"), ("B>", "B9"), ("B>", "B10"),
        ("A<", "B10"), ("A<", "B9"),
    ]

    static let configuration = RatchetConfiguration(
        maximumSkippedKeys: 1000, skippedKeyLifetime: 30 * 86_400, postQuantumRefreshMessages: 4,
        postQuantumRefreshInterval: 7 * 86_400)

    public static func generate(replaying encapsulations: [RecordedEncapsulation]?) throws -> Self {
        var recorder = RecordingEncapsulator()
        var replayer = ReplayingEncapsulator(encapsulations ?? [])
        let result = try encapsulations == nil ? run(&recorder) : run(&replayer)
        let used = encapsulations == nil ? recorder.recorded : replayer.recorded
        let config = Self.configuration
        return Self(
            source: "SPEC.md §5-§6: 20 messages, out-of-order delivery, a replayed message, DH steps and "
                + "post-quantum refreshes (refresh every 4 messages); X-Wing encapsulations recorded in call order",
            configuration: Configuration(
                maximumSkippedKeys: config.maximumSkippedKeys, skippedKeyLifetime: config.skippedKeyLifetime,
                postQuantumRefreshMessages: config.postQuantumRefreshMessages,
                postQuantumRefreshInterval: config.postQuantumRefreshInterval),
            initiator: VectorDevice("alice").secrets, responder: VectorDevice("bob").secrets,
            initiatorEntropySeed: hex(seed("transcript/alice")), responderEntropySeed: hex(seed("transcript/bob")),
            handshakeTime: vectorNow, bundle: hex(VectorDevice("bob").bundle(withOneTimePrekeys: true).encoded),
            routing:
                "bob answers the first initial message he receives with the handshake (§5.4), which makes his "
                + "session; every later initial message (the same keys(IK_A) and EK_A) goes to that session, "
                + "which decrypts its embedded ratchet message; ratchet messages go to that session too",
            encapsulations: used, events: result)
    }

    /// Plays `script` between alice and bob: "A>"/"B>" send the labelled message, "A<"/"B<"
    /// receive it, "W" waits the label's number of seconds; every other step is 60 s after the
    /// one before.
    static func run(
        _ encapsulator: inout some XWingEncapsulator, script: [(String, String)] = script,
        configuration: RatchetConfiguration = configuration,
        seeds: (String, String) = ("transcript/alice", "transcript/bob")
    ) throws -> [Event] {
        let alice = VectorDevice("alice")
        let bob = VectorDevice("bob")
        var aliceEntropy = SeededEntropy(seed: seed(seeds.0))
        var bobEntropy = SeededEntropy(seed: seed(seeds.1))
        var time = vectorNow
        var aliceSession = try Handshake.initiate(
            from: alice.identity, to: bob.bundle(withOneTimePrekeys: true), now: time, configuration: configuration,
            entropy: &aliceEntropy, encapsulator: &encapsulator)
        var bobSession: RatchetSession?
        var sent: [String: SessionMessage] = [:]
        var events: [Event] = []
        for (action, label) in script {
            if action == "W" {
                time += UInt64(label) ?? 0
                continue
            }
            time += 60
            let text = "\(label): " + (label.hasPrefix("A") ? "update from the defender" : "reply from the expert")
            switch action {
            case "A>", "B>":
                let fromAlice = action == "A>"
                var message: SessionMessage
                var session: RatchetSession
                if fromAlice {
                    message = try aliceSession.encrypt(
                        Array(text.utf8), now: time, entropy: &aliceEntropy, encapsulator: &encapsulator)
                    session = aliceSession
                } else {
                    guard var bobs = bobSession else { throw ProtocolError.sessionNotEstablished }
                    message = try bobs.encrypt(
                        Array(text.utf8), now: time, entropy: &bobEntropy, encapsulator: &encapsulator)
                    bobSession = bobs
                    session = bobs
                }
                sent[label] = message
                events.append(
                    Event(
                        action: "send", party: fromAlice ? "alice" : "bob", label: label, time: time, plaintext: text,
                        kind: message.kind == .initial ? "initial" : "ratchet", message: hex(message.bytes),
                        postQuantumRefresh: session.isRefreshingPostQuantum,
                        announcesPostQuantumKey: session.isAnnouncingPostQuantumKey))
            default:
                guard let message = sent[label] else { throw ProtocolError.malformed }
                let atBob = action == "B<"
                var event = Event(
                    action: "receive", party: atBob ? "bob" : "alice", label: label, time: time, plaintext: text)
                do throws(ProtocolError) {
                    let plaintext: [UInt8]
                    if atBob, bobSession == nil {
                        let answer = try bob.respond(to: message.bytes, now: time, configuration: configuration)
                        bobSession = answer.session
                        plaintext = answer.plaintext
                    } else if atBob {
                        let bytes =
                            message.kind == .initial
                            ? try InitialMessage(decoding: message.bytes).ratchetMessage : message.bytes
                        plaintext = try bobSession!.decrypt(bytes, now: time)
                    } else {
                        plaintext = try aliceSession.decrypt(message.bytes, now: time)
                    }
                    guard plaintext == Array(text.utf8) else { throw ProtocolError.authenticationFailure }
                } catch {
                    event.error = errorName(error)
                }
                events.append(event)
            }
        }
        return events
    }
}

// MARK: - sealed-envelopes.json

public struct EnvelopeVectors: Codable, Equatable, Sendable {
    public struct Case: Codable, Equatable, Sendable {
        public let comment: String
        public let bucket: Int
        public let contentType: Int
        /// The plaintext the session message carries.
        public let plaintext: String
        public let sessionMessage: String
        public let envelope: String
    }
    public let source: String
    /// How the session messages were made, in order, so that they can be recomputed.
    public let steps: [String]
    public let senderEntropySeed: String
    public let recipientEntropySeed: String
    public let now: UInt64
    public let recipientSealingKeySeed: String
    public let mailbox: String
    public let senderCertificate: String
    public let encapsulations: [RecordedEncapsulation]
    public let tests: [Case]

    /// Session messages are recomputed with replayed encapsulations; envelopes, whose HPKE
    /// randomness cannot be fixed, are recorded and checked by opening. With `previous`, a
    /// recorded envelope is kept while it still opens to the recomputed message.
    public static func generate(previous: EnvelopeVectors?) throws -> Self {
        let alice = VectorDevice("alice")
        let bob = VectorDevice("bob")
        var entropy = SeededEntropy(seed: seed("envelopes/alice"))
        var bobEntropy = SeededEntropy(seed: seed("envelopes/bob"))
        var recorder = RecordingEncapsulator()
        var replayer = ReplayingEncapsulator(previous?.encapsulations ?? [])
        var session: RatchetSession
        if previous == nil {
            session = try Handshake.initiate(
                from: alice.identity, to: bob.bundle(withOneTimePrekeys: true), now: vectorNow, entropy: &entropy,
                encapsulator: &recorder)
        } else {
            session = try Handshake.initiate(
                from: alice.identity, to: bob.bundle(withOneTimePrekeys: true), now: vectorNow, entropy: &entropy,
                encapsulator: &replayer)
        }
        var none = SystemEncapsulator()
        let initial = try session.encrypt(Array("hello".utf8), now: vectorNow, entropy: &entropy, encapsulator: &none)
        var (bobSession, _) = try bob.respond(to: initial.bytes, now: vectorNow, configuration: .standard)
        let reply = try bobSession.encrypt(Array("hi".utf8), now: vectorNow, entropy: &bobEntropy, encapsulator: &none)
        _ = try session.decrypt(reply.bytes, now: vectorNow)
        let short = try session.encrypt(Array("short".utf8), now: vectorNow, entropy: &entropy, encapsulator: &none)
        let long = try session.encrypt(
            [UInt8](repeating: 0x61, count: 20_000), now: vectorNow, entropy: &entropy, encapsulator: &none)
        let certificate = SenderCertificate(selfSignedBy: alice.identity, expiresAt: VectorDevice.expiresAt)
        let mailbox: MailboxID = seed("mailbox")
        let messages: [(String, SessionMessage, [UInt8])] = [
            ("a short ratchet message: 2 KiB", short, Array("short".utf8)),
            ("an initial message: 16 KiB", initial, Array("hello".utf8)),
            ("a 20,000-byte ratchet message: 64 KiB", long, [UInt8](repeating: 0x61, count: 20_000)),
        ]
        var tests: [Case] = []
        for (index, (comment, message, plaintext)) in messages.enumerated() {
            // Keep the recorded envelope while it still carries exactly this message.
            let recorded = previous.flatMap { bytes(hex: $0.tests[index].envelope) }.flatMap { envelope in
                (try? SealedEnvelope.open(envelope, with: bob.sealingKey, mailbox: mailbox)).flatMap {
                    $0.message == message && $0.certificate == certificate ? envelope : nil
                }
            }
            let envelope =
                try recorded
                ?? SealedEnvelope.seal(
                    message, certificate: certificate, to: bob.sealingKey.publicKey, mailbox: mailbox)
            tests.append(
                Case(
                    comment: comment, bucket: envelope.count, contentType: Int(message.kind.rawValue),
                    plaintext: hex(plaintext), sessionMessage: hex(message.bytes), envelope: hex(envelope)))
        }
        return Self(
            source:
                "SPEC.md §7; envelopes recorded whole (HPKE's X-Wing encapsulation, enc = bytes 1 to 1120, cannot take fixed randomness) and checked by opening with the recipient's sealing key; session messages recomputed by the steps",
            steps: [
                "alice (senderEntropySeed) runs the handshake (§5.1) to bob's bundle with one-time prekeys at now, consuming the one recorded X-Wing encapsulation",
                "alice encrypts \"hello\": the initial message (§5.3)",
                "bob responds to it (§5.4) and encrypts \"hi\" (recipientEntropySeed); alice decrypts it",
                "alice encrypts \"short\", then 20,000 bytes of 0x61: ratchet messages (§6.4)",
                "each is sealed with alice's self-signed senderCertificate to bob's sealing key for mailbox (§7.2)",
            ],
            senderEntropySeed: hex(seed("envelopes/alice")), recipientEntropySeed: hex(seed("envelopes/bob")),
            now: vectorNow,
            recipientSealingKeySeed: hex(bob.sealingKey.seed), mailbox: hex(mailbox),
            senderCertificate: hex(certificate.encoded),
            encapsulations: previous?.encapsulations ?? recorder.recorded, tests: tests)
    }
}

// MARK: - ratchet-errors.json

/// The ratchet's error paths (SPEC.md §6.5) as short scripted sessions with small limits, each
/// played like `ratchet-transcript.json`; and a handshake to a weak key (§3, §5.1).
public struct RatchetErrorVectors: Codable, Equatable, Sendable {
    public struct Case: Codable, Equatable, Sendable {
        public let comment: String
        public let configuration: TranscriptVectors.Configuration
        public let initiatorEntropySeed: String
        public let responderEntropySeed: String
        public let handshakeTime: UInt64
        /// The script as played: "A>"/"B>" send, "A<"/"B<" receive, "W n" waits n seconds.
        public let script: [String]
        public let encapsulations: [RecordedEncapsulation]
        public let events: [TranscriptVectors.Event]
    }
    public struct WeakKey: Codable, Equatable, Sendable {
        public let comment: String
        /// Bob's bundle with its signed prekey replaced by the given point, signed by bob.
        public let bundle: String
        public let error: String
    }
    public let source: String
    public let cases: [Case]
    public let weakKeys: [WeakKey]

    static let scenarios: [(String, RatchetConfiguration, [(String, String)])] = [
        (
            "a skipped key past its lifetime: messageKeyExpired, also when the message comes again",
            RatchetConfiguration(
                maximumSkippedKeys: 5, skippedKeyLifetime: 600, postQuantumRefreshMessages: 1000,
                postQuantumRefreshInterval: 1 << 40),
            [("A>", "A1"), ("A>", "A2"), ("B<", "A2"), ("W", "700"), ("B<", "A1"), ("B<", "A1")]
        ),
        (
            "the skipped-key cap: a gap larger than the keys left fails tooManySkippedMessages and changes nothing",
            RatchetConfiguration(
                maximumSkippedKeys: 4, skippedKeyLifetime: 600, postQuantumRefreshMessages: 1000,
                postQuantumRefreshInterval: 1 << 40),
            [
                ("A>", "A1"), ("A>", "A2"), ("A>", "A3"), ("A>", "A4"), ("A>", "A5"), ("A>", "A6"), ("B<", "A6"),
                ("B<", "A4"), ("B<", "A6"), ("B<", "A1"), ("B<", "A6"),
            ]
        ),
        (
            "forgotten chains: a chain retired longer than the lifetime ago is forgotten (authenticationFailure), a recent one remembered (duplicateMessage)",
            RatchetConfiguration(
                maximumSkippedKeys: 5, skippedKeyLifetime: 600, postQuantumRefreshMessages: 1000,
                postQuantumRefreshInterval: 1 << 40),
            [
                ("A>", "A1"), ("B<", "A1"), ("B>", "B1"), ("A<", "B1"), ("A>", "A2"), ("B<", "A2"), ("W", "700"),
                ("B>", "B2"), ("A<", "B2"), ("A>", "A3"), ("B<", "A3"), ("B<", "A1"), ("B<", "A2"),
            ]
        ),
        (
            "the expired-marker budget (the maximum, the current chain counted): past it a chain loses all its markers, and its expired messages then read as duplicates",
            RatchetConfiguration(
                maximumSkippedKeys: 2, skippedKeyLifetime: 600, postQuantumRefreshMessages: 1000,
                postQuantumRefreshInterval: 1 << 40),
            [
                ("A>", "A1"), ("A>", "A2"), ("A>", "A3"), ("B<", "A3"), ("W", "700"), ("A>", "A4"), ("A>", "A5"),
                ("A>", "A6"), ("B<", "A6"), ("B<", "A1"), ("W", "700"), ("B<", "A4"), ("B<", "A1"), ("B<", "A5"),
            ]
        ),
    ]

    public static func generate(previous: RatchetErrorVectors?) throws -> Self {
        var cases: [Case] = []
        for (index, (comment, configuration, script)) in scenarios.enumerated() {
            let seeds = ("ratchet-errors/\(index)/alice", "ratchet-errors/\(index)/bob")
            let recorded = previous?.cases.first { $0.comment == comment }?.encapsulations
            var recorder = RecordingEncapsulator()
            var replayer = ReplayingEncapsulator(recorded ?? [])
            let events =
                try recorded == nil
                ? TranscriptVectors.run(&recorder, script: script, configuration: configuration, seeds: seeds)
                : TranscriptVectors.run(&replayer, script: script, configuration: configuration, seeds: seeds)
            cases.append(
                Case(
                    comment: comment,
                    configuration: TranscriptVectors.Configuration(
                        maximumSkippedKeys: configuration.maximumSkippedKeys,
                        skippedKeyLifetime: configuration.skippedKeyLifetime,
                        postQuantumRefreshMessages: configuration.postQuantumRefreshMessages,
                        postQuantumRefreshInterval: configuration.postQuantumRefreshInterval),
                    initiatorEntropySeed: hex(seed(seeds.0)), responderEntropySeed: hex(seed(seeds.1)),
                    handshakeTime: vectorNow, script: script.map { $0.0 == "W" ? "W \($0.1)" : $0.0 + " " + $0.1 },
                    encapsulations: recorded ?? recorder.recorded, events: events))
        }
        let bob = VectorDevice("bob")
        let alice = VectorDevice("alice")
        var weakKeys: [WeakKey] = []
        for (comment, point) in [
            ("a signed prekey that is the all-zero point", [UInt8](repeating: 0, count: 32)),
            ("a signed prekey of small order (the point 1)", [1] + [UInt8](repeating: 0, count: 31)),
        ] {
            let full = bob.bundle(withOneTimePrekeys: false)
            let bundle = PrekeyBundle(
                identity: full.identity,
                signedPrekey: SignedPrekey(
                    kind: .signedX25519, id: 1, expiresAt: VectorDevice.expiresAt, publicKey: point,
                    signedBy: bob.identity),
                postQuantumPrekey: full.postQuantumPrekey, sealingKey: full.sealingKey, oneTimePrekey: nil)
            var entropy = SeededEntropy(seed: seed("ratchet-errors/weak"))
            var none = SystemEncapsulator()
            var outcome = "none"
            do {
                _ = try Handshake.initiate(
                    from: alice.identity, to: bundle, now: vectorNow, entropy: &entropy, encapsulator: &none)
            } catch {
                outcome = errorName(error)
            }
            weakKeys.append(WeakKey(comment: comment, bundle: hex(bundle.encoded), error: outcome))
        }
        return Self(
            source:
                "SPEC.md §6.5 error paths, played like ratchet-transcript.json (alice initiates to bob's bundle with one-time prekeys at handshakeTime; each step 60 s after the one before, W waits); §3 weak keys in a handshake",
            cases: cases, weakKeys: weakKeys)
    }
}
