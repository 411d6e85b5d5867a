// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// Everything a new device needs to join an organisation (SPEC.md §16): where the relay is and
/// how to recognise it, the organisation root key, the key that opens the roster, and a voucher
/// for one mailbox.
///
///     u8 version = 1 ‖ vector8(relay URL) ‖ vector8(pin: empty or SHA-256 of the relay's SPKI)
///     ‖ [32] organisationRoot ‖ [32] rosterKey ‖ Voucher
///
/// As text: `amanat://invite/` followed by the encoding in base64url without padding.
public struct Invite: Equatable, Sendable, CustomStringConvertible, CustomReflectable {
    static let version: UInt8 = 1
    /// The text form's prefix.
    public static let uriPrefix = "amanat://invite/"
    /// The longest relay URL, in bytes.
    public static let maximumRelayByteCount = 255

    /// The relay's base URL (`https://…` or `http://….onion`).
    public let relay: String
    /// SHA-256 of the relay's TLS SubjectPublicKeyInfo, when it uses a certificate of its own.
    public let pin: [UInt8]?
    /// The organisation root key: it signs vouchers, rosters and experts' sender certificates.
    public let organisationRoot: Ed25519.PublicKey
    /// The key the roster's content is sealed with (§16), never given to the relay.
    public let rosterKey: SecureBytes
    /// Permission to create one mailbox.
    public let voucher: Voucher

    /// An invite. `pin` is 32 bytes or absent; `rosterKey` is 32 bytes.
    public init(
        relay: String, pin: [UInt8]?, organisationRoot: Ed25519.PublicKey, rosterKey: SecureBytes, voucher: Voucher
    ) throws(ProtocolError) {
        guard !relay.isEmpty, relay.utf8.count <= Self.maximumRelayByteCount, pin == nil || pin?.count == 32,
            rosterKey.count == RosterContent.keyByteCount
        else { throw .malformed }
        self.relay = relay
        self.pin = pin
        self.organisationRoot = organisationRoot
        self.rosterKey = rosterKey
        self.voucher = voucher
    }

    /// Decodes the binary form.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try reader.version(Self.version)
        let relay = try reader.utf8(try reader.vector8())
        let pin = try reader.vector8()
        guard pin.isEmpty || pin.count == 32 else { throw .malformed }
        let root: Ed25519.PublicKey
        do {
            root = try Ed25519.PublicKey(rawRepresentation: try reader.fixed(Ed25519.publicKeyByteCount))
        } catch {
            throw .malformed
        }
        let rosterKey = try reader.fixedSecret(RosterContent.keyByteCount)
        let voucher = try Voucher(decoding: try reader.fixed(Voucher.byteCount))
        try reader.finish()
        try self.init(
            relay: relay, pin: pin.isEmpty ? nil : pin, organisationRoot: root, rosterKey: rosterKey, voucher: voucher)
    }

    /// Decodes the text form, `amanat://invite/…`, ignoring surrounding white space.
    public init(text: String) throws(ProtocolError) {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.hasPrefix(Self.uriPrefix),
            let bytes = Base64URL.decode(String(trimmed.dropFirst(Self.uriPrefix.count)))
        else { throw .malformed }
        try self.init(decoding: bytes)
    }

    /// The binary form.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 256 + Voucher.byteCount)
        writer.u8(Self.version)
        writer.vector8(Array(relay.utf8))
        writer.vector8(pin ?? [])
        writer.fixed(organisationRoot.rawRepresentation)
        writer.fixed(rosterKey)
        writer.fixed(voucher.encoded)
        return writer.bytes
    }

    /// The text form, `amanat://invite/…`.
    public var text: String { Self.uriPrefix + Base64URL.encode(encoded) }

    /// The pin as libcurl and the relay print it: `sha256//` and standard base64.
    public var pinText: String? { pin.map { "sha256//" + Base64URL.encodeStandard($0) } }

    /// Reads a pin as the relay prints it, `sha256//` and the base64 of 32 bytes.
    public static func pin(fromText text: String) throws(ProtocolError) -> [UInt8] {
        guard text.hasPrefix("sha256//"), let pin = Base64URL.decodeStandard(String(text.dropFirst(8))),
            pin.count == 32
        else { throw .malformed }
        return pin
    }

    /// Checks the voucher's signature by the invite's own root and its expiry. (That the root is
    /// the organisation's is what the person handing over the invite vouches for.)
    ///
    /// - Throws: ``ProtocolError/authenticationFailure`` or ``ProtocolError/expired``.
    public func verify(now: UInt64) throws(ProtocolError) {
        try voucher.verify(root: organisationRoot, now: now)
    }

    public var description: String { "Invite(relay: \(relay), redacted)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
