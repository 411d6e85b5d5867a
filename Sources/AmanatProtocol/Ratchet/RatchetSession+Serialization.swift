// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

// MARK: - Session state encoding (SPEC.md §6.7)

extension RatchetSession {
    static let stateVersion: UInt8 = 1

    /// The session's whole state, for the encrypted local store. It holds secret keys, so it
    /// comes back in secret memory and must only ever be written encrypted.
    public func serialized() -> SecureBytes {
        var writer = ByteWriter(capacity: serializedCapacity)
        writer.u8(Self.stateVersion)
        writer.u32(UInt32(clamping: configuration.maximumSkippedKeys))
        writer.u64(configuration.skippedKeyLifetime)
        writer.u32(configuration.postQuantumRefreshMessages)
        writer.u64(configuration.postQuantumRefreshInterval)
        writer.fixed(remoteIdentity.encoded)
        writer.vector16(associatedData)
        writer.fixed(rootKey)
        writer.fixed(sendingRatchetKey.rawRepresentation)
        writer.optional(receivingRatchetKey) { $0.fixed($1.rawRepresentation) }
        for key in [sendingChainKey, receivingChainKey, sendingHeaderKey, receivingHeaderKey] {
            writer.optional(key) { $0.fixed($1) }
        }
        writer.fixed(nextSendingHeaderKey)
        writer.fixed(nextReceivingHeaderKey)
        writer.u32(sendingMessageNumber)
        writer.u32(receivingMessageNumber)
        writer.u32(previousSendingChainLength)
        writer.u8(needsSendingStep ? 1 : 0)
        writer.optional(ownPostQuantumKey) {
            $0.u32($1.id)
            $0.fixed($1.privateKey.seed)
            $0.u8($1.isAcknowledged ? 1 : 0)
        }
        writer.u32(lastOwnPostQuantumKeyId)
        writer.optional(peerPostQuantumKey) {
            $0.u32($1.id)
            $0.fixed($1.publicKey.rawRepresentation)
            $0.u8($1.isConsumed ? 1 : 0)
        }
        writer.optional(sendingRefresh) {
            $0.u32($1.targetId)
            $0.fixed($1.ciphertext)
        }
        writer.u32(messagesSinceRefresh)
        writer.u64(lastRefreshAt)
        writer.u16(UInt16(receivedChains.count))
        for chain in receivedChains {
            writer.fixed(chain.headerKey)
            writer.optional(chain.retiredAt) { $0.u64($1) }
            writer.u16(UInt16(chain.skipped.count))
            for (number, key) in chain.skipped.sorted(by: { $0.key < $1.key }) {
                writer.u32(number)
                writer.fixed(key.messageKey)
                writer.u64(key.storedAt)
            }
            writer.u16(UInt16(chain.expired.count))
            for number in chain.expired.sorted() {
                writer.u32(number)
            }
        }
        writer.optional(pendingHandshake) {
            $0.fixed($1.initiatorIdentity.encoded)
            $0.fixed($1.ephemeralKey.rawRepresentation)
            $0.u32($1.signedPrekeyId)
            $0.u8($1.postQuantumPrekeyKind.rawValue)
            $0.u32($1.postQuantumPrekeyId)
            $0.optional($1.oneTimePrekeyId) { $0.u32($1) }
            $0.fixed($1.postQuantumCiphertext)
        }
        var bytes = writer.bytes
        return SecureBytes(moving: &bytes)
    }

    /// An upper bound on the encoding's size, so the writer never reallocates (and never leaves
    /// a copy of the keys behind in freed memory).
    private var serializedCapacity: Int {
        let chains = receivedChains.reduce(0) { $0 + 43 + $1.skipped.count * 44 + $1.expired.count * 4 }
        return 8192 + associatedData.count + chains
    }

    /// Restores a session from ``serialized()``.
    ///
    /// - Throws: ``ProtocolError/unsupportedVersion`` or ``ProtocolError/malformed``; never traps,
    ///   whatever the bytes.
    public init(serialized state: SecureBytes) throws(ProtocolError) {
        var bytes = state.withUnsafeBytes { Array($0) }
        defer { bytes.secureWipe() }
        try self.init(decoding: bytes)
    }

