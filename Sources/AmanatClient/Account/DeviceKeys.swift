// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

/// A private key with its signed public half, as the device publishes it.
struct OwnPrekey<Key: Sendable>: Sendable {
    let privateKey: Key
    let published: SignedPrekey
}

/// This device's long-lived private keys (DESIGN §3): its identity, the signed X25519 prekey, the
/// last-resort X-Wing prekey and the X-Wing sealing key; and its mailbox's credentials. Stored
/// only sealed in the profile (setting `keys`), encoded in secret memory:
///
///     u8 version = 1 ‖ [32] identity signing seed ‖ [32] identity agreement scalar
///     ‖ [32] signed prekey scalar ‖ vector16(SignedPrekey)
///     ‖ [32] last-resort seed ‖ vector16(SignedPrekey) ‖ [32] sealing seed ‖ vector16(SignedPrekey)
///     ‖ [32] mailbox id ‖ [32] owner seed ‖ [32] deposit key ‖ [32] directory key
struct DeviceKeys: Sendable, CustomStringConvertible, CustomReflectable {
    let identity: DeviceIdentity
    let signedPrekey: OwnPrekey<X25519.PrivateKey>
    let lastResortPrekey: OwnPrekey<XWing.PrivateKey>
    let sealingKey: OwnPrekey<XWing.PrivateKey>
    let mailbox: MailboxCredentials

    /// How long published prekeys stay valid. Rotation is not implemented yet, so this is long.
    static let prekeyLifetime: UInt64 = 365 * 86_400

    /// Fresh keys. Prekey ids: 1 signed, 2 last resort, 3 sealing; one-time ones start at 16.
    static func generate(now: UInt64) -> DeviceKeys {
        var entropy = SystemEntropy()
        let identity = DeviceIdentity.generate(using: &entropy)
        let expiresAt = now + prekeyLifetime
        let signed = X25519.PrivateKey()
        let lastResort = XWing.PrivateKey()
        let sealing = XWing.PrivateKey()
        return DeviceKeys(
            identity: identity,
            signedPrekey: OwnPrekey(
                privateKey: signed,
                published: SignedPrekey(
                    kind: .signedX25519, id: 1, expiresAt: expiresAt, publicKey: signed.publicKey.rawRepresentation,
                    signedBy: identity)),
            lastResortPrekey: OwnPrekey(
                privateKey: lastResort,
                published: SignedPrekey(
                    kind: .lastResortXWing, id: 2, expiresAt: expiresAt,
                    publicKey: lastResort.publicKey.rawRepresentation, signedBy: identity)),
            sealingKey: OwnPrekey(
                privateKey: sealing,
                published: SignedPrekey(
                    kind: .sealingXWing, id: 3, expiresAt: expiresAt, publicKey: sealing.publicKey.rawRepresentation,
                    signedBy: identity)),
            mailbox: .generate())
    }

    /// The card that lets contacts reach this device.
    /// The same keys with `depositKey` as the mailbox's deposit key (SPEC.md §8.1).
    func replacingDepositKey(with depositKey: SecureBytes) -> DeviceKeys {
        DeviceKeys(
            identity: identity, signedPrekey: signedPrekey, lastResortPrekey: lastResortPrekey, sealingKey: sealingKey,
            mailbox: MailboxCredentials(
                id: mailbox.id, ownerKey: mailbox.ownerKey, depositKey: depositKey, directoryKey: mailbox.directoryKey))
    }

    var contactCard: ContactCard {
        ContactCard(
            mailbox: mailbox.id, depositKey: mailbox.depositKey, directoryKey: mailbox.directoryKey,
            devices: [ContactCard.Device(identity: identity.publicKey, sealingKey: sealingKey.published)])
    }

    var encoded: SecureBytes {
        var writer = ByteWriter(capacity: 8192)
        writer.u8(1)
        writer.fixed(identity.signingKey.seed)
        writer.fixed(identity.agreementKey.rawRepresentation)
        writer.fixed(signedPrekey.privateKey.rawRepresentation)
        writer.vector16(signedPrekey.published.encoded)
        writer.fixed(lastResortPrekey.privateKey.seed)
        writer.vector16(lastResortPrekey.published.encoded)
        writer.fixed(sealingKey.privateKey.seed)
        writer.vector16(sealingKey.published.encoded)
        writer.fixed(mailbox.id.bytes)
        writer.fixed(mailbox.ownerKey.seed)
        writer.fixed(mailbox.depositKey)
        writer.fixed(mailbox.directoryKey)
        var bytes = writer.bytes
        return SecureBytes(moving: &bytes)
    }

    init(decoding secret: SecureBytes) throws(StoreError) {
        var bytes = secret.withUnsafeBytes { Array($0) }
        defer { bytes.secureWipe() }
        try self.init(decodingBytes: bytes)
    }

    /// Decodes in a scope of its own, so that no reader still shares the bytes when they are wiped.
    private init(decodingBytes bytes: [UInt8]) throws(StoreError) {
        do {
            var reader = ByteReader(bytes)
            try reader.version(1)
            identity = DeviceIdentity(
                signingKey: try Ed25519.PrivateKey(seed: try reader.fixedSecret(32)),
                agreementKey: try X25519.PrivateKey(rawRepresentation: try reader.fixedSecret(32)))
            signedPrekey = OwnPrekey(
                privateKey: try X25519.PrivateKey(rawRepresentation: try reader.fixedSecret(32)),
                published: try SignedPrekey(decoding: try reader.vector16()))
            lastResortPrekey = OwnPrekey(
                privateKey: try XWing.PrivateKey(seed: try reader.fixedSecret(32)),
                published: try SignedPrekey(decoding: try reader.vector16()))
            sealingKey = OwnPrekey(
                privateKey: try XWing.PrivateKey(seed: try reader.fixedSecret(32)),
                published: try SignedPrekey(decoding: try reader.vector16()))
            mailbox = MailboxCredentials(
                id: try reader.identifier(), ownerKey: try Ed25519.PrivateKey(seed: try reader.fixedSecret(32)),
                depositKey: try reader.fixedSecret(32), directoryKey: try reader.fixedSecret(32))
            try reader.finish()
        } catch {
            throw .corrupted
        }
    }

    private init(
        identity: DeviceIdentity, signedPrekey: OwnPrekey<X25519.PrivateKey>,
        lastResortPrekey: OwnPrekey<XWing.PrivateKey>, sealingKey: OwnPrekey<XWing.PrivateKey>,
        mailbox: MailboxCredentials
    ) {
        self.identity = identity
        self.signedPrekey = signedPrekey
        self.lastResortPrekey = lastResortPrekey
        self.sealingKey = sealingKey
        self.mailbox = mailbox
    }

    var description: String { "DeviceKeys(redacted)" }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
