// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// Everything a new device needs to join an organisation (SPEC.md §16.1): where the relay is and
/// how to recognise it, the organisation root key, the key that opens the roster, and a voucher
/// for one mailbox, all signed by the organisation root, so that a single changed character
/// anywhere is caught before the voucher is spent.
///
///     u8 version = 2 ‖ vector8(relay URL) ‖ vector8(pin: empty or SHA-256 of the relay's SPKI)
///     ‖ [32] organisationRoot ‖ [32] rosterKey ‖ Voucher ‖ [64] signature
///     signature = Ed25519(organisationRoot, lp("amanat/v1/invite") ‖ lp(every byte before it))
///
/// As text: `amanat://invite/` followed by the encoding in base64url without padding.
public struct Invite: Equatable, Sendable, CustomStringConvertible, CustomReflectable {
    static let version: UInt8 = 2
    /// The text form's prefix.
    public static let uriPrefix = "amanat://invite/"
    /// The longest relay URL, in bytes.
    public static let maximumRelayByteCount = 255

    /// The relay's base URL (`https://…` or `http://….onion`).
    public let relay: String
    /// SHA-256 of the relay's TLS SubjectPublicKeyInfo, when it uses a certificate of its own.
    public let pin: [UInt8]?
    /// The organisation root key: it signs invites, vouchers, rosters and experts' sender certificates.
    public let organisationRoot: Ed25519.PublicKey
    /// The key the roster's content is sealed with (§16), never given to the relay.
    public let rosterKey: SecureBytes
    /// Permission to create one mailbox.
    public let voucher: Voucher
    /// The organisation root's signature over everything else.
    public let signature: [UInt8]

    /// An invite signed by the organisation `root`. `pin` is 32 bytes or absent; `rosterKey` is 32 bytes.
    public init(
        relay: String, pin: [UInt8]?, rosterKey: SecureBytes, voucher: Voucher, signedBy root: Ed25519.PrivateKey
    ) throws(ProtocolError) {
        let body = try Self.body(
            relay: relay, pin: pin, organisationRoot: root.publicKey, rosterKey: rosterKey, voucher: voucher)
        self.init(
            relay: relay, pin: pin, organisationRoot: root.publicKey, rosterKey: rosterKey, voucher: voucher,
            signature: root.signature(for: lengthPrefixed(Label.invite, body)))
    }

    private init(
        relay: String, pin: [UInt8]?, organisationRoot: Ed25519.PublicKey, rosterKey: SecureBytes, voucher: Voucher,
        signature: [UInt8]
    ) {
        self.relay = relay
        self.pin = pin
        self.organisationRoot = organisationRoot
        self.rosterKey = rosterKey
        self.voucher = voucher
        self.signature = signature
    }

    /// Everything the signature covers.
    static func body(
        relay: String, pin: [UInt8]?, organisationRoot: Ed25519.PublicKey, rosterKey: SecureBytes, voucher: Voucher
    ) throws(ProtocolError) -> [UInt8] {
        guard !relay.isEmpty, relay.utf8.count <= Self.maximumRelayByteCount, pin == nil || pin?.count == 32,
            rosterKey.count == RosterContent.keyByteCount
        else { throw .malformed }
        var writer = ByteWriter(capacity: 256 + Voucher.byteCount)
        writer.u8(Self.version)
        writer.vector8(Array(relay.utf8))
        writer.vector8(pin ?? [])
        writer.fixed(organisationRoot.rawRepresentation)
        writer.fixed(rosterKey)
        writer.fixed(voucher.encoded)
        return writer.bytes
    }

    /// Decodes the binary form; ``verify(now:)`` checks it.
    ///
    /// - Throws: ``ProtocolError/unsupportedVersion`` for another version (version 1 invites,
    ///   which were not signed, among them), ``ProtocolError/malformed``.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try reader.version(Self.version)
        let relay = try reader.utf8(try reader.vector8())
        guard !relay.isEmpty else { throw .malformed }
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
        let signature = try reader.fixed(Ed25519.signatureByteCount)
        try reader.finish()
        self.init(
            relay: relay, pin: pin.isEmpty ? nil : pin, organisationRoot: root, rosterKey: rosterKey, voucher: voucher,
            signature: signature)
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
        // The fields were checked when the invite was made or decoded.
        let body =
            (try? Self.body(
                relay: relay, pin: pin, organisationRoot: organisationRoot, rosterKey: rosterKey, voucher: voucher))
            ?? []
        return body + signature
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

    /// Checks the invite's signature by its own root, then the voucher's signature and expiry.
    /// (That the root is the organisation's is what the person handing over the invite vouches
    /// for; the check code lets them compare it.)
    ///
    /// - Throws: ``ProtocolError/authenticationFailure`` or ``ProtocolError/expired``.
    public func verify(now: UInt64) throws(ProtocolError) {
        guard
            let body = try? Self.body(
                relay: relay, pin: pin, organisationRoot: organisationRoot, rosterKey: rosterKey, voucher: voucher),
            organisationRoot.isValidSignature(signature, for: lengthPrefixed(Label.invite, body))
        else { throw .authenticationFailure }
        try voucher.verify(root: organisationRoot, now: now)
    }

    /// A short code the person handing over the invite and the person enrolling can compare
    /// (read aloud, or written beside a printed invite): eight digits in two groups of four, from
    /// `BLAKE2b-256(lp("amanat/v1/invite-check") ‖ lp(encoded))`, its first four bytes as a
    /// big-endian number modulo 10⁸.
    public var checkCode: String {
        let hash = (try? BLAKE2b.hash(lengthPrefixed(Label.inviteCheck, encoded))) ?? []
        let value = hash.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) } % 100_000_000
        let digits = String(value)
        let padded = String(repeating: "0", count: 8 - digits.count) + digits
        return String(padded.prefix(4)) + "-" + String(padded.suffix(4))
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