    /// Decodes in a scope of its own, so that no reader still shares `bytes` when they are wiped.
    private init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try self.init(reading: &reader)
        try reader.finish()
    }

    private init(reading reader: inout ByteReader) throws(ProtocolError) {
        try reader.version(Self.stateVersion)
        let maximumSkipped = Int(try reader.u32())
        guard maximumSkipped <= 100_000 else { throw .malformed }
        configuration = RatchetConfiguration(
            maximumSkippedKeys: maximumSkipped, skippedKeyLifetime: try reader.u64(),
            postQuantumRefreshMessages: try reader.u32(), postQuantumRefreshInterval: try reader.u64())
        remoteIdentity = try IdentityKey(reading: &reader)
        associatedData = try reader.vector16(maximum: 1024)
        rootKey = try reader.fixedSecret(32)
        sendingRatchetKey = try reader.x25519Private()
        receivingRatchetKey = try reader.optional { (reader) throws(ProtocolError) in try reader.x25519Public() }
        sendingChainKey = try reader.optional { (reader) throws(ProtocolError) in try reader.fixedSecret(32) }
        receivingChainKey = try reader.optional { (reader) throws(ProtocolError) in try reader.fixedSecret(32) }
        sendingHeaderKey = try reader.optional { (reader) throws(ProtocolError) in try reader.fixedSecret(32) }
        receivingHeaderKey = try reader.optional { (reader) throws(ProtocolError) in try reader.fixedSecret(32) }
        nextSendingHeaderKey = try reader.fixedSecret(32)
        nextReceivingHeaderKey = try reader.fixedSecret(32)
        sendingMessageNumber = try reader.u32()
        receivingMessageNumber = try reader.u32()
        previousSendingChainLength = try reader.u32()
        needsSendingStep = try reader.bool()
        ownPostQuantumKey = try reader.optional { (reader) throws(ProtocolError) in
            let id = try reader.u32()
            guard let key = try? XWing.PrivateKey(seed: try reader.fixedSecret(XWing.seedByteCount)) else {
                throw .malformed
            }
            return OwnPostQuantumKey(id: id, privateKey: key, isAcknowledged: try reader.bool())
        }
        lastOwnPostQuantumKeyId = try reader.u32()
        peerPostQuantumKey = try reader.optional { (reader) throws(ProtocolError) in
            let id = try reader.u32()
            guard let key = try? XWing.PublicKey(rawRepresentation: try reader.fixed(XWing.publicKeyByteCount)) else {
                throw .malformed
            }
            return PeerPostQuantumKey(id: id, publicKey: key, isConsumed: try reader.bool())
        }
        sendingRefresh = try reader.optional { (reader) throws(ProtocolError) in
            RatchetHeader.Refresh(
                targetId: try reader.u32(), ciphertext: try reader.fixed(XWing.encapsulationByteCount))
        }
        messagesSinceRefresh = try reader.u32()
        lastRefreshAt = try reader.u64()
        let chainCount = Int(try reader.u16())
        guard chainCount <= maximumSkipped + Self.rememberedChains + 1 else { throw .malformed }
        var chains: [ReceivedChain] = []
        var skippedTotal = 0
        for _ in 0..<chainCount {
            var chain = ReceivedChain(
                headerKey: try reader.fixedSecret(32),
                retiredAt: try reader.optional { (reader) throws(ProtocolError) in try reader.u64() })
            let skippedCount = Int(try reader.u16())
            skippedTotal += skippedCount
            guard skippedTotal <= maximumSkipped else { throw .malformed }
            // Numbers are strictly ascending, so each state has exactly one encoding.
            var previous: UInt32? = nil
            for _ in 0..<skippedCount {
                let number = try reader.u32()
                guard previous.map({ $0 < number }) ?? true else { throw .malformed }
                previous = number
                chain.skipped[number] = SkippedKey(messageKey: try reader.fixedSecret(32), storedAt: try reader.u64())
            }
            let expiredCount = Int(try reader.u16())
            guard expiredCount <= maximumSkipped else { throw .malformed }
            previous = nil
            for _ in 0..<expiredCount {
                let number = try reader.u32()
                guard previous.map({ $0 < number }) ?? true else { throw .malformed }
                previous = number
                chain.expired.insert(number)
            }
            chains.append(chain)
        }
        // Only the last chain may be current, and it is current exactly when a receiving header
        // key is set.
        guard chains.dropLast().allSatisfy({ $0.retiredAt != nil }),
            (receivingHeaderKey != nil) == (chains.last.map { $0.retiredAt == nil } ?? false)
        else { throw .malformed }
        receivedChains = chains
        pendingHandshake = try reader.optional { (reader) throws(ProtocolError) in
            let identity = try IdentityKey(reading: &reader)
            let ephemeral = try reader.x25519Public()
            let signedPrekeyId = try reader.u32()
            guard let kind = SignedPrekey.Kind(rawValue: try reader.u8()) else { throw .malformed }
            return PendingHandshake(
                initiatorIdentity: identity, ephemeralKey: ephemeral, signedPrekeyId: signedPrekeyId,
                postQuantumPrekeyKind: kind, postQuantumPrekeyId: try reader.u32(),
                oneTimePrekeyId: try reader.optional { (reader) throws(ProtocolError) in try reader.u32() },
                postQuantumCiphertext: try reader.fixed(XWing.encapsulationByteCount))
        }
    }
}

// MARK: - Optional fields: u8 present (0 or 1), then the value

extension ByteWriter {
    mutating func optional<Value>(_ value: Value?, _ write: (inout ByteWriter, Value) -> Void) {
        guard let value else {
            u8(0)
            return
        }
        u8(1)
        write(&self, value)
    }
}

extension ByteReader {
    mutating func optional<Value>(
        _ read: (inout ByteReader) throws(ProtocolError) -> Value
    ) throws(ProtocolError) -> Value? {
        try bool() ? try read(&self) : nil
    }

    mutating func x25519Public() throws(ProtocolError) -> X25519.PublicKey {
        guard let key = try? X25519.PublicKey(rawRepresentation: try fixed(X25519.keyByteCount)) else {
            throw .malformed
        }
        return key
    }

    mutating func x25519Private() throws(ProtocolError) -> X25519.PrivateKey {
        guard let key = try? X25519.PrivateKey(rawRepresentation: try fixedSecret(X25519.keyByteCount)) else {
            throw .malformed
        }
        return key
    }
}
