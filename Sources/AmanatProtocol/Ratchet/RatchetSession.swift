// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// One end of a Double Ratchet session with header encryption and post-quantum refresh
/// (SPEC.md §6), as a value: `encrypt` and `decrypt` work on a copy of the state and replace it
/// only when they succeed, so a rejected message never changes the session.
///
/// The DH ratchet step is split: receiving a new ratchet key derives the receiving chain at
/// once, and the sending half (new ratchet key pair, new sending chain, and a post-quantum
/// refresh when one is due) happens at the next `encrypt`. Both sides apply the root KDF in the
/// same order as Signal's algorithm.
public struct RatchetSession: Sendable, CustomStringConvertible, CustomReflectable {
    // MARK: - State

    /// Limits and schedule.
    public let configuration: RatchetConfiguration
    /// The peer's identity.
    public let remoteIdentity: IdentityKey
    /// `lp(label) ‖ lp(initiator identity) ‖ lp(responder identity)`: bound into every AEAD.
    let associatedData: [UInt8]

    var rootKey: SecureBytes
    var sendingRatchetKey: X25519.PrivateKey
    var receivingRatchetKey: X25519.PublicKey?
    var sendingChainKey: SecureBytes?
    var receivingChainKey: SecureBytes?
    var sendingHeaderKey: SecureBytes?
    var receivingHeaderKey: SecureBytes?
    var nextSendingHeaderKey: SecureBytes
    var nextReceivingHeaderKey: SecureBytes
    var sendingMessageNumber: UInt32 = 0
    var receivingMessageNumber: UInt32 = 0
    var previousSendingChainLength: UInt32 = 0
    /// A new receiving chain started since our sending chain was made: the next `encrypt` makes a
    /// new sending chain.
    var needsSendingStep = false

    /// Our current X-Wing ratchet key, and whether the peer has confirmed it holds it.
    var ownPostQuantumKey: OwnPostQuantumKey?
    var lastOwnPostQuantumKeyId: UInt32 = 0
    /// The peer's latest announced X-Wing ratchet key, until we encapsulate to it.
    var peerPostQuantumKey: PeerPostQuantumKey?
    /// The encapsulation every header of the current sending chain carries, when the chain was
    /// made with a post-quantum refresh.
    var sendingRefresh: RatchetHeader.Refresh?
    var messagesSinceRefresh: UInt32 = 0
    var lastRefreshAt: UInt64

    /// Receiving chains whose header keys we still hold, oldest first; the last one is the
    /// current chain when there is one. Each keeps the keys of its skipped messages and the
    /// numbers of those that expired, so a late message is told apart from a duplicate.
    var receivedChains: [ReceivedChain] = []

    /// Present until the initiator receives its first reply: every message it sends until then
    /// is wrapped in an initial message carrying the handshake.
    var pendingHandshake: PendingHandshake?

    /// How many earlier receiving chains are remembered to recognise their duplicates, besides
    /// those that still hold skipped keys.
    static let rememberedChains = 64

