// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

// MARK: - seeded-entropy.json

public struct SeededEntropyVectors: Codable, Equatable, Sendable {
    public struct Request: Codable, Equatable, Sendable {
        public let count: Int
        public let bytes: String
    }
    public struct Case: Codable, Equatable, Sendable {
        public let seed: String
        public let requests: [Request]
    }
    public struct Raw: Codable, Equatable, Sendable {
        public let seed: String
        public let count: Int
        public let bytes: String
    }
    public let source: String
    public let tests: [Case]
    public let drg: [Raw]

    public static func generate() -> Self {
        let cases: [([UInt8], [Int])] = [
            ([UInt8](repeating: 0, count: 32), [32, 32, 24]), (Array(0..<32), [1, 64, 1216, 32]),
        ]
        return Self(
            source: "SPEC.md §2.4. Request i of n bytes = ChaCha20 keystream (nonce \"LibsodiumDRG\", counter 0) "
                + "under BLAKE2b-256(seed ‖ u64(i)); first checked against CPython hashlib and pyca/cryptography",
            tests: cases.map { seedBytes, sizes in
                var entropy = SeededEntropy(seed: seedBytes)
                return Case(
                    seed: hex(seedBytes),
                    requests: sizes.map { Request(count: $0, bytes: hex(entropy.bytes(count: $0))) })
            },
            drg: [
                Raw(
                    seed: hex(Array(0..<32)), count: 80,
                    bytes: hex(try! DeterministicRandom.bytes(count: 80, seed: Array(UInt8(0)..<32))))
            ])
    }
}

// MARK: - prekey-bundles.json

public struct PrekeyBundleVectors: Codable, Equatable, Sendable {
    public struct Case: Codable, Equatable, Sendable {
        public let comment: String
        public let encoded: String
        public let now: UInt64
        /// "valid", or the error name decoding or verification gives.
        public let result: String
    }
    public let source: String
    public let device: DeviceSecrets
    public let tests: [Case]

    public static func generate() -> Self {
        let device = VectorDevice("bob")
        let now: UInt64 = 1_800_000_000
        let full = device.bundle(withOneTimePrekeys: true)
        let lastResort = device.bundle(withOneTimePrekeys: false)
        var badSignature = full.encoded
        badSignature[1 + 128 + 13 + 32 + 10] ^= 0x01
        let swapped = PrekeyBundle(
            identity: full.identity, signedPrekey: full.oneTimePrekey!, postQuantumPrekey: full.postQuantumPrekey,
            sealingKey: full.sealingKey, oneTimePrekey: full.signedPrekey)
        let expiring = PrekeyBundle(
            identity: full.identity,
            signedPrekey: device.signed(
                .signedX25519, 1, device.signedPrekey.publicKey.rawRepresentation, expiresAt: now),
            postQuantumPrekey: full.postQuantumPrekey, sealingKey: full.sealingKey, oneTimePrekey: full.oneTimePrekey)
        var otherIdentity = full.encoded
        otherIdentity.replaceSubrange(1..<129, with: VectorDevice("mallory").identity.publicKey.encoded)
        return Self(
            source: "SPEC.md §4; keys from the device seed as in VectorDevice",
            device: device.secrets,
            tests: [
                Case(
                    comment: "with one-time X25519 and X-Wing prekeys", encoded: hex(full.encoded), now: now,
                    result: "valid"),
                Case(
                    comment: "last-resort X-Wing prekey, no one-time prekey", encoded: hex(lastResort.encoded),
                    now: now, result: "valid"),
                Case(
                    comment: "a signed prekey signature byte flipped", encoded: hex(badSignature), now: now,
                    result: "authenticationFailure"),
                Case(
                    comment: "signed and one-time prekeys in each other's slots", encoded: hex(swapped.encoded),
                    now: now, result: "malformed"),
                Case(
                    comment: "signed prekey expiring exactly at now", encoded: hex(expiring.encoded), now: now,
                    result: "expired"),
                Case(
                    comment: "prekeys signed by another identity", encoded: hex(otherIdentity), now: now,
                    result: "authenticationFailure"),
                Case(
                    comment: "truncated by one byte", encoded: hex(Array(full.encoded.dropLast())), now: now,
                    result: "malformed"),
                Case(comment: "one trailing byte", encoded: hex(full.encoded + [0]), now: now, result: "malformed"),
            ])
    }
}

/// The name SPEC.md §13 gives an error, for vector files.
public func errorName(_ error: ProtocolError) -> String {
    let names: [(ProtocolError, String)] = [
        (.malformed, "malformed"), (.unsupportedVersion, "unsupportedVersion"),
        (.authenticationFailure, "authenticationFailure"), (.duplicateMessage, "duplicateMessage"),
        (.tooManySkippedMessages, "tooManySkippedMessages"), (.messageKeyExpired, "messageKeyExpired"),
        (.expired, "expired"), (.unknownPrekey, "unknownPrekey"), (.sessionNotEstablished, "sessionNotEstablished"),
        (.weakKey, "weakKey"), (.tooLarge, "tooLarge"),
    ]
    return names.first { $0.0 == error }?.1 ?? "unknown"
}

