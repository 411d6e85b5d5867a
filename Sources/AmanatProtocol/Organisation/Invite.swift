// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// One address of the relay and how to recognise it there (SPEC.md §16.1).
public struct RelayAddress: Equatable, Hashable, Sendable {
    /// The relay's base URL (`https://…`, or `http://….onion`).
    public let url: String
    /// SHA-256 of the relay's TLS SubjectPublicKeyInfo at this address, when it uses a
    /// certificate of its own.
    public let pin: [UInt8]?

    public init(url: String, pin: [UInt8]? = nil) {
        self.url = url
        self.pin = pin
    }

    /// Whether the address is an onion service (its host ends in `.onion`).
    public var isOnion: Bool { Self.isOnion(url) }

    /// Whether `url`'s host ends in `.onion`.
    public static func isOnion(_ url: String) -> Bool {
        guard let schemeEnd = url.range(of: "://") else { return false }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@").last.map { $0.split(separator: ":").first ?? "" } ?? ""
        return host.lowercased().hasSuffix(".onion")
    }
}

/// Everything a new device needs to join an organisation (SPEC.md §16.1): where the relay is and
/// how to recognise it (up to four addresses, tried in order), Tor bridges that reach it from
/// where Tor is blocked, the organisation root key, the key that opens the roster, and a voucher
/// for one mailbox, all signed by the organisation root, so that a single changed character
/// anywhere is caught before the voucher is spent.
///
///     version 2: u8 2 ‖ vector8(relay URL) ‖ vector8(pin) ‖ rest
///     version 3: u8 3 ‖ u8 n ‖ n × (vector8(relay URL) ‖ vector8(pin))
///                ‖ u8 m ‖ m × vector16(bridge line) ‖ rest
///     rest      = [32] organisationRoot ‖ [32] rosterKey ‖ Voucher ‖ [64] signature
///     signature = Ed25519(organisationRoot, lp("amanat/v1/invite") ‖ lp(every byte before it))
///
/// An invite with one address and no bridge is written as version 2, which every client reads.
/// As text: `amanat://invite/` followed by the encoding in base64url without padding.
public struct Invite: Equatable, Sendable, CustomStringConvertible, CustomReflectable {
    /// The text form's prefix.
    public static let uriPrefix = "amanat://invite/"
    /// The longest relay URL, in bytes.
    public static let maximumRelayByteCount = 255
    /// The most addresses an invite carries.
    public static let maximumAddressCount = 4
    /// The most bridge lines an invite carries, and the longest one, in bytes.
    public static let maximumBridgeCount = 4
    public static let maximumBridgeByteCount = 1024

    /// The relay's addresses, in the order a client tries them.
    public let addresses: [RelayAddress]
    /// Tor bridge lines (`obfs4 …`, `snowflake …`), as Tor's `Bridge` option takes them.
    public let bridges: [String]
    /// The organisation root key: it signs invites, vouchers, rosters and experts' sender certificates.
    public let organisationRoot: Ed25519.PublicKey
    /// The key the roster's content is sealed with (§16), never given to the relay.
    public let rosterKey: SecureBytes
    /// Permission to create one mailbox.
    public let voucher: Voucher
    /// The organisation root's signature over everything else.
    public let signature: [UInt8]

    /// The first address's URL (`https://…` or `http://….onion`).
    public var relay: String { addresses[0].url }
    /// The first address's pin.
    public var pin: [UInt8]? { addresses[0].pin }

    /// An invite for one address, signed by the organisation `root`. `pin` is 32 bytes or absent;
    /// `rosterKey` is 32 bytes.
    public init(
        relay: String, pin: [UInt8]?, rosterKey: SecureBytes, voucher: Voucher, signedBy root: Ed25519.PrivateKey
    ) throws(ProtocolError) {
        try self.init(
            addresses: [RelayAddress(url: relay, pin: pin)], bridges: [], rosterKey: rosterKey, voucher: voucher,
            signedBy: root)
    }

    /// An invite signed by the organisation `root`: 1–4 distinct addresses, 0–4 bridge lines of
    /// printable ASCII (1–1,024 bytes each).
    public init(
        addresses: [RelayAddress], bridges: [String], rosterKey: SecureBytes, voucher: Voucher,
        signedBy root: Ed25519.PrivateKey
    ) throws(ProtocolError) {
        let body = try Self.body(
            addresses: addresses, bridges: bridges, organisationRoot: root.publicKey, rosterKey: rosterKey,
            voucher: voucher)
        self.init(
            addresses: addresses, bridges: bridges, organisationRoot: root.publicKey, rosterKey: rosterKey,
            voucher: voucher, signature: root.signature(for: lengthPrefixed(Label.invite, body)))
    }

