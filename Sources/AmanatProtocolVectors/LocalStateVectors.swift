// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

// MARK: - local-state.json

/// What a device keeps, documented so other tools can read it (SPEC.md §6.7, §15): a keyslots
/// file built here from the spec's formulas (the client's code is not used, so the client's tests
/// check it against an independent build), the store's column and lookup keys with one sealed
/// value and one lookup, and two ratchet states in the §6.7 encoding.
public struct LocalStateVectors: Codable, Equatable, Sendable {
    public struct Keyslots: Codable, Equatable, Sendable {
        public let passphrase: String
        public let duressPassphrase: String
        public let argon2idOperations: UInt32
        public let argon2idMemoryKiB: UInt32
        public let storeKey: String
        public let decoyStoreKey: String
        /// Slot 0's and slot 1's salts and nonces, from seeds.
        public let salts: [String]
        public let nonces: [String]
        /// The 192-byte file.
        public let file: String
    }
    public struct Store: Codable, Equatable, Sendable {
        public let storeKey: String
        public let columnKey: String
        public let lookupKey: String
        public let place: String
        public let row: String
        public let value: String
        /// `[24] nonce ‖ AEAD(columnKey, nonce, value, lp("amanat/v1/store") ‖ lp(place) ‖ lp(row))`.
        public let sealed: String
        public let lookupKind: String
        public let lookupValue: String
        public let lookup: String
    }
    public struct State: Codable, Equatable, Sendable {
        public let comment: String
        public let party: String
        /// The §6.7 encoding.
        public let encoded: String
        /// A message this state opens next, and what it opens to.
        public let thenOpens: String
        public let plaintext: String
    }
    public let source: String
    public let keyslots: Keyslots
    public let store: Store
    public let encapsulations: [RecordedEncapsulation]
    public let states: [State]

