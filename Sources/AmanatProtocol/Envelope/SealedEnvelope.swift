// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// What the relay stores and forwards (SPEC.md §7): a session message and its sender
/// certificate, padded and sealed with HPKE to the recipient device's X-Wing sealing key.
///
///     envelope = u8 version = 1 ‖ enc[1120] ‖ HPKE ciphertext        exactly 2, 16 or 64 KiB
///     plaintext = u32 contentLength ‖ content ‖ zero padding
///     content  = u8 version = 1 ‖ u8 contentType ‖ SenderCertificate ‖ message (the rest)
///
/// HPKE: base mode, X-Wing / HKDF-SHA256 / ChaCha20-Poly1305; `info = lp("amanat/v1/seal")`,
/// `aad = lp("amanat/v1/envelope") ‖ lp(mailboxId)`. The relay can see the version byte and the
/// length, which is one of three buckets, and nothing else.
public enum SealedEnvelope {
    static let version: UInt8 = 1
    static let contentVersion: UInt8 = 1

    /// The three envelope sizes.
    public enum Bucket: Int, Sendable, CaseIterable, Comparable {
        /// 2 KiB: a short text.
        case small = 2048
        /// 16 KiB: an initial message, a post-quantum refresh, or a longer text.
        case medium = 16_384
        /// 64 KiB: the largest; anything larger goes as an attachment.
        case large = 65_536

        /// How many content bytes fit.
        public var contentCapacity: Int { rawValue - SealedEnvelope.overhead }

        public static func < (lhs: Bucket, rhs: Bucket) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Version byte, encapsulation, AEAD tag and the content length field.
    static let overhead = 1 + XWing.encapsulationByteCount + XWingHPKE.tagByteCount + 4

    /// A sealed envelope, opened.
    public struct Opened: Sendable {
        /// What the message is.
        public let kind: SessionMessage.Kind
        /// Who says they sent it; check it with ``SenderCertificate/verify(now:organisationRoot:)``.
        public let certificate: SenderCertificate
        /// The session message.
        public let message: SessionMessage
    }

    /// Seals `message` from the holder of `certificate` to the device whose sealing key is
    /// `recipient`, for `mailbox`, padded to the smallest bucket that holds it.
    ///
    /// - Throws: ``ProtocolError/tooLarge`` when it fits no bucket.
    public static func seal(
        _ message: SessionMessage,
        certificate: SenderCertificate,
        to recipient: XWing.PublicKey,
        mailbox: MailboxID
    ) throws(ProtocolError) -> [UInt8] {
        var content = ByteWriter(capacity: 2 + SenderCertificate.byteCount + message.bytes.count)
        content.u8(contentVersion)
        content.u8(message.kind.rawValue)
        content.fixed(certificate.encoded)
        content.fixed(message.bytes)
        guard let bucket = Bucket.allCases.first(where: { $0.contentCapacity >= content.bytes.count }) else {
            throw .tooLarge
        }
        var padded = ByteWriter(capacity: bucket.rawValue - overhead + 4)
        padded.u32(UInt32(content.bytes.count))
        padded.fixed(content.bytes)
        padded.fixed([UInt8](repeating: 0, count: bucket.contentCapacity - content.bytes.count))
        let sealed: XWingHPKE.SealedMessage
        do {
            sealed = try XWingHPKE.seal(
                padded.bytes, to: recipient, info: lengthPrefixed(Label.seal),
                associatedData: lengthPrefixed(Label.envelope, mailbox.bytes))
        } catch {
            throw .authenticationFailure
        }
        let envelope = [version] + sealed.encapsulatedKey + sealed.ciphertext
        assert(envelope.count == bucket.rawValue)
        return envelope
    }

    /// What the relay checks: the version byte and that the size is one of the buckets.
    ///
    /// - Throws: ``ProtocolError/unsupportedVersion`` or ``ProtocolError/malformed``.
    public static func bucket(of envelope: [UInt8]) throws(ProtocolError) -> Bucket {
        guard let first = envelope.first else { throw .malformed }
        guard first == version else { throw .unsupportedVersion }
        guard let bucket = Bucket(rawValue: envelope.count) else { throw .malformed }
        return bucket
    }

    /// Opens an envelope sealed to `sealingKey` for `mailbox`.
    ///
    /// - Throws: ``ProtocolError/authenticationFailure`` if it was not sealed to this key and
    ///   mailbox or was altered; ``ProtocolError/malformed`` if its content does not decode.
    public static func open(
        _ envelope: [UInt8], with sealingKey: XWing.PrivateKey, mailbox: MailboxID
    ) throws(ProtocolError) -> Opened {
        _ = try bucket(of: envelope)
        let sealed = XWingHPKE.SealedMessage(
            encapsulatedKey: Array(envelope[1...XWing.encapsulationByteCount]),
            ciphertext: Array(envelope[(1 + XWing.encapsulationByteCount)...]))
        let padded: [UInt8]
        do {
            padded = try XWingHPKE.open(
                sealed, with: sealingKey, info: lengthPrefixed(Label.seal),
                associatedData: lengthPrefixed(Label.envelope, mailbox.bytes))
        } catch {
            throw .authenticationFailure
        }
        return try decodeContent(padded)
    }

    /// The second half of ``open(_:with:mailbox:)``: parses the padded plaintext HPKE returned.
    /// Public so that it can be fuzzed on its own; apps call `open`.
    public static func decodeContent(_ padded: [UInt8]) throws(ProtocolError) -> Opened {
        var reader = ByteReader(padded)
        let length = Int(try reader.u32())
        let content = try reader.fixed(length)
        guard reader.rest().allSatisfy({ $0 == 0 }) else { throw .malformed }
        var contentReader = ByteReader(content)
        try contentReader.version(contentVersion)
        guard let kind = SessionMessage.Kind(rawValue: try contentReader.u8()) else { throw .malformed }
        let certificate = try SenderCertificate(reading: &contentReader)
        let message = contentReader.rest()
        switch kind {
        case .initial: _ = try InitialMessage(decoding: message)
        case .ratchet: _ = try RatchetMessage(decoding: message)
        }
        return Opened(kind: kind, certificate: certificate, message: SessionMessage(kind: kind, bytes: message))
    }

    /// The envelope's id: BLAKE2b-256 of its bytes. Deposits are idempotent on it.
    public static func digest(of envelope: [UInt8]) -> [UInt8] {
        // Cannot fail: 32 is a valid BLAKE2b output length.
        try! BLAKE2b.hash(envelope)
    }
}
