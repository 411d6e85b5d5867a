// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// Permission to create one mailbox, signed by the organisation root key (SPEC.md §8.3):
///
///     voucherId[32] ‖ u64 expiresAt ‖ signature[64]
///     signature = Ed25519(root, lp("amanat/v1/voucher") ‖ lp(voucherId) ‖ lp(u64 expiresAt))
///
/// The relay accepts each voucher id once, before it expires. There is no open registration.
public struct Voucher: Hashable, Sendable {
    /// The encoded size in bytes.
    public static let byteCount = 32 + 8 + 64

    /// 32 random bytes naming the voucher.
    public let id: VoucherID
    /// Unix seconds after which the voucher is refused.
    public let expiresAt: UInt64
    /// The organisation root key's signature.
    public let signature: [UInt8]

    /// Issues a voucher with the organisation root key.
    public init(id: VoucherID, expiresAt: UInt64, signedBy root: Ed25519.PrivateKey) {
        self.id = id
        self.expiresAt = expiresAt
        signature = root.signature(for: Self.signatureInput(id: id, expiresAt: expiresAt))
    }

    /// Decodes a voucher; ``verify(root:now:)`` checks it.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        id = try reader.identifier()
        expiresAt = try reader.u64()
        signature = try reader.fixed(64)
        try reader.finish()
    }

    /// The encoding.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: Self.byteCount)
        writer.fixed(id.bytes)
        writer.u64(expiresAt)
        writer.fixed(signature)
        return writer.bytes
    }

    /// Checks the signature by `root` and the expiry.
    ///
    /// - Throws: ``ProtocolError/authenticationFailure`` or ``ProtocolError/expired``.
    public func verify(root: Ed25519.PublicKey, now: UInt64) throws(ProtocolError) {
        guard root.isValidSignature(signature, for: Self.signatureInput(id: id, expiresAt: expiresAt)) else {
            throw .authenticationFailure
        }
        guard now < expiresAt else { throw .expired }
    }

    static func signatureInput(id: VoucherID, expiresAt: UInt64) -> [UInt8] {
        var expiry = ByteWriter()
        expiry.u64(expiresAt)
        return lengthPrefixed(Label.voucher, id.bytes, expiry.bytes)
    }
}

/// The relay's signed statement that it stored an envelope (SPEC.md §8.4): what a sender keeps
/// as proof of submission. It comes in two forms:
///
/// - signed alone (no ``proof``):
///
///       signature = Ed25519(relayKey, lp("amanat/v1/receipt") ‖ lp(mailboxId) ‖ lp(digest) ‖ lp(u64 time))
///
/// - signed with the other deposits of its moment (§8.4.1): a leaf of a Merkle tree of depth 8
///   whose root the relay signs once; the ``proof`` carries the leaf's salt, its index and the
///   sibling hashes up to the root.
public struct DepositReceipt: Hashable, Sendable {
    /// The mailbox the envelope went to.
    public let mailbox: MailboxID
    /// The envelope's BLAKE2b-256 digest.
    public let digest: EnvelopeDigest
    /// The relay's clock when it answered, Unix seconds. It is not stored on the relay.
    public let time: UInt64
    /// The relay key's signature: over this receipt alone, or over the root its ``proof`` leads to.
    public let signature: [UInt8]
    /// Where a receipt signed with others sits in their tree; nil for one signed alone.
    public let proof: Proof?

    /// A leaf's place in a receipt tree (SPEC.md §8.4.1), encoded as
    /// `u8 version = 1 ‖ u8 index ‖ [32] salt ‖ [32] × 8 path` (290 bytes), the path from the
    /// leaf's sibling up.
    public struct Proof: Hashable, Sendable {
        /// The tree's depth: every tree has 256 slots, however many deposits it holds.
        public static let depth = 8
        /// The encoded size.
        public static let byteCount = 2 + 32 + depth * 32
        /// The version byte.
        public static let version: UInt8 = 1

        /// The leaf's slot, 0–255, drawn at random.
        public let index: UInt8
        /// 32 random bytes hashed into the leaf, so that a sibling hash tells nothing about the
        /// deposit it stands for.
        public let salt: [UInt8]
        /// The 8 sibling hashes from the leaf's level up.
        public let path: [[UInt8]]

        /// The proof in `encoded`, or nil if it is not 290 bytes of version 1.
        public init?(encoded: [UInt8]) {
            guard encoded.count == Self.byteCount, encoded[0] == Self.version else { return nil }
            index = encoded[1]
            salt = Array(encoded[2..<34])
            path = (0..<Self.depth).map { Array(encoded[34 + $0 * 32..<34 + ($0 + 1) * 32]) }
        }