    public static func generate(previous: LocalStateVectors?) throws -> Self {
        // Keyslots (§15), with the smallest cost libsodium allows.
        let operations: UInt32 = 1
        let kibibytes: UInt32 = 8
        let header =
            Array("AMKS".utf8) + [1, 2] + withUnsafeBytes(of: operations.bigEndian) { Array($0) }
            + withUnsafeBytes(of: kibibytes.bigEndian) { Array($0) }
        let passphrases = ["правильная лошадь батарея", "duress passphrase"]
        let storeKeys = [seed("local-state/store-key"), seed("local-state/decoy-store-key")]
        let salts = (0..<2).map { Array(seed("local-state/salt-\($0)").prefix(16)) }
        let nonces = (0..<2).map { Array(seed("local-state/nonce-\($0)").prefix(24)) }
        var file = header
        for slot in 0..<2 {
            let kek = try Argon2id.deriveKey(
                from: SecureBytes(copying: Array(passphrases[slot].utf8)), salt: salts[slot],
                cost: try Argon2id.Cost(operations: Int(operations), memoryByteCount: Int(kibibytes) * 1024))
            let sealed = try XChaCha20Poly1305.seal(
                storeKeys[slot] + [UInt8(slot)], key: kek, nonce: nonces[slot],
                associatedData: specLengthPrefixed(Array("amanat/v1/keyslot".utf8), header, [UInt8(slot)]))
            file += salts[slot] + nonces[slot] + sealed
        }

        // Store columns and lookups (§15).
        let storeKey = SecureBytes(copying: storeKeys[0])
        let columnKey = try BLAKE2b.hash(Array("amanat/v1/store/columns".utf8), key: storeKey)
        let lookupKey = try BLAKE2b.hash(Array("amanat/v1/store/lookup".utf8), key: storeKey)
        let place = "messages.record"
        let row = Array(seed("local-state/row").prefix(16))
        let value = Array(#"{"text":"Задержан у здания суда"}"#.utf8)
        let nonce = Array(seed("local-state/column-nonce").prefix(24))
        let sealed =
            nonce
            + (try XChaCha20Poly1305.seal(
                value, key: SecureBytes(copying: columnKey), nonce: nonce,
                associatedData: specLengthPrefixed(Array("amanat/v1/store".utf8), Array(place.utf8), row)))
        let lookupValue = try BLAKE2b.hash(Array("an envelope".utf8))
        let lookup = try BLAKE2b.hash(
            specLengthPrefixed(Array("envelope".utf8), lookupValue), key: SecureBytes(copying: lookupKey))

        // Ratchet states (§6.7): alice after sending two initial messages, bob after answering
        // the second first (the first's key skipped).
        let alice = VectorDevice("alice")
        let bob = VectorDevice("bob")
        var entropy = SeededEntropy(seed: seed("local-state/alice"))
        var recorder = RecordingEncapsulator()
        var replayer = ReplayingEncapsulator(previous?.encapsulations ?? [])
        var session =
            try previous == nil
            ? Handshake.initiate(
                from: alice.identity, to: bob.bundle(withOneTimePrekeys: true), now: vectorNow, entropy: &entropy,
                encapsulator: &recorder)
            : Handshake.initiate(
                from: alice.identity, to: bob.bundle(withOneTimePrekeys: true), now: vectorNow, entropy: &entropy,
                encapsulator: &replayer)
        var none = SystemEncapsulator()
        let first = try session.encrypt(Array("first".utf8), now: vectorNow, entropy: &entropy, encapsulator: &none)
        let second = try session.encrypt(
            Array("second".utf8), now: vectorNow + 60, entropy: &entropy, encapsulator: &none)
        let aliceState = session.serialized().withUnsafeBytes { Array($0) }
        let (bobSession, _) = try bob.respond(to: second.bytes, now: vectorNow + 120, configuration: .standard)
        let bobState = bobSession.serialized().withUnsafeBytes { Array($0) }
        let reply = try bobSession.encryptedCopy(Array("reply".utf8), now: vectorNow + 180)
        return Self(
            source:
                "SPEC.md §6.7 and §15; keyslots and the sealed column built from the spec's formulas with seeded salts and nonces; states from alice's handshake to bob's bundle with one-time prekeys",
            keyslots: Keyslots(
                passphrase: passphrases[0], duressPassphrase: passphrases[1], argon2idOperations: operations,
                argon2idMemoryKiB: kibibytes, storeKey: hex(storeKeys[0]), decoyStoreKey: hex(storeKeys[1]),
                salts: salts.map(hex), nonces: nonces.map(hex), file: hex(file)),
            store: Store(
                storeKey: hex(storeKeys[0]), columnKey: hex(columnKey), lookupKey: hex(lookupKey), place: place,
                row: hex(row), value: hex(value), sealed: hex(sealed), lookupKind: "envelope",
                lookupValue: hex(lookupValue), lookup: hex(lookup)),
            encapsulations: previous?.encapsulations ?? recorder.recorded,
            states: [
                State(
                    comment: "alice after sending two initial messages, awaiting bob's first reply",
                    party: "alice", encoded: hex(aliceState), thenOpens: hex(reply.bytes),
                    plaintext: hex(Array("reply".utf8))),
                State(
                    comment: "bob after answering alice's second message first: the first's key is skipped",
                    party: "bob", encoded: hex(bobState),
                    thenOpens: hex(try InitialMessage(decoding: first.bytes).ratchetMessage),
                    plaintext: hex(Array("first".utf8))),
            ])
    }
}

extension RatchetSession {
    /// A message encrypted on a copy of the session (the session itself unchanged), with
    /// entropy from a fixed seed, so a vector can give what a stored state opens next.
    func encryptedCopy(_ plaintext: [UInt8], now: UInt64) throws -> SessionMessage {
        var copy = self
        var entropy = SeededEntropy(seed: seed("local-state/bob"))
        var none = SystemEncapsulator()
        return try copy.encrypt(plaintext, now: now, entropy: &entropy, encapsulator: &none)
    }
}
