// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// The plaintext of a ratchet header (SPEC.md §6.3). It travels encrypted under a header key,
/// so the relay and any observer see no ratchet key, counter or post-quantum field:
///
///     u8  version = 1
///     [32] ratchetKey                 the sender's current X25519 ratchet public key
///     u32 previousChainLength         PN
///     u32 messageNumber               N
///     u32 acknowledgedPeerKeyId       id of the receiver's X-Wing ratchet key the sender holds (0: none)
///     u8  flags                       bit 0: announces a key; bit 1: carries a ciphertext; others 0
///     [u32 id ‖ 1216 key]             if bit 0: the sender's X-Wing ratchet public key
///     [u32 targetId ‖ 1120 ct]        if bit 1: an encapsulation to the receiver's key `targetId`
struct RatchetHeader: Sendable {
    static let version: UInt8 = 1

    struct Announcement: Sendable {
        let id: UInt32
        let publicKey: XWing.PublicKey
    }

    struct Refresh: Sendable {
        let targetId: UInt32
        let ciphertext: [UInt8]
    }

    let ratchetKey: X25519.PublicKey
    let previousChainLength: UInt32
    let messageNumber: UInt32
    let acknowledgedPeerKeyId: UInt32
    let announcement: Announcement?
    let refresh: Refresh?

    var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.u8(Self.version)
        writer.fixed(ratchetKey.rawRepresentation)
        writer.u32(previousChainLength)
        writer.u32(messageNumber)
        writer.u32(acknowledgedPeerKeyId)
        writer.u8((announcement == nil ? 0 : 1) | (refresh == nil ? 0 : 2))
        if let announcement {
            writer.u32(announcement.id)
            writer.fixed(announcement.publicKey.rawRepresentation)
        }
        if let refresh {
            writer.u32(refresh.targetId)
            writer.fixed(refresh.ciphertext)
        }
        return writer.bytes
    }

    init(
        ratchetKey: X25519.PublicKey, previousChainLength: UInt32, messageNumber: UInt32,
        acknowledgedPeerKeyId: UInt32, announcement: Announcement?, refresh: Refresh?
    ) {
        self.ratchetKey = ratchetKey
        self.previousChainLength = previousChainLength
        self.messageNumber = messageNumber
        self.acknowledgedPeerKeyId = acknowledgedPeerKeyId
        self.announcement = announcement
        self.refresh = refresh
    }

    init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try reader.version(Self.version)
        guard let key = try? X25519.PublicKey(rawRepresentation: try reader.fixed(X25519.keyByteCount)) else {
            throw .malformed
        }
        ratchetKey = key
        previousChainLength = try reader.u32()
        messageNumber = try reader.u32()
        acknowledgedPeerKeyId = try reader.u32()
        let flags = try reader.u8()
        guard flags & ~3 == 0 else { throw .malformed }
        if flags & 1 != 0 {
            let id = try reader.u32()
            guard id != 0, let key = try? XWing.PublicKey(rawRepresentation: try reader.fixed(XWing.publicKeyByteCount))
            else { throw .malformed }
            announcement = Announcement(id: id, publicKey: key)
        } else {
            announcement = nil
        }
        if flags & 2 != 0 {
            let target = try reader.u32()
            guard target != 0 else { throw .malformed }
            refresh = Refresh(targetId: target, ciphertext: try reader.fixed(XWing.encapsulationByteCount))
        } else {
            refresh = nil
        }
        try reader.finish()
    }
}

/// A ratchet message on the wire (SPEC.md §6.4):
/// `u8 version = 1 ‖ u16 headerLength ‖ encryptedHeader ‖ ciphertext`, where
/// `encryptedHeader = nonce[24] ‖ XChaCha20-Poly1305(headerKey, nonce, header, ad = sessionAD)` and
/// `ciphertext` is the message under its message key (tag included).
struct RatchetMessage: Sendable {
    static let version: UInt8 = 1
    static let headerOverhead = XChaCha20Poly1305.nonceByteCount + XChaCha20Poly1305.tagByteCount

    let encryptedHeader: [UInt8]
    let ciphertext: [UInt8]

    init(encryptedHeader: [UInt8], ciphertext: [UInt8]) {
        self.encryptedHeader = encryptedHeader
        self.ciphertext = ciphertext
    }

    var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 3 + encryptedHeader.count + ciphertext.count)
        writer.u8(Self.version)
        writer.vector16(encryptedHeader)
        writer.fixed(ciphertext)
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try reader.version(Self.version)
        encryptedHeader = try reader.vector16(maximum: ProtocolLimits.maximumEncryptedHeaderByteCount)
        guard encryptedHeader.count >= Self.headerOverhead else { throw .malformed }
        ciphertext = reader.rest()
        guard ciphertext.count >= XChaCha20Poly1305.tagByteCount,
            ciphertext.count <= ProtocolLimits.maximumPlaintextByteCount + XChaCha20Poly1305.tagByteCount
        else { throw .malformed }
    }
}