        init(index: UInt8, salt: [UInt8], path: [[UInt8]]) {
            self.index = index
            self.salt = salt
            self.path = path
        }

        /// Its 290 bytes.
        public var encoded: [UInt8] {
            var bytes = [Self.version, index] + salt
            for hash in path { bytes += hash }
            return bytes
        }
    }

    /// Signs a receipt alone with the relay's key.
    public init(mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64, signedBy relayKey: Ed25519.PrivateKey) {
        self.mailbox = mailbox
        self.digest = digest
        self.time = time
        proof = nil
        signature = relayKey.signature(for: Self.signatureInput(mailbox: mailbox, digest: digest, time: time))
    }

    /// A receipt received from the relay.
    public init(mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64, signature: [UInt8], proof: Proof? = nil) {
        self.mailbox = mailbox
        self.digest = digest
        self.time = time
        self.signature = signature
        self.proof = proof
    }

    /// Receipts for up to 256 deposits under one signature (SPEC.md §8.4.1), in the order given.
    /// Each deposit gets a random slot of the 256 and a random salt; a slot no deposit took, or a
    /// subtree that holds none, is a random 32-byte value. So a receipt shows neither how many
    /// deposits shared its signature nor anything about them. `random(32)` gives the 32-byte
    /// keys of the ChaCha20 stream these come from (the system's generator; seeded only for test
    /// vectors).
    public static func signed(
        _ deposits: [(mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64)], by relayKey: Ed25519.PrivateKey,
        random: (Int) -> [UInt8] = { SecureRandom.bytes(count: $0) }
    ) -> [DepositReceipt] {
        precondition((1...1 << Proof.depth).contains(deposits.count), "1 to 256 receipts per tree")
        // The random bytes come from ChaCha20 (libsodium's `randombytes_buf_deterministic`) keyed
        // by 32 fresh bytes of `random`: one system call per tree instead of one per value, in
        // the order they are used. Enough at once for the slots, the salts and at most one
        // stand-in per level for each deposit; another key only when redrawn slots use them up.
        func expand(_ count: Int) -> [UInt8] {
            // Cannot fail: the key is 32 bytes.
            try! DeterministicRandom.bytes(count: count, seed: random(32))
        }
        var pool = expand(64 + 32 * deposits.count * (1 + Proof.depth))
        var used = 0
        func take(_ count: Int) -> [UInt8] {
            if used + count > pool.count {
                pool = expand(max(count, 256))
                used = 0
            }
            defer { used += count }
            return Array(pool[used..<used + count])
        }
        // Slots: each deposit takes a uniformly random free slot (a random byte, drawn again
        // while it names a taken slot).
        let width = 1 << Proof.depth
        var taken = [Bool](repeating: false, count: width)
        var slots: [Int] = []
        while slots.count < deposits.count {
            let slot = Int(take(1)[0])
            guard !taken[slot] else { continue }
            taken[slot] = true
            slots.append(slot)
        }
        let salts = deposits.map { _ in take(32) }
        // The tree, level by level from the leaves: `nodes[h]` holds level h's 32-byte nodes side
        // by side, `present[h]` which of them are set (a real hash or a random stand-in), which
        // is every sibling a path needs. Flat buffers and one reused input: a tree is hashed in
        // a few dozen libsodium calls with nothing allocated per node.
        var nodes = (0...Proof.depth).map { [UInt8](repeating: 0, count: (width >> $0) * 32) }
        var present = (0...Proof.depth).map { [Bool](repeating: false, count: width >> $0) }
        // A leaf's input has a fixed layout: its four fields are written into one buffer in place.
        let zeros = [UInt8](repeating: 0, count: 32)
        var leafInput = lengthPrefixed(Label.receiptLeaf, zeros, zeros, zeros, [UInt8](repeating: 0, count: 8))
        let timeAt = leafInput.count - 8
        let digestAt = timeAt - 4 - 32
        let mailboxAt = digestAt - 4 - 32
        let saltAt = mailboxAt - 4 - 32
        for (index, deposit) in deposits.enumerated() {
            var clock = ByteWriter()
            clock.u64(deposit.time)
            leafInput.replaceSubrange(saltAt..<saltAt + 32, with: salts[index])
            leafInput.replaceSubrange(mailboxAt..<mailboxAt + 32, with: deposit.mailbox.bytes)
            leafInput.replaceSubrange(digestAt..<digestAt + 32, with: deposit.digest.bytes)
            leafInput.replaceSubrange(timeAt..<timeAt + 8, with: clock.bytes)
            let slot = slots[index]
            leafInput.withUnsafeBytes { input in
                nodes[0].withUnsafeMutableBytes { leaves in
                    BLAKE2b.hash256(
                        input, into: UnsafeMutableRawBufferPointer(rebasing: leaves[slot * 32..<slot * 32 + 32]))
                }
            }
            present[0][slot] = true
        }
        var input = lengthPrefixed(Label.receiptNode, zeros, zeros)
        let leftAt = input.count - 68
        let rightAt = input.count - 32
        for height in 0..<Proof.depth {
            // In order, so that a seeded generator gives the same tree.
            for parent in 0..<(width >> (height + 1))
            where present[height][2 * parent] || present[height][2 * parent + 1] {
                for child in (2 * parent)...(2 * parent + 1) where !present[height][child] {
                    nodes[height].replaceSubrange(child * 32..<child * 32 + 32, with: take(32))
                    present[height][child] = true
                }
                input.replaceSubrange(leftAt..<leftAt + 32, with: nodes[height][parent * 64..<parent * 64 + 32])
                input.replaceSubrange(rightAt..<rightAt + 32, with: nodes[height][parent * 64 + 32..<parent * 64 + 64])
                input.withUnsafeBytes { input in
                    nodes[height + 1].withUnsafeMutableBytes { next in
                        BLAKE2b.hash256(
                            input, into: UnsafeMutableRawBufferPointer(rebasing: next[parent * 32..<parent * 32 + 32]))
                    }
                }
                present[height + 1][parent] = true
            }
        }
        let signature = relayKey.signature(for: rootSignatureInput(Array(nodes[Proof.depth][0..<32])))
        return deposits.enumerated().map { index, deposit in
            let slot = slots[index]
            let path = (0..<Proof.depth).map { height in
                let sibling = (slot >> height) ^ 1
                return Array(nodes[height][sibling * 32..<sibling * 32 + 32])
            }
            return DepositReceipt(
                mailbox: deposit.mailbox, digest: deposit.digest, time: deposit.time, signature: signature,
                proof: Proof(index: UInt8(slot), salt: salts[index], path: path))
        }
    }