    public var description: String { "RatchetSession(redacted)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    // MARK: - Initialisation (SPEC.md §6.1)

    init(
        initiatorWith sharedSecret: SecureBytes, headerKey: SecureBytes, nextReceivingHeaderKey: SecureBytes,
        remoteRatchetKey: X25519.PublicKey, remoteIdentity: IdentityKey, associatedData: [UInt8],
        configuration: RatchetConfiguration, now: UInt64, entropy: inout some EntropySource
    ) throws(ProtocolError) {
        self.configuration = configuration
        self.remoteIdentity = remoteIdentity
        self.associatedData = associatedData
        sendingRatchetKey = entropy.x25519()
        receivingRatchetKey = remoteRatchetKey
        (rootKey, sendingChainKey, nextSendingHeaderKey) = try Self.rootStep(
            sharedSecret, own: sendingRatchetKey, peer: remoteRatchetKey, postQuantum: nil)
        sendingHeaderKey = headerKey
        self.nextReceivingHeaderKey = nextReceivingHeaderKey
        lastRefreshAt = now
        ownPostQuantumKey = Self.newOwnKey(after: 0, entropy: &entropy)
        lastOwnPostQuantumKeyId = 1
    }

    init(
        responderWith sharedSecret: SecureBytes, ratchetKey: X25519.PrivateKey, headerKey: SecureBytes,
        nextSendingHeaderKey: SecureBytes, remoteIdentity: IdentityKey, associatedData: [UInt8],
        configuration: RatchetConfiguration, now: UInt64
    ) {
        self.configuration = configuration
        self.remoteIdentity = remoteIdentity
        self.associatedData = associatedData
        rootKey = sharedSecret
        sendingRatchetKey = ratchetKey
        self.nextSendingHeaderKey = nextSendingHeaderKey
        nextReceivingHeaderKey = headerKey
        lastRefreshAt = now
    }

    /// Whether this session can send now. A responder can send only after its first message in.
    public var canSend: Bool { sendingChainKey != nil || needsSendingStep }

    /// Whether the session still wraps outgoing messages in the initial handshake message.
    public var isAwaitingFirstReply: Bool { pendingHandshake != nil }

    /// Whether the current sending chain carries a post-quantum refresh (SPEC.md §6.6).
    public var isRefreshingPostQuantum: Bool { sendingRefresh != nil }

    /// Whether outgoing headers announce our X-Wing ratchet key, not yet acknowledged.
    public var isAnnouncingPostQuantumKey: Bool { ownPostQuantumKey.map { !$0.isAcknowledged } ?? false }

    // MARK: - Encrypt (SPEC.md §6.4)

    /// Encrypts `plaintext` into the next message of the session.
    ///
    /// - Returns: the session message: an initial message while the handshake is unanswered,
    ///   else a ratchet message.
    /// - Throws: ``ProtocolError/sessionNotEstablished`` for a responder that has not received
    ///   yet; ``ProtocolError/tooLarge`` for more than 64 KiB.
    public mutating func encrypt(
        _ plaintext: [UInt8],
        now: UInt64,
        entropy: inout some EntropySource,
        encapsulator: inout some XWingEncapsulator
    ) throws(ProtocolError) -> SessionMessage {
        guard plaintext.count <= ProtocolLimits.maximumPlaintextByteCount else { throw .tooLarge }
        guard canSend else { throw .sessionNotEstablished }
        // The common case, another message on the current chain: everything that can fail comes
        // first, then the session moves in place, without a working copy of the whole state.
        if !needsSendingStep, !hasExpiryWork(now: now), let chainKey = sendingChainKey,
            let headerKey = sendingHeaderKey
        {
            let (message, nextChainKey) = try sealMessage(
                plaintext, chainKey: chainKey, headerKey: headerKey, entropy: &entropy)
            sendingChainKey = nextChainKey
            sendingMessageNumber += 1
            messagesSinceRefresh &+= 1
            return wrap(message)
        }
        var next = self
        next.expireSkippedKeys(now: now)
        if next.needsSendingStep {
            try next.sendingStep(now: now, entropy: &entropy, encapsulator: &encapsulator)
        }
        guard let chainKey = next.sendingChainKey, let headerKey = next.sendingHeaderKey else {
            throw .sessionNotEstablished
        }
        let (message, nextChainKey) = try next.sealMessage(
            plaintext, chainKey: chainKey, headerKey: headerKey, entropy: &entropy)
        next.sendingChainKey = nextChainKey
        next.sendingMessageNumber += 1
        next.messagesSinceRefresh &+= 1
        self = next
        return wrap(message)
    }

    /// The ratchet message for `plaintext` on the current sending chain, and the chain's next
    /// key; changes nothing.
    private func sealMessage(
        _ plaintext: [UInt8], chainKey: SecureBytes, headerKey: SecureBytes, entropy: inout some EntropySource
    ) throws(ProtocolError) -> (message: [UInt8], nextChainKey: SecureBytes) {
        let (nextChainKey, messageKey) = RatchetKDF.chain(chainKey)
        let header = RatchetHeader(
            ratchetKey: sendingRatchetKey.publicKey,
            previousChainLength: previousSendingChainLength,
            messageNumber: sendingMessageNumber,
            acknowledgedPeerKeyId: peerPostQuantumKey?.id ?? 0,
            announcement: ownPostQuantumKey.flatMap { $0.isAcknowledged ? nil : $0.announcement },
            refresh: sendingRefresh)
        let nonce = entropy.bytes(count: XChaCha20Poly1305.nonceByteCount)
        let encryptedHeader: [UInt8]
        let ciphertext: [UInt8]
        do {
            encryptedHeader =
                try nonce
                + XChaCha20Poly1305.seal(header.encoded, key: headerKey, nonce: nonce, associatedData: associatedData)
            let keys = RatchetKDF.messageKeys(messageKey)
            ciphertext = try XChaCha20Poly1305.seal(
                plaintext, key: keys.key, nonce: keys.nonce,
                associatedData: Self.messageAssociatedData(associatedData, encryptedHeader))
        } catch {
            throw .authenticationFailure
        }
        return (RatchetMessage(encryptedHeader: encryptedHeader, ciphertext: ciphertext).encoded, nextChainKey)
    }

    /// A ratchet message as the session message to send: wrapped in the initial message while
    /// the handshake is unanswered.
    private func wrap(_ message: [UInt8]) -> SessionMessage {
        if let handshake = pendingHandshake {
            return SessionMessage(kind: .initial, bytes: handshake.wrapping(message))
        }
        return SessionMessage(kind: .ratchet, bytes: message)
    }

    /// The sending half of a DH ratchet step, with a post-quantum refresh when one is due.
    private mutating func sendingStep(
        now: UInt64, entropy: inout some EntropySource, encapsulator: inout some XWingEncapsulator
    ) throws(ProtocolError) {
        guard let remote = receivingRatchetKey else { throw .sessionNotEstablished }
        previousSendingChainLength = sendingMessageNumber
        sendingMessageNumber = 0
        sendingHeaderKey = nextSendingHeaderKey
        sendingRatchetKey = entropy.x25519()
        sendingRefresh = nil
        if ownPostQuantumKey == nil {
            ownPostQuantumKey = Self.newOwnKey(after: lastOwnPostQuantumKeyId, entropy: &entropy)
            lastOwnPostQuantumKeyId += 1
        }
        var postQuantumSecret: SecureBytes?
        if let peer = peerPostQuantumKey, !peer.isConsumed, isRefreshDue(now: now) {
            let encapsulation = try encapsulator.encapsulate(to: peer.publicKey)
            postQuantumSecret = encapsulation.sharedSecret
            sendingRefresh = RatchetHeader.Refresh(targetId: peer.id, ciphertext: encapsulation.encapsulation)
            peerPostQuantumKey?.isConsumed = true
            messagesSinceRefresh = 0
            lastRefreshAt = now
        }
        (rootKey, sendingChainKey, nextSendingHeaderKey) = try Self.rootStep(
            rootKey, own: sendingRatchetKey, peer: remote, postQuantum: postQuantumSecret)
        needsSendingStep = false
    }

    private func isRefreshDue(now: UInt64) -> Bool {
        messagesSinceRefresh >= configuration.postQuantumRefreshMessages
            || now >= lastRefreshAt && now - lastRefreshAt >= configuration.postQuantumRefreshInterval
    }

    // MARK: - Decrypt (SPEC.md §6.5)

    /// Decrypts a ratchet message of this session.
    ///
    /// - Throws: ``ProtocolError/duplicateMessage`` for a message already decrypted,
    ///   ``ProtocolError/messageKeyExpired`` for one whose skipped key has expired,
    ///   ``ProtocolError/tooManySkippedMessages`` when it would skip past the cap,
    ///   ``ProtocolError/authenticationFailure`` for anything that does not verify, and
    ///   ``ProtocolError/malformed`` for bytes that do not decode. The session is unchanged.
    public mutating func decrypt(_ bytes: [UInt8], now: UInt64) throws(ProtocolError) -> [UInt8] {
        let message = try RatchetMessage(decoding: bytes)
        // The common cases, opened without a working copy of the state, which moves only after
        // the body has verified: the next message of the current chain in order, and the first
        // message of the next chain when it skips nothing (the reply that reverses direction).
        if !hasExpiryWork(now: now) {
            let current = try receivingHeaderKey.flatMap { key throws(ProtocolError) in
                try openHeader(message.encryptedHeader, with: key)
            }
            if let header = current, let chainKey = receivingChainKey, header.messageNumber == receivingMessageNumber {
                let (nextChainKey, messageKey) = RatchetKDF.chain(chainKey)
                let plaintext = try openBody(message, messageKey: messageKey)
                receivingChainKey = nextChainKey
                receivingMessageNumber += 1
                return finishDecrypting(plaintext, header: header)
            }
            if current == nil, let header = try openHeader(message.encryptedHeader, with: nextReceivingHeaderKey),
                header.messageNumber == 0,
                receivingChainKey == nil || header.previousChainLength <= receivingMessageNumber
            {
                let keys = try receivingStepKeys(header)
                let (nextChainKey, messageKey) = RatchetKDF.chain(keys.chain)
                let plaintext = try openBody(message, messageKey: messageKey)
                applyReceivingStep(keys, header: header, now: now)
                receivingChainKey = nextChainKey
                receivingMessageNumber = 1
                return finishDecrypting(plaintext, header: header)
            }
        }
        var next = self
        next.expireSkippedKeys(now: now)
        let (header, messageKey) = try next.messageKey(for: message.encryptedHeader, now: now)
        let plaintext = try openBody(message, messageKey: messageKey)
        self = next
        return finishDecrypting(plaintext, header: header)
    }

    /// The last steps of every successful decryption (SPEC.md §6.5 steps 8 and 9), on the
    /// session itself.
    private mutating func finishDecrypting(_ plaintext: [UInt8], header: RatchetHeader) -> [UInt8] {
        notePostQuantumFields(of: header)
        messagesSinceRefresh &+= 1
        pendingHandshake = nil
        return plaintext
    }

    /// The plaintext of `message`'s body under `messageKey`.
    private func openBody(_ message: RatchetMessage, messageKey: SecureBytes) throws(ProtocolError) -> [UInt8] {
        let keys = RatchetKDF.messageKeys(messageKey)
        do {
            return try XChaCha20Poly1305.open(
                message.ciphertext, key: keys.key, nonce: keys.nonce,
                associatedData: Self.messageAssociatedData(associatedData, message.encryptedHeader))
        } catch {
            throw .authenticationFailure
        }
    }

    /// Finds the header key that opens `encryptedHeader` and the message key it names, moving
    /// the ratchet forward as needed (on `self`, which is the caller's working copy).
    private mutating func messageKey(
        for encryptedHeader: [UInt8], now: UInt64
    ) throws(ProtocolError) -> (RatchetHeader, SecureBytes) {
        // 1. The current receiving chain.
        if let headerKey = receivingHeaderKey, let header = try openHeader(encryptedHeader, with: headerKey) {
            if header.messageNumber < receivingMessageNumber {
                return (header, try takeSkippedKey(chain: receivedChains.count - 1, number: header.messageNumber))
            }
            try skipReceivingKeys(until: header.messageNumber, now: now)
            return (header, advanceReceivingChain())
        }
        // 2. The next receiving chain: a DH ratchet step.
        if let header = try openHeader(encryptedHeader, with: nextReceivingHeaderKey) {
            try skipReceivingKeys(until: header.previousChainLength, now: now)
            try receivingStep(header, now: now)
            try skipReceivingKeys(until: header.messageNumber, now: now)
            return (header, advanceReceivingChain())
        }
        // 3. Earlier chains, newest first: a late message with a skipped key, or a duplicate.
        let current = receivingHeaderKey == nil ? receivedChains.count : receivedChains.count - 1
        for index in stride(from: current - 1, through: 0, by: -1) {
            if let header = try openHeader(encryptedHeader, with: receivedChains[index].headerKey) {
                return (header, try takeSkippedKey(chain: index, number: header.messageNumber))
            }
        }
        throw .authenticationFailure
    }

    /// The receiving half of a DH ratchet step.
    private mutating func receivingStep(_ header: RatchetHeader, now: UInt64) throws(ProtocolError) {
        applyReceivingStep(try receivingStepKeys(header), header: header, now: now)
    }

    /// The keys a receiving step for `header` makes: everything in it that can fail, without
    /// changing the session.
    private func receivingStepKeys(
        _ header: RatchetHeader
    ) throws(ProtocolError) -> (root: SecureBytes, chain: SecureBytes, nextHeader: SecureBytes) {
        var postQuantumSecret: SecureBytes?
        if let refresh = header.refresh {
            guard let own = ownPostQuantumKey, own.id == refresh.targetId else { throw .authenticationFailure }
            do {
                postQuantumSecret = try own.privateKey.decapsulate(refresh.ciphertext)
            } catch {
                throw .authenticationFailure
            }
        }
        return try Self.rootStep(
            rootKey, own: sendingRatchetKey, peer: header.ratchetKey, postQuantum: postQuantumSecret)
    }

    /// Moves the session through a receiving step whose keys ``receivingStepKeys(_:)`` made.
    private mutating func applyReceivingStep(
        _ keys: (root: SecureBytes, chain: SecureBytes, nextHeader: SecureBytes), header: RatchetHeader, now: UInt64
    ) {
        if header.refresh != nil {
            ownPostQuantumKey = nil
            messagesSinceRefresh = 0
            lastRefreshAt = now
        }
        if receivingHeaderKey != nil, !receivedChains.isEmpty {
            receivedChains[receivedChains.count - 1].retiredAt = now
        }
        receivingHeaderKey = nextReceivingHeaderKey
        receivedChains.append(ReceivedChain(headerKey: nextReceivingHeaderKey))
        forgetOldChains(now: now)
        receivingMessageNumber = 0
        receivingRatchetKey = header.ratchetKey
        (rootKey, receivingChainKey, nextReceivingHeaderKey) = keys
        needsSendingStep = true
    }

    /// Stores the keys of messages `receivingMessageNumber..<until` of the current chain.
    private mutating func skipReceivingKeys(until end: UInt32, now: UInt64) throws(ProtocolError) {
        guard receivingHeaderKey != nil, receivingChainKey != nil, end > receivingMessageNumber else { return }
        let count = Int(end - receivingMessageNumber)
        guard skippedKeyCount + count <= configuration.maximumSkippedKeys else { throw .tooManySkippedMessages }
        let chain = receivedChains.count - 1
        while receivingMessageNumber < end {
            let number = receivingMessageNumber
            let messageKey = advanceReceivingChain()
            receivedChains[chain].skipped[number] = SkippedKey(messageKey: messageKey, storedAt: now)
        }
    }

    /// The number of skipped message keys held, over all chains.
    var skippedKeyCount: Int { receivedChains.reduce(0) { $0 + $1.skipped.count } }

    /// The current receiving chain's next message key; moves the chain one step.
    private mutating func advanceReceivingChain() -> SecureBytes {
        guard let chainKey = receivingChainKey else { preconditionFailure("no receiving chain") }
        let (next, messageKey) = RatchetKDF.chain(chainKey)
        receivingChainKey = next
        receivingMessageNumber += 1
        return messageKey
    }

    /// Removes and returns a skipped key of chain `index`; says why there is none.
    private mutating func takeSkippedKey(chain index: Int, number: UInt32) throws(ProtocolError) -> SecureBytes {
        if let key = receivedChains[index].skipped.removeValue(forKey: number) {
            return key.messageKey
        }
        if receivedChains[index].expired.contains(number) {
            throw .messageKeyExpired
        }
        throw .duplicateMessage
    }

    /// Deletes skipped message keys older than their lifetime (remembering their numbers, so
    /// their messages are reported as expired) and forgets old chains. `encrypt` and `decrypt`
    /// do this themselves; a client also calls it when it loads a session that has been idle,
    /// so that expired keys do not stay in its store.
    public mutating func expireSkippedKeys(now: UInt64) {
        let lifetime = configuration.skippedKeyLifetime
        // The common case, a conversation without gaps: nothing to expire or forget.
        guard hasExpiryWork(now: now) else { return }
        for index in receivedChains.indices where !receivedChains[index].skipped.isEmpty {
            let expired = receivedChains[index].skipped.filter {
                now >= $0.value.storedAt && now - $0.value.storedAt >= lifetime
            }
            for number in expired.keys {
                receivedChains[index].skipped.removeValue(forKey: number)
                receivedChains[index].expired.insert(number)
            }
        }
        forgetOldChains(now: now)
    }

    /// Whether ``expireSkippedKeys(now:)`` may have anything to do: skipped keys held, or
    /// retired chains to forget.
    func hasExpiryWork(now: UInt64) -> Bool {
        if receivedChains.contains(where: { !$0.skipped.isEmpty }) { return true }
        if receivedChains.count > Self.rememberedChains + 1 { return true }
        let lifetime = configuration.skippedKeyLifetime
        return receivedChains.first?.retiredAt.map { now >= $0 && now - $0 >= lifetime } ?? false
    }

    /// Keeps the current chain, every chain with skipped keys, and the most recent retired
    /// chains (within the key lifetime) for recognising duplicates; bounds the expired markers.
    ///
    /// Works in place: in a conversation that alternates, each new chain pushes the oldest one out,
    /// and copying the others (their keys and tables) at every step showed in the profile.
    private mutating func forgetOldChains(now: UInt64) {
        let lifetime = configuration.skippedKeyLifetime
        var remembered = 0
        var keep = [Bool](repeating: true, count: receivedChains.count)
        for index in receivedChains.indices.reversed() {
            guard let retiredAt = receivedChains[index].retiredAt else { continue }
            let isRecent = remembered < Self.rememberedChains && !(now >= retiredAt && now - retiredAt >= lifetime)
            if isRecent { remembered += 1 }
            keep[index] = isRecent || !receivedChains[index].skipped.isEmpty
        }
        if let firstKept = keep.firstIndex(of: true), !keep[firstKept...].contains(false) {
            // The usual case: only the oldest chains go, which moves the rest without copying them.
            receivedChains.removeSubrange(..<firstKept)
        } else if keep.contains(false) {
            receivedChains = receivedChains.indices.filter { keep[$0] }.map { receivedChains[$0] }
        }
        var expiredBudget = configuration.maximumSkippedKeys
        for index in receivedChains.indices.reversed() {
            if receivedChains[index].expired.count > expiredBudget {
                receivedChains[index].expired = []
            }
            expiredBudget -= receivedChains[index].expired.count
        }
    }

    /// Takes note of the peer's X-Wing key announcement and acknowledgement in an authentic header.
    private mutating func notePostQuantumFields(of header: RatchetHeader) {
        if let own = ownPostQuantumKey, header.acknowledgedPeerKeyId == own.id {
            ownPostQuantumKey?.isAcknowledged = true
        }
        if let announcement = header.announcement, announcement.id > (peerPostQuantumKey?.id ?? 0) {
            peerPostQuantumKey = PeerPostQuantumKey(
                id: announcement.id, publicKey: announcement.publicKey, isConsumed: false)
        }
    }

    // MARK: - Helpers

    private func openHeader(_ encrypted: [UInt8], with key: SecureBytes) throws(ProtocolError) -> RatchetHeader? {
        let nonce = Array(encrypted.prefix(XChaCha20Poly1305.nonceByteCount))
        let sealed = Array(encrypted.dropFirst(XChaCha20Poly1305.nonceByteCount))
        guard
            let plaintext = try? XChaCha20Poly1305.open(
                sealed, key: key, nonce: nonce, associatedData: associatedData)
        else { return nil }
        // An authentic header that does not decode is a broken peer, not noise.
        return try RatchetHeader(decoding: plaintext)
    }

    /// One step of the root chain (SPEC.md §6.2): KDF_RK over `rootKey` with DH(own, peer) and,
    /// on a post-quantum refresh, the X-Wing secret; the new root key, a chain key and the next
    /// header key.
    static func rootStep(
        _ rootKey: SecureBytes, own: X25519.PrivateKey, peer: X25519.PublicKey, postQuantum: SecureBytes?
    ) throws(ProtocolError) -> (root: SecureBytes, chain: SecureBytes, nextHeader: SecureBytes) {
        RatchetKDF.root(rootKey, dh: try agree(own, peer), postQuantum: postQuantum)
    }

    static func agree(_ own: X25519.PrivateKey, _ peer: X25519.PublicKey) throws(ProtocolError) -> SecureBytes {
        do {
            return try own.sharedSecret(with: peer)
        } catch {
            throw .weakKey
        }
    }

    static func messageAssociatedData(_ sessionData: [UInt8], _ encryptedHeader: [UInt8]) -> [UInt8] {
        lengthPrefixed(sessionData, encryptedHeader)
    }

    static func newOwnKey(after id: UInt32, entropy: inout some EntropySource) -> OwnPostQuantumKey {
        OwnPostQuantumKey(id: id + 1, privateKey: entropy.xWing(), isAcknowledged: false)
    }
}

// MARK: - Pieces of state

/// What ``RatchetSession/encrypt(_:now:entropy:encapsulator:)`` produces.
public struct SessionMessage: Hashable, Sendable {
    /// Which kind of message `bytes` is: the sealed envelope carries it as its content type.
    public enum Kind: UInt8, Sendable {
        /// An initial message: the handshake and a ratchet message (SPEC.md §5.3).
        case initial = 1
        /// A ratchet message (SPEC.md §6.4).
        case ratchet = 2
    }

    /// The kind.
    public let kind: Kind
    /// The encoded message.
    public let bytes: [UInt8]

    /// A message of `kind` from its encoding.
    public init(kind: Kind, bytes: [UInt8]) {
        self.kind = kind
        self.bytes = bytes
    }
}

struct OwnPostQuantumKey: Sendable {
    let id: UInt32
    let privateKey: XWing.PrivateKey
    var isAcknowledged: Bool

    var announcement: RatchetHeader.Announcement {
        RatchetHeader.Announcement(id: id, publicKey: privateKey.publicKey)
    }
}

struct PeerPostQuantumKey: Sendable {
    let id: UInt32
    let publicKey: XWing.PublicKey
    var isConsumed: Bool
}

struct SkippedKey: Sendable {
    let messageKey: SecureBytes
    let storedAt: UInt64
}

struct ReceivedChain: Sendable {
    let headerKey: SecureBytes
    /// When the chain stopped being the current one; nil while it is.
    var retiredAt: UInt64?
    var skipped: [UInt32: SkippedKey] = [:]
    var expired: Set<UInt32> = []

    init(headerKey: SecureBytes, retiredAt: UInt64? = nil) {
        self.headerKey = headerKey
        self.retiredAt = retiredAt
    }
}
