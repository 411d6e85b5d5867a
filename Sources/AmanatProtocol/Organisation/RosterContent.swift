// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// What a signed roster (§8.7) says, sealed so the relay cannot read it (SPEC.md §16.2): the
/// organisation's experts, one entry per expert device, each with a display name, the contact
/// card that reaches it, and the sender certificate the organisation signed for it.
///
///     plaintext = u8 version = 1 ‖ u16 n (1...1024) ‖ (vector8(name) ‖ ContactCard ‖ SenderCertificate) × n
///     content   = [24] nonce ‖ XChaCha20-Poly1305(rosterKey, nonce, plaintext,
///                                                 ad = lp("amanat/v1/roster-content") ‖ lp(u64 version))
public struct RosterContent: Equatable, Sendable {
    static let version: UInt8 = 1
    /// The roster key's size.
    public static let keyByteCount = 32
    /// The most entries.
    public static let maximumEntryCount = 1024
    /// The longest display name, in bytes of UTF-8.
    public static let maximumNameByteCount = 64

    /// One expert device.
    public struct Entry: Equatable, Sendable {
        /// How the expert is shown to defenders (several devices of one expert share it).
        public let name: String
        /// How to reach the device; it names exactly one device.
        public let card: ContactCard
        /// The device's sender certificate (§7.1), signed by the organisation root: the device
        /// takes its own from here, and receivers check envelopes against it.
        public let certificate: SenderCertificate

        /// An entry.
        public init(name: String, card: ContactCard, certificate: SenderCertificate) {
            self.name = name
            self.card = card
            self.certificate = certificate
        }
    }

    /// The expert devices, in the order the organisation listed them.
    public let entries: [Entry]

    /// A roster of `entries` (1 to 1,024, names non-empty and at most 64 bytes, one device per card).
    public init(entries: [Entry]) throws(ProtocolError) {
        guard (1...Self.maximumEntryCount).contains(entries.count) else { throw .tooLarge }
        for entry in entries {
            guard !entry.name.isEmpty, entry.name.utf8.count <= Self.maximumNameByteCount,
                entry.card.devices.count == 1, entry.certificate.signer == .organisation,
                entry.certificate.sender == entry.card.devices[0].identity
            else { throw .malformed }
        }
        self.entries = entries
    }

    /// Seals the content for a roster of `version`.
    public func sealed(version: UInt64, rosterKey: SecureBytes, entropy: inout some EntropySource) throws(ProtocolError)
        -> [UInt8]
    {
        guard rosterKey.count == Self.keyByteCount else { throw .malformed }
        var writer = ByteWriter(capacity: entries.count * 1600)
        writer.u8(Self.version)
        writer.u16(UInt16(entries.count))
        for entry in entries {
            writer.vector8(Array(entry.name.utf8))
            try entry.card.write(to: &writer)
            writer.fixed(entry.certificate.encoded)
        }
        let nonce = entropy.bytes(count: XChaCha20Poly1305.nonceByteCount)
        guard
            let sealed = try? XChaCha20Poly1305.seal(
                writer.bytes, key: rosterKey, nonce: nonce, associatedData: Self.associatedData(version: version))
        else { throw .malformed }
        let content = nonce + sealed
        guard content.count <= SignedRoster.maximumContentByteCount else { throw .tooLarge }
        return content
    }

    /// Opens the content of `roster`, which the caller has verified under the organisation root.
    /// The certificates inside are checked by the caller too (``SenderCertificate/verify(now:organisationRoot:)``).
    ///
    /// - Throws: ``ProtocolError/authenticationFailure`` if it was not sealed under this key for
    ///   this version; ``ProtocolError/malformed`` if it does not decode.
    public init(opening roster: SignedRoster, rosterKey: SecureBytes) throws(ProtocolError) {
        let content = roster.content
        let nonceCount = XChaCha20Poly1305.nonceByteCount
        guard rosterKey.count == Self.keyByteCount, content.count >= nonceCount + XChaCha20Poly1305.tagByteCount
        else { throw .malformed }
        guard
            let plaintext = try? XChaCha20Poly1305.open(
                Array(content[nonceCount...]), key: rosterKey, nonce: Array(content[..<nonceCount]),
                associatedData: Self.associatedData(version: roster.version))
        else { throw .authenticationFailure }
        var reader = ByteReader(plaintext)
        try reader.version(Self.version)
        let count = Int(try reader.u16())
        guard (1...Self.maximumEntryCount).contains(count) else { throw .malformed }
        var entries: [Entry] = []
        for _ in 0..<count {
            let name = try reader.utf8(try reader.vector8(maximum: Self.maximumNameByteCount))
            let card = try ContactCard(reading: &reader)
            entries.append(Entry(name: name, card: card, certificate: try SenderCertificate(reading: &reader)))
        }
        try reader.finish()
        try self.init(entries: entries)
    }

    static func associatedData(version: UInt64) -> [UInt8] {
        var field = ByteWriter()
        field.u64(version)
        return lengthPrefixed(Label.rosterContent, field.bytes)
    }
}
