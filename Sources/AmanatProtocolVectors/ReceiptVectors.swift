// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

// MARK: - receipts.json

/// Deposit receipts (SPEC.md §8.4): one signed alone, three signed together under one tree
/// (§8.4.1), and altered ones that must not verify. Each tree receipt's leaf and root are
/// computed here from the spec's formulas, not by the protocol's code.
public struct ReceiptVectors: Codable, Equatable, Sendable {
    public struct Case: Codable, Equatable, Sendable {
        public let comment: String
        public let mailbox: String
        public let digest: String
        public let time: UInt64
        public let signature: String
        /// The 290-byte proof (`u8 version ‖ u8 index ‖ [32] salt ‖ [32] × 8 path`), or nil for a receipt signed
        /// alone.
        public var proof: String?
        /// For a tree receipt: its leaf hash and the root its path leads to.
        public var leaf: String?
        public var root: String?
        /// Whether it verifies under the relay key.
        public let valid: Bool
    }
    public let source: String
    /// The relay's receipt key, from this seed.
    public let relaySeed: String
    public let relayPublicKey: String
    /// The seeds of the ChaCha20 streams (`randombytes_buf_deterministic`) that `random` read
    /// from in order for the tree of three and for the tree signed by another key: a relay draws
    /// these bytes from the system instead.
    public let treeSeed: String
    public let otherTreeSeed: String
    public let cases: [Case]

    public static func generate() -> Self {
        let relay = try! Ed25519.PrivateKey(seed: SecureBytes(copying: seed("relay-key")))
        let other = try! Ed25519.PrivateKey(seed: SecureBytes(copying: seed("another-relay-key")))
        let time: UInt64 = 1_800_000_000
        let deposits: [(mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64)] = [
            (seed("defender-mailbox"), seed("envelope-1"), time),
            (seed("expert-mailbox"), seed("envelope-2"), time),
            (seed("defender-mailbox"), seed("envelope-3"), time + 1),
        ]
        // The slots, salts and stand-in hashes come from a seeded generator here; a relay draws them
        // from the system's.
        func signed(
            _ deposits: [(mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64)], by key: Ed25519.PrivateKey,
            stream name: String
        ) -> [DepositReceipt] {
            let stream = try! DeterministicRandom.bytes(count: 1 << 16, seed: seed(name))
            var offset = 0
            return DepositReceipt.signed(deposits, by: key) { count in
                defer { offset += count }
                return Array(stream[offset..<offset + count])
            }
        }
        let tree = signed(deposits, by: relay, stream: "receipt-tree")
        let alone = DepositReceipt(
            mailbox: deposits[0].mailbox, digest: deposits[0].digest, time: time, signedBy: relay)
        let byOther = signed([deposits[0]], by: other, stream: "another-receipt-tree")[0]

        func test(_ comment: String, _ receipt: DepositReceipt, proof: [UInt8]? = nil) -> Case {
            let proofBytes = proof ?? receipt.proof?.encoded
            var test = Case(
                comment: comment, mailbox: hex(receipt.mailbox.bytes), digest: hex(receipt.digest.bytes),
                time: receipt.time, signature: hex(receipt.signature), proof: proofBytes.map(hex),
                valid: {
                    guard let proofBytes else { return receipt.isValid(relayKey: relay.publicKey) }
                    guard let decoded = DepositReceipt.Proof(encoded: proofBytes) else { return false }
                    return DepositReceipt(
                        mailbox: receipt.mailbox, digest: receipt.digest, time: receipt.time,
                        signature: receipt.signature, proof: decoded
                    ).isValid(relayKey: relay.publicKey)
                }())
            if let proofBytes, proofBytes.count == DepositReceipt.Proof.byteCount {
                let leaf = specReceiptLeaf(
                    salt: Array(proofBytes[2..<34]), mailbox: receipt.mailbox.bytes, digest: receipt.digest.bytes,
                    time: receipt.time)
                test.leaf = hex(leaf)
                test.root = hex(specReceiptRoot(leaf: leaf, proof: proofBytes))
            }
            return test
        }
        var flippedPath = tree[0].proof!.encoded
        flippedPath[34 + 5 * 32] ^= 1
        var otherIndex = tree[0].proof!.encoded
        otherIndex[1] ^= 1
        var otherSalt = tree[0].proof!.encoded
        otherSalt[2] ^= 1
        let laterTime = DepositReceipt(
            mailbox: tree[1].mailbox, digest: tree[1].digest, time: tree[1].time + 1, signature: tree[1].signature,
            proof: tree[1].proof)
        let aloneWithProof = DepositReceipt(
            mailbox: alone.mailbox, digest: alone.digest, time: alone.time, signature: alone.signature,
            proof: tree[0].proof)
        return Self(
            source: "AmanatProtocolVectors.ReceiptVectors (swift run amanat-vectors)",
            relaySeed: hex(seed("relay-key")), relayPublicKey: hex(relay.publicKey.rawRepresentation),
            treeSeed: hex(seed("receipt-tree")), otherTreeSeed: hex(seed("another-receipt-tree")),
            cases: [
                test("signed alone", alone),
                test("first of three under one tree", tree[0]),
                test("second of three under one tree", tree[1]),
                test("third of three under one tree", tree[2]),
                test("a tree of one signed by another relay's key", byOther),
                test("a bit of the sixth path hash flipped", tree[0], proof: flippedPath),
                test("the index changed", tree[0], proof: otherIndex),
                test("the salt changed", tree[0], proof: otherSalt),
                test("the time one second later", laterTime),
                test("a signature made alone, presented with a proof", aloneWithProof),
                test("a proof a byte short", tree[2], proof: Array(tree[2].proof!.encoded.dropLast())),
                test("a proof of version 2", tree[2], proof: [2] + tree[2].proof!.encoded.dropFirst()),
            ])
    }
}

/// A receipt tree's leaf (SPEC.md §8.4.1), from the spec's formula:
/// `BLAKE2b-256(lp("amanat/v1/receipt-leaf") ‖ lp(salt) ‖ lp(mailboxId) ‖ lp(digest) ‖ lp(u64 time))`.
public func specReceiptLeaf(salt: [UInt8], mailbox: [UInt8], digest: [UInt8], time: UInt64) -> [UInt8] {
    let clock = withUnsafeBytes(of: time.bigEndian) { Array($0) }
    return try! BLAKE2b.hash(
        specLengthPrefixed(Array("amanat/v1/receipt-leaf".utf8), salt, mailbox, digest, clock))
}

/// The root a 290-byte proof leads `leaf` to (SPEC.md §8.4.1): at height h the node is
/// `BLAKE2b-256(lp("amanat/v1/receipt-node") ‖ lp(left) ‖ lp(right))`, the running hash on the left
/// when bit h of the index is 0.
public func specReceiptRoot(leaf: [UInt8], proof: [UInt8]) -> [UInt8] {
    var hash = leaf
    for height in 0..<8 {
        let sibling = Array(proof[34 + height * 32..<34 + (height + 1) * 32])
        let (left, right) = (Int(proof[1]) >> height) & 1 == 0 ? (hash, sibling) : (sibling, hash)
        hash = try! BLAKE2b.hash(specLengthPrefixed(Array("amanat/v1/receipt-node".utf8), left, right))
    }
    return hash
}

/// What the relay signs for a receipt tree (SPEC.md §8.4.1): `lp("amanat/v1/receipt-root") ‖ lp(root)`.
public func specReceiptRootInput(_ root: [UInt8]) -> [UInt8] {
    specLengthPrefixed(Array("amanat/v1/receipt-root".utf8), root)
}