// MARK: - safety-numbers.json and relay-authorisation.json

public struct SafetyNumberVectors: Codable, Equatable, Sendable {
    public struct Case: Codable, Equatable, Sendable {
        public let local: String
        public let remote: String
        public let digits: String
        public let qrPayload: String
    }
    public let source: String
    public let tests: [Case]

    public static func generate() -> Self {
        let names = [("alice", "bob"), ("bob", "alice"), ("alice", "mallory")]
        return Self(
            source: "SPEC.md §10; identities from VectorDevice seeds",
            tests: names.map { local, remote in
                let localKey = VectorDevice(local).identity.publicKey
                let remoteKey = VectorDevice(remote).identity.publicKey
                let number = SafetyNumber(local: localKey, remote: remoteKey)
                return Case(
                    local: hex(localKey.encoded), remote: hex(remoteKey.encoded), digits: number.digits,
                    qrPayload: hex(number.qrPayload))
            })
    }
}

/// Case ids (SPEC.md §16.4): the defender's identity signing key, the full id and what people see.
public struct CaseIDVectors: Codable, Equatable, Sendable {
    public struct Case: Codable, Equatable, Sendable {
        public let defender: String
        public let caseKey: String
        public let id: String
        public let text: String
        public let short: String
    }
    /// What typed text names, among the vectors' cases: the matching defenders' names.
    public struct Typed: Codable, Equatable, Sendable {
        public let typed: String
        public let matches: [String]
    }
    public let source: String
    public let tests: [Case]
    public let typed: [Typed]

    public static func generate() -> Self {
        let names = ["alice", "mallory", "defender-1", "defender-2", "defender-3"]
        let cases = names.map { name in
            let key = VectorDevice(name).identity.publicKey.signingKey.rawRepresentation
            let id = try! CaseID(caseKey: key)
            return Case(defender: name, caseKey: hex(key), id: hex(id.bytes), text: id.text, short: id.short)
        }
        let first = cases[0].text
        let inputs = [
            cases[0].short, cases[0].short.uppercased(), String(first.prefix(4)), String(first.prefix(3)), first,
            String(first.prefix(6)).replacingOccurrences(of: "1", with: "l").replacingOccurrences(of: "0", with: "o"),
            cases[1].short.replacingOccurrences(of: "-", with: " "), "zzzz", "gulnara",
        ]
        return Self(
            source: "SPEC.md §16.4; identities from VectorDevice seeds",
            tests: cases,
            typed: inputs.map { typed in
                let ids = zip(names, cases).filter { _, item in
                    (try? CaseID(caseKey: bytes(hex: item.caseKey) ?? []))?.matches(typed) == true
                }
                return Typed(typed: typed, matches: ids.map(\.0))
            })
    }
}

public struct RelayAuthorisationVectors: Codable, Equatable, Sendable {
    public struct Token: Codable, Equatable, Sendable {
        public let purpose: String
        public let depositKey: String
        public let mailbox: String
        public let digest: String
        public let token: String
    }
    public struct Request: Codable, Equatable, Sendable {
        public let mailboxKeySeed: String
        public let mailboxPublicKey: String
        public let method: String
        public let path: String
        public let body: String
        public let timestamp: UInt64
        public let nonce: String
        public let mailbox: String
        public let signature: String
    }
    public struct Roster: Codable, Equatable, Sendable {
        public let rootSeed: String
        public let rootPublicKey: String
        public let version: UInt64
        public let content: String
        public let encoded: String
    }
    public let source: String
    public let depositTokens: [Token]
    public let requestSignatures: [Request]
    public let rosters: [Roster]

