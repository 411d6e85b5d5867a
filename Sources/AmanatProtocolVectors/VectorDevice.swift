// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

/// A device whose every key comes from one seed, drawn in a fixed order: identity signing seed,
/// identity agreement key, signed prekey (id 1), last-resort X-Wing prekey (id 2), one-time X-Wing
/// prekey (id 4), one-time X25519 prekey (id 3), sealing key (id 5).
public struct VectorDevice: Sendable {
    public let name: String
    /// The seed every key comes from.
    public let deviceSeed: [UInt8]
    public let identity: DeviceIdentity
    public let signedPrekey: X25519.PrivateKey
    public let lastResortPrekey: XWing.PrivateKey
    public let oneTimePostQuantumPrekey: XWing.PrivateKey
    public let oneTimePrekey: X25519.PrivateKey
    public let sealingKey: XWing.PrivateKey
    public static let expiresAt: UInt64 = 1_900_000_000

    /// The device named `name`, from the seed `BLAKE2b-256("amanat/v1/test-vector-seed/device/" ‖ name)`.
    public init(_ name: String) {
        self.init(name: name, seed: seed("device/" + name))
    }

    /// A device from any 32-byte seed: for fuzzers and benchmarks that need a realistic device.
    public init(name: String, seed deviceSeed: [UInt8]) {
        self.name = name
        self.deviceSeed = deviceSeed
        var entropy = SeededEntropy(seed: deviceSeed)
        identity = DeviceIdentity(
            signingKey: try! Ed25519.PrivateKey(seed: SecureBytes(copying: entropy.bytes(count: 32))),
            agreementKey: try! X25519.PrivateKey(rawRepresentation: SecureBytes(copying: entropy.bytes(count: 32))))
        signedPrekey = try! X25519.PrivateKey(rawRepresentation: SecureBytes(copying: entropy.bytes(count: 32)))
        lastResortPrekey = try! XWing.PrivateKey(seed: SecureBytes(copying: entropy.bytes(count: 32)))
        oneTimePostQuantumPrekey = try! XWing.PrivateKey(seed: SecureBytes(copying: entropy.bytes(count: 32)))
        oneTimePrekey = try! X25519.PrivateKey(rawRepresentation: SecureBytes(copying: entropy.bytes(count: 32)))
        sealingKey = try! XWing.PrivateKey(seed: SecureBytes(copying: entropy.bytes(count: 32)))
    }

    func signed(_ kind: SignedPrekey.Kind, _ id: UInt32, _ key: [UInt8], expiresAt: UInt64 = expiresAt) -> SignedPrekey
    {
        SignedPrekey(kind: kind, id: id, expiresAt: expiresAt, publicKey: key, signedBy: identity)
    }

    public var signedPrekeyRecord: SignedPrekey { signed(.signedX25519, 1, signedPrekey.publicKey.rawRepresentation) }
    public var sealingKeyRecord: SignedPrekey { signed(.sealingXWing, 5, sealingKey.publicKey.rawRepresentation) }

    /// The bundle with both one-time prekeys, or with only the last-resort X-Wing prekey.
    public func bundle(withOneTimePrekeys: Bool) -> PrekeyBundle {
        PrekeyBundle(
            identity: identity.publicKey, signedPrekey: signedPrekeyRecord,
            postQuantumPrekey: withOneTimePrekeys
                ? signed(.oneTimeXWing, 4, oneTimePostQuantumPrekey.publicKey.rawRepresentation)
                : signed(.lastResortXWing, 2, lastResortPrekey.publicKey.rawRepresentation),
            sealingKey: sealingKeyRecord,
            oneTimePrekey: withOneTimePrekeys
                ? signed(.oneTimeX25519, 3, oneTimePrekey.publicKey.rawRepresentation) : nil)
    }

    /// Answers an initial message with the prekeys it names.
    public func respond(
        to bytes: [UInt8], now: UInt64, configuration: RatchetConfiguration
    ) throws(ProtocolError) -> (session: RatchetSession, plaintext: [UInt8]) {
        let message = try InitialMessage(decoding: bytes)
        return try Handshake.respond(
            to: message, identity: identity, signedPrekey: signedPrekey,
            postQuantumPrekey: message.postQuantumPrekeyKind == .oneTimeXWing
                ? oneTimePostQuantumPrekey : lastResortPrekey,
            oneTimePrekey: message.oneTimePrekeyId == nil ? nil : oneTimePrekey, now: now, configuration: configuration)
    }

    /// The device's secrets as a vector shows them.
    public var secrets: DeviceSecrets {
        DeviceSecrets(
            name: name, seed: hex(deviceSeed), identitySigningSeed: hex(identity.signingKey.seed),
            identityAgreementKey: hex(identity.agreementKey.rawRepresentation),
            identity: hex(identity.publicKey.encoded),
            signedPrekey: hex(signedPrekey.rawRepresentation), lastResortPrekeySeed: hex(lastResortPrekey.seed),
            oneTimePostQuantumPrekeySeed: hex(oneTimePostQuantumPrekey.seed),
            oneTimePrekey: hex(oneTimePrekey.rawRepresentation), sealingKeySeed: hex(sealingKey.seed))
    }
}

/// A device's keys in a vector file.
public struct DeviceSecrets: Codable, Equatable, Sendable {
    public let name: String
    public let seed: String
    public let identitySigningSeed: String
    public let identityAgreementKey: String
    public let identity: String
    public let signedPrekey: String
    public let lastResortPrekeySeed: String
    public let oneTimePostQuantumPrekeySeed: String
    public let oneTimePrekey: String
    public let sealingKeySeed: String
}