    private init(
        addresses: [RelayAddress], bridges: [String], organisationRoot: Ed25519.PublicKey, rosterKey: SecureBytes,
        voucher: Voucher, signature: [UInt8]
    ) {
        self.addresses = addresses
        self.bridges = bridges
        self.organisationRoot = organisationRoot
        self.rosterKey = rosterKey
        self.voucher = voucher
        self.signature = signature
    }

    /// Whether `line` may stand in an invite as a bridge line: 1–1,024 bytes of printable ASCII
    /// without `"`, `#` or `\`, so that it is one whole value in a Tor configuration (no line
    /// break, quoted string, comment or continuation can come through it).
    public static func isValidBridge(_ line: String) -> Bool {
        let bytes = Array(line.utf8)
        return !bytes.isEmpty && bytes.count <= maximumBridgeByteCount
            && bytes.allSatisfy { (0x20...0x7E).contains($0) && $0 != 0x22 && $0 != 0x23 && $0 != 0x5C }
    }

    /// Everything the signature covers.
    static func body(
        addresses: [RelayAddress], bridges: [String], organisationRoot: Ed25519.PublicKey, rosterKey: SecureBytes,
        voucher: Voucher
    ) throws(ProtocolError) -> [UInt8] {
        guard (1...maximumAddressCount).contains(addresses.count), Set(addresses.map(\.url)).count == addresses.count,
            addresses.allSatisfy({
                !$0.url.isEmpty && $0.url.utf8.count <= maximumRelayByteCount && ($0.pin == nil || $0.pin?.count == 32)
            }),
            bridges.count <= maximumBridgeCount, bridges.allSatisfy(isValidBridge),
            rosterKey.count == RosterContent.keyByteCount
        else { throw .malformed }
        var writer = ByteWriter(capacity: 256 + Voucher.byteCount)
        if addresses.count == 1 && bridges.isEmpty {
            writer.u8(2)
            writer.vector8(Array(addresses[0].url.utf8))
            writer.vector8(addresses[0].pin ?? [])
        } else {
            writer.u8(3)
            writer.u8(UInt8(addresses.count))
            for address in addresses {
                writer.vector8(Array(address.url.utf8))
                writer.vector8(address.pin ?? [])
            }
            writer.u8(UInt8(bridges.count))
            for bridge in bridges { writer.vector16(Array(bridge.utf8)) }
        }
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
        func address() throws(ProtocolError) -> RelayAddress {
            let relay = try reader.utf8(try reader.vector8())
            let pin = try reader.vector8()
            guard !relay.isEmpty, pin.isEmpty || pin.count == 32 else { throw .malformed }
            return RelayAddress(url: relay, pin: pin.isEmpty ? nil : pin)
        }
        var addresses: [RelayAddress] = []
        var bridges: [String] = []
        switch try reader.u8() {
        case 2:
            addresses = [try address()]
        case 3:
            let count = Int(try reader.u8())
            guard (1...Self.maximumAddressCount).contains(count) else { throw .malformed }
            for _ in 0..<count { addresses.append(try address()) }
            guard Set(addresses.map(\.url)).count == count else { throw .malformed }
            let bridgeCount = Int(try reader.u8())
            guard bridgeCount <= Self.maximumBridgeCount else { throw .malformed }
            for _ in 0..<bridgeCount {
                let line = try reader.utf8(try reader.vector16(maximum: Self.maximumBridgeByteCount))
                guard Self.isValidBridge(line) else { throw .malformed }
                bridges.append(line)
            }
            // One address and no bridge is written as version 2: a version 3 form of it would be
            // a second encoding of the same invite.
            guard addresses.count > 1 || !bridges.isEmpty else { throw .malformed }
        default:
            throw .unsupportedVersion
        }
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
            addresses: addresses, bridges: bridges, organisationRoot: root, rosterKey: rosterKey, voucher: voucher,
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
                addresses: addresses, bridges: bridges, organisationRoot: organisationRoot, rosterKey: rosterKey,
                voucher: voucher)) ?? []
        return body + signature
    }

    /// The text form, `amanat://invite/…`.
    public var text: String { Self.uriPrefix + Base64URL.encode(encoded) }

    /// The first address's pin as libcurl and the relay print it: `sha256//` and standard base64.
    public var pinText: String? { pin.map(Self.pinText) }

    /// A pin as libcurl and the relay print it: `sha256//` and standard base64.
    public static func pinText(_ pin: [UInt8]) -> String { "sha256//" + Base64URL.encodeStandard(pin) }

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
                addresses: addresses, bridges: bridges, organisationRoot: organisationRoot, rosterKey: rosterKey,
                voucher: voucher),
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

    public var description: String { "Invite(relay: \(relay), \(addresses.count) address(es), redacted)" }
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