    public static func generate() -> Self {
        let key = SecureBytes(copying: seed("deposit-key"))
        let mailbox: MailboxID = seed("mailbox")
        let envelopeDigest = try! BLAKE2b.hash(Array("an envelope".utf8))
        let tokens: [(String, DepositToken.Purpose)] = [
            ("envelope", .envelope), ("blob", .blob), ("prekeyClaim", .prekeyClaim),
        ]
        let mailboxKey = try! Ed25519.PrivateKey(seed: SecureBytes(copying: seed("mailbox-key")))
        // Every owner-signed route of Protocol/openapi.yaml, with a body of the form the route takes.
        let path = "/v1/mailboxes/" + mailbox.base64URL
        let requests: [(String, String, [UInt8])] = [
            ("POST", path + "/fetch", Array(#"{"after":0,"limit":100}"#.utf8)),
            (
                "POST", path + "/ack",
                Array(#"{"digests":["\#(Base64URL.encode(envelopeDigest))"],"expiredUnreadSeen":0}"#.utf8)
            ),
            ("PUT", path + "/prekeys", Array(#"{"oneTimePrekeys":[],"oneTimePostQuantumPrekeys":[]}"#.utf8)),
            ("POST", path + "/wait", Array(#"{"after":0,"timeout":30}"#.utf8)),
            (
                "POST", path + "/deposit-key",
                Array(#"{"depositKey":"\#(Base64URL.encode(seed("new-deposit-key")))"}"#.utf8)
            ),
            ("GET", path + "/push", []),
        ]
        return Self(
            source: "SPEC.md §8.1, §8.2 and §8.7",
            depositTokens: tokens.map { name, purpose in
                Token(
                    purpose: name, depositKey: hex(key), mailbox: hex(mailbox), digest: hex(envelopeDigest),
                    token: hex(
                        try! DepositToken.make(
                            depositKey: key, mailbox: mailbox, digest: envelopeDigest, purpose: purpose)))
            },
            requestSignatures: requests.enumerated().map { index, request in
                let nonce = Array(seed("nonce-\(index)").prefix(16))
                let timestamp = 1_800_000_000 + UInt64(index)
                let signature = RequestSignature(
                    method: request.0, path: request.1, body: request.2, mailbox: mailbox, timestamp: timestamp,
                    nonce: nonce, mailboxKey: mailboxKey)
                return Request(
                    mailboxKeySeed: hex(seed("mailbox-key")),
                    mailboxPublicKey: hex(mailboxKey.publicKey.rawRepresentation),
                    method: request.0, path: request.1, body: hex(request.2), timestamp: timestamp, nonce: hex(nonce),
                    mailbox: hex(mailbox), signature: hex(signature.signature))
            },
            rosters: ([(1, []), (7, Array("sealed roster content".utf8))] as [(UInt64, [UInt8])]).map {
                version, content in
                let root = try! Ed25519.PrivateKey(seed: SecureBytes(copying: seed("organisation-root")))
                return Roster(
                    rootSeed: hex(seed("organisation-root")), rootPublicKey: hex(root.publicKey.rawRepresentation),
                    version: version, content: hex(content),
                    encoded: hex(try! SignedRoster(version: version, content: content, signedBy: root).encoded))
            })
    }
}

// MARK: - prekey-directory.json

public struct PrekeyDirectoryVectors: Codable, Equatable, Sendable {
    public struct Case: Codable, Equatable, Sendable {
        public let comment: String
        public let head: String
        public let oneTimePrekey: String?
        public let oneTimePostQuantumPrekey: String?
        /// The assembled bundle's encoding (SPEC.md §4.3), or the error name opening gives.
        public var bundle: String?
        public var error: String?
    }
    public let source: String
    public let device: DeviceSecrets
    public let directoryKey: String
    public let mailbox: String
    public let entropySeed: String
    public let tests: [Case]

    public static func generate() -> Self {
        let device = VectorDevice("bob")
        let key = SecureBytes(copying: seed("directory-key"))
        let mailbox: MailboxID = seed("mailbox")
        var entropy = SeededEntropy(seed: seed("directory-nonces"))
        let full = device.bundle(withOneTimePrekeys: true)
        let lastResort = device.bundle(withOneTimePrekeys: false).postQuantumPrekey
        let head = try! PrekeyDirectory.sealHead(
            identity: full.identity, signedPrekey: full.signedPrekey, lastResortPrekey: lastResort,
            sealingKey: full.sealingKey, directoryKey: key, mailbox: mailbox, entropy: &entropy)
        let oneTime = try! PrekeyDirectory.sealOneTime(
            full.oneTimePrekey!, directoryKey: key, mailbox: mailbox, entropy: &entropy)
        let postQuantum = try! PrekeyDirectory.sealOneTime(
            full.postQuantumPrekey, directoryKey: key, mailbox: mailbox, entropy: &entropy)
        var tampered = head
        tampered[30] ^= 0x01
        func result(_ comment: String, _ head: [UInt8], _ oneTime: [UInt8]?, _ postQuantum: [UInt8]?) -> Case {
            var test = Case(
                comment: comment, head: hex(head), oneTimePrekey: oneTime.map(hex),
                oneTimePostQuantumPrekey: postQuantum.map(hex))
            do {
                test.bundle = hex(
                    try PrekeyDirectory.openBundle(
                        head: head, oneTimePrekey: oneTime, oneTimePostQuantumPrekey: postQuantum, directoryKey: key,
                        mailbox: mailbox
                    ).encoded)
            } catch {
                test.error = errorName(error)
            }
            return test
        }
        return Self(
            source: "SPEC.md §8.6; entries sealed with nonces drawn from SeededEntropy(entropySeed) in order: "
                + "head, one-time X25519 prekey, one-time X-Wing prekey",
            device: device.secrets, directoryKey: hex(key), mailbox: hex(mailbox),
            entropySeed: hex(seed("directory-nonces")),
            tests: [
                result("head with both one-time prekeys", head, oneTime, postQuantum),
                result("head alone: the last-resort X-Wing prekey, no one-time prekey", head, nil, nil),
                result("a ciphertext byte of the head flipped", tampered, oneTime, postQuantum),
                result("the one-time entries in each other's slots", head, postQuantum, oneTime),
            ])
    }
}
