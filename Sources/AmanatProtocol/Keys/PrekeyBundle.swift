// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// What a sender needs to start a session with one device (SPEC.md §4.3):
///
///     u8 version = 1
///     IdentityKey identity                      128 bytes
///     SignedPrekey signedPrekey                 kind 1 (X25519)
///     SignedPrekey postQuantumPrekey            kind 4 (one-time) or 2 (last resort)
///     SignedPrekey sealingKey                   kind 5
///     u8 hasOneTimePrekey (0 or 1)
///     [SignedPrekey oneTimePrekey]              kind 3
public struct PrekeyBundle: Hashable, Sendable {
    static let version: UInt8 = 1

    /// The device's identity.
    public let identity: IdentityKey
    /// The X25519 signed prekey.
    public let signedPrekey: SignedPrekey
    /// A one-time X-Wing prekey, or the last-resort one when none is left.
    public let postQuantumPrekey: SignedPrekey
    /// The X-Wing key envelopes to this device are sealed to.
    public let sealingKey: SignedPrekey
    /// A one-time X25519 prekey, when one is left.
    public let oneTimePrekey: SignedPrekey?

    /// Assembles a bundle; ``verify(now:)`` checks it.
    public init(
        identity: IdentityKey, signedPrekey: SignedPrekey, postQuantumPrekey: SignedPrekey,
        sealingKey: SignedPrekey, oneTimePrekey: SignedPrekey?
    ) {
        self.identity = identity
        self.signedPrekey = signedPrekey
        self.postQuantumPrekey = postQuantumPrekey
        self.sealingKey = sealingKey
        self.oneTimePrekey = oneTimePrekey
    }

    /// The encoding.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 4096)
        writer.u8(Self.version)
        writer.fixed(identity.encoded)
        signedPrekey.write(to: &writer)
        postQuantumPrekey.write(to: &writer)
        sealingKey.write(to: &writer)
        writer.u8(oneTimePrekey == nil ? 0 : 1)
        oneTimePrekey?.write(to: &writer)
        return writer.bytes
    }

    /// Decodes a bundle and checks that every key is of the kind its slot requires and signed by
    /// the identity. Expiry is checked by ``verify(now:)``.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try reader.version(Self.version)
        identity = try IdentityKey(reading: &reader)
        signedPrekey = try SignedPrekey(reading: &reader)
        postQuantumPrekey = try SignedPrekey(reading: &reader)
        sealingKey = try SignedPrekey(reading: &reader)
        oneTimePrekey = try reader.bool() ? try SignedPrekey(reading: &reader) : nil
        try reader.finish()
        try checkKinds()
    }

    /// Checks kinds, signatures and expiry at `now` (Unix seconds).
    ///
    /// - Throws: ``ProtocolError/malformed`` for a key in the wrong slot,
    ///   ``ProtocolError/authenticationFailure`` for a bad signature, ``ProtocolError/expired``.
    public func verify(now: UInt64) throws(ProtocolError) {
        try checkKinds()
        for prekey in [signedPrekey, postQuantumPrekey, sealingKey] + (oneTimePrekey.map { [$0] } ?? []) {
            try prekey.verify(by: identity, now: now)
        }
    }

    private func checkKinds() throws(ProtocolError) {
        guard signedPrekey.kind == .signedX25519,
            postQuantumPrekey.kind == .oneTimeXWing || postQuantumPrekey.kind == .lastResortXWing,
            sealingKey.kind == .sealingXWing,
            oneTimePrekey == nil || oneTimePrekey?.kind == .oneTimeX25519
        else { throw .malformed }
    }
}