    /// Whether the relay key `relayKey` signed this receipt, alone or through its tree's root.
    public func isValid(relayKey: Ed25519.PublicKey) -> Bool {
        guard let proof else {
            return relayKey.isValidSignature(
                signature, for: Self.signatureInput(mailbox: mailbox, digest: digest, time: time))
        }
        guard proof.salt.count == 32, proof.path.count == Proof.depth, proof.path.allSatisfy({ $0.count == 32 })
        else { return false }
        var hash = Self.leaf(salt: proof.salt, mailbox: mailbox, digest: digest, time: time)
        for (height, sibling) in proof.path.enumerated() {
            hash = (Int(proof.index) >> height) & 1 == 0 ? Self.node(hash, sibling) : Self.node(sibling, hash)
        }
        return relayKey.isValidSignature(signature, for: Self.rootSignatureInput(hash))
    }

    static func signatureInput(mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64) -> [UInt8] {
        var clock = ByteWriter()
        clock.u64(time)
        return lengthPrefixed(Label.receipt, mailbox.bytes, digest.bytes, clock.bytes)
    }

    /// `BLAKE2b-256(lp("amanat/v1/receipt-leaf") ‖ lp(salt) ‖ lp(mailboxId) ‖ lp(digest) ‖ lp(u64 time))`
    static func leaf(salt: [UInt8], mailbox: MailboxID, digest: EnvelopeDigest, time: UInt64) -> [UInt8] {
        var clock = ByteWriter()
        clock.u64(time)
        // Cannot fail: 32 is a valid BLAKE2b output length.
        return try! BLAKE2b.hash(lengthPrefixed(Label.receiptLeaf, salt, mailbox.bytes, digest.bytes, clock.bytes))
    }

    /// `BLAKE2b-256(lp("amanat/v1/receipt-node") ‖ lp(left) ‖ lp(right))`
    static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        try! BLAKE2b.hash(lengthPrefixed(Label.receiptNode, left, right))
    }

    /// `lp("amanat/v1/receipt-root") ‖ lp(root)`: what the relay signs for a tree.
    static func rootSignatureInput(_ root: [UInt8]) -> [UInt8] {
        lengthPrefixed(Label.receiptRoot, root)
    }
}
