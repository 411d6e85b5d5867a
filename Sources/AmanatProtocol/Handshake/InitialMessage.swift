// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// The first messages of a session, from initiator to responder (SPEC.md §5.3): the handshake
/// fields and, after them, a ratchet message.
///
///     u8  version = 1
///     IdentityKey initiator                 128 bytes
///     [32] ephemeralKey                     EK_A
///     u32 signedPrekeyId
///     u8  postQuantumPrekeyKind (2 or 4) ‖ u32 postQuantumPrekeyId
///     u8  hasOneTimePrekey (0 or 1) ‖ [u32 oneTimePrekeyId]
///     [1120] postQuantumCiphertext          X-Wing encapsulation to the PQ prekey
///     ratchetMessage                        the rest (SPEC.md §6.4)
///
/// The initiator sends every message in this form until it receives a reply, so that whichever
/// arrives first can start the session.
public struct InitialMessage: Sendable {
    static let version: UInt8 = 1

    /// The initiator's identity (its agreement-key signature already checked).
    public let initiatorIdentity: IdentityKey
    /// The initiator's ephemeral X25519 key: together with the identity, it names the session.
    public let ephemeralKey: X25519.PublicKey
    /// The id of the responder's signed prekey used.
    public let signedPrekeyId: UInt32
    /// Whether the X-Wing prekey used was one-time or the last-resort one.
    public let postQuantumPrekeyKind: SignedPrekey.Kind
    /// The id of the responder's X-Wing prekey used.
    public let postQuantumPrekeyId: UInt32
    /// The id of the responder's one-time X25519 prekey used, if any.
    public let oneTimePrekeyId: UInt32?
    /// The X-Wing encapsulation to the PQ prekey.
    public let postQuantumCiphertext: [UInt8]
    /// The embedded ratchet message.
    public let ratchetMessage: [UInt8]

    /// Decodes an initial message and checks the initiator identity's self-signature.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try reader.version(Self.version)
        initiatorIdentity = try IdentityKey(reading: &reader)
        guard let ephemeral = try? X25519.PublicKey(rawRepresentation: try reader.fixed(X25519.keyByteCount)) else {
            throw .malformed
        }
        ephemeralKey = ephemeral
        signedPrekeyId = try reader.u32()
        guard let kind = SignedPrekey.Kind(rawValue: try reader.u8()), kind == .oneTimeXWing || kind == .lastResortXWing
        else { throw .malformed }
        postQuantumPrekeyKind = kind
        postQuantumPrekeyId = try reader.u32()
        oneTimePrekeyId = try reader.bool() ? try reader.u32() : nil
        postQuantumCiphertext = try reader.fixed(XWing.encapsulationByteCount)
        ratchetMessage = reader.rest()
        _ = try RatchetMessage(decoding: ratchetMessage)
    }

    init(handshake: PendingHandshake, ratchetMessage: [UInt8]) {
        initiatorIdentity = handshake.initiatorIdentity
        ephemeralKey = handshake.ephemeralKey
        signedPrekeyId = handshake.signedPrekeyId
        postQuantumPrekeyKind = handshake.postQuantumPrekeyKind
        postQuantumPrekeyId = handshake.postQuantumPrekeyId
        oneTimePrekeyId = handshake.oneTimePrekeyId
        postQuantumCiphertext = handshake.postQuantumCiphertext
        self.ratchetMessage = ratchetMessage
    }

    /// The encoding.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 1300 + ratchetMessage.count)
        writer.u8(Self.version)
        writer.fixed(initiatorIdentity.encoded)
        writer.fixed(ephemeralKey.rawRepresentation)
        writer.u32(signedPrekeyId)
        writer.u8(postQuantumPrekeyKind.rawValue)
        writer.u32(postQuantumPrekeyId)
        writer.u8(oneTimePrekeyId == nil ? 0 : 1)
        if let oneTimePrekeyId { writer.u32(oneTimePrekeyId) }
        writer.fixed(postQuantumCiphertext)
        writer.fixed(ratchetMessage)
        return writer.bytes
    }
}

/// The handshake fields an initiator repeats until its first reply.
struct PendingHandshake: Sendable {
    let initiatorIdentity: IdentityKey
    let ephemeralKey: X25519.PublicKey
    let signedPrekeyId: UInt32
    let postQuantumPrekeyKind: SignedPrekey.Kind
    let postQuantumPrekeyId: UInt32
    let oneTimePrekeyId: UInt32?
    let postQuantumCiphertext: [UInt8]

    func wrapping(_ ratchetMessage: [UInt8]) -> [UInt8] {
        InitialMessage(handshake: self, ratchetMessage: ratchetMessage).encoded
    }
}
