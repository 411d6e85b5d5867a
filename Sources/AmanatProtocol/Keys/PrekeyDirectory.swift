// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// Prekey directory entries, sealed so that the relay which stores them cannot read them
/// (SPEC.md §8.6).
///
/// A device publishes, through its mailbox, one *head* (its identity, signed prekey, last-resort
/// X-Wing prekey and sealing key) and pools of one-time X25519 and X-Wing prekeys. Each entry is
/// sealed with XChaCha20-Poly1305 under the mailbox's 32-byte directory key, which travels in the
/// contact card (§9.3) and the roster but never to the relay:
///
///     entry = [24] nonce ‖ XChaCha20-Poly1305(directoryKey, nonce, plaintext,
///                                             ad = lp("amanat/v1/prekey-directory") ‖ lp(mailboxId) ‖ lp(u8 slot))
///
/// The relay therefore stores opaque entries under a mailbox id and never learns which identity
/// stands behind a mailbox. A claimant opens the entries the relay hands out and assembles an
/// ordinary ``PrekeyBundle``, which it then verifies as usual.
public enum PrekeyDirectory {
    /// Length of a directory key.
    public static let keyByteCount = 32
    /// Length of the nonce at the start of an entry.
    public static let nonceByteCount = 24

    /// What an entry holds; bound into its associated data so entries cannot change places.
    public enum Slot: UInt8, Sendable, CaseIterable {
        /// `IdentityKey ‖ SignedPrekey (kind 1) ‖ SignedPrekey (kind 2) ‖ SignedPrekey (kind 5)`.
        case head = 1
        /// One `SignedPrekey` of kind 3.
        case oneTimePrekey = 2
        /// One `SignedPrekey` of kind 4.
        case oneTimePostQuantumPrekey = 3
    }

    /// The sealed head: identity, signed prekey, last-resort X-Wing prekey and sealing key.
    ///
    /// - Throws: ``ProtocolError/malformed`` if a key has the wrong kind or the directory key has
    ///   the wrong length.
    public static func sealHead(
        identity: IdentityKey, signedPrekey: SignedPrekey, lastResortPrekey: SignedPrekey, sealingKey: SignedPrekey,
        directoryKey: SecureBytes, mailbox: MailboxID, entropy: inout some EntropySource
    ) throws(ProtocolError) -> [UInt8] {
        guard signedPrekey.kind == .signedX25519, lastResortPrekey.kind == .lastResortXWing,
            sealingKey.kind == .sealingXWing
        else { throw .malformed }
        var writer = ByteWriter(capacity: 4096)
        writer.fixed(identity.encoded)
        signedPrekey.write(to: &writer)
        lastResortPrekey.write(to: &writer)
        sealingKey.write(to: &writer)
        return try seal(writer.bytes, slot: .head, directoryKey: directoryKey, mailbox: mailbox, entropy: &entropy)
    }

    /// A sealed one-time prekey (kind 3 or 4).
    ///
    /// - Throws: ``ProtocolError/malformed`` for any other kind or a wrong-length key.
    public static func sealOneTime(
        _ prekey: SignedPrekey, directoryKey: SecureBytes, mailbox: MailboxID, entropy: inout some EntropySource
    ) throws(ProtocolError) -> [UInt8] {
        let slot: Slot
        switch prekey.kind {
        case .oneTimeX25519: slot = .oneTimePrekey
        case .oneTimeXWing: slot = .oneTimePostQuantumPrekey
        default: throw .malformed
        }
        var writer = ByteWriter(capacity: 1400)
        prekey.write(to: &writer)
        return try seal(writer.bytes, slot: slot, directoryKey: directoryKey, mailbox: mailbox, entropy: &entropy)
    }

    /// Opens what a claim returned and assembles the bundle: the one-time X-Wing prekey when the
    /// relay had one, otherwise the last-resort one. The bundle still has to be verified
    /// (``PrekeyBundle/verify(now:)``) and its identity checked against the expected one.
    ///
    /// - Throws: ``ProtocolError/authenticationFailure`` if an entry was not sealed under this key
    ///   for this mailbox and slot; ``ProtocolError/malformed`` if its content does not parse.
    public static func openBundle(
        head: [UInt8], oneTimePrekey: [UInt8]?, oneTimePostQuantumPrekey: [UInt8]?, directoryKey: SecureBytes,
        mailbox: MailboxID
    ) throws(ProtocolError) -> PrekeyBundle {
        var reader = ByteReader(try open(head, slot: .head, directoryKey: directoryKey, mailbox: mailbox))
        let identity = try IdentityKey(reading: &reader)
        let signedPrekey = try SignedPrekey(reading: &reader)
        let lastResort = try SignedPrekey(reading: &reader)
        let sealingKey = try SignedPrekey(reading: &reader)
        try reader.finish()
        guard lastResort.kind == .lastResortXWing else { throw .malformed }
        func one(_ entry: [UInt8]?, _ slot: Slot) throws(ProtocolError) -> SignedPrekey? {
            guard let entry else { return nil }
            var reader = ByteReader(try open(entry, slot: slot, directoryKey: directoryKey, mailbox: mailbox))
            let prekey = try SignedPrekey(reading: &reader)
            try reader.finish()
            return prekey
        }
        let oneTime = try one(oneTimePrekey, .oneTimePrekey)
        let postQuantum = try one(oneTimePostQuantumPrekey, .oneTimePostQuantumPrekey)
        let bundle = PrekeyBundle(
            identity: identity, signedPrekey: signedPrekey, postQuantumPrekey: postQuantum ?? lastResort,
            sealingKey: sealingKey, oneTimePrekey: oneTime)
        // Kinds are checked by decoding the bundle's own encoding, the one place that knows them.
        return try PrekeyBundle(decoding: bundle.encoded)
    }

    // MARK: - Sealing

    static func associatedData(mailbox: MailboxID, slot: Slot) -> [UInt8] {
        lengthPrefixed(Label.prekeyDirectory, mailbox.bytes, [slot.rawValue])
    }

    static func seal(
        _ plaintext: [UInt8], slot: Slot, directoryKey: SecureBytes, mailbox: MailboxID,
        entropy: inout some EntropySource
    ) throws(ProtocolError) -> [UInt8] {
        guard directoryKey.count == keyByteCount else { throw .malformed }
        let nonce = entropy.bytes(count: nonceByteCount)
        guard
            let sealed = try? XChaCha20Poly1305.seal(
                plaintext, key: directoryKey, nonce: nonce,
                associatedData: associatedData(mailbox: mailbox, slot: slot))
        else { throw .malformed }
        return nonce + sealed
    }

    static func open(
        _ entry: [UInt8], slot: Slot, directoryKey: SecureBytes, mailbox: MailboxID
    ) throws(ProtocolError) -> [UInt8] {
        guard directoryKey.count == keyByteCount else { throw .malformed }
        guard entry.count >= nonceByteCount + XChaCha20Poly1305.tagByteCount else { throw .malformed }
        guard
            let plaintext = try? XChaCha20Poly1305.open(
                entry[nonceByteCount...], key: directoryKey, nonce: entry[..<nonceByteCount],
                associatedData: associatedData(mailbox: mailbox, slot: slot))
        else { throw .authenticationFailure }
        return plaintext
    }
}
