// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// The PQXDH-shaped handshake (SPEC.md §5): X25519 terms for authentication and forward
/// secrecy, an X-Wing term for confidentiality against a quantum adversary.
public enum Handshake {
    /// Starts a session with the device that published `bundle`.
    ///
    /// Entropy is drawn in this order: the ephemeral key, the first ratchet key, the first
    /// X-Wing ratchet key (SPEC.md §5.2).
    ///
    /// - Throws: the bundle's verification errors (``ProtocolError/expired``,
    ///   ``ProtocolError/authenticationFailure``), ``ProtocolError/weakKey``.
    public static func initiate(
        from identity: DeviceIdentity,
        to bundle: PrekeyBundle,
        now: UInt64,
        configuration: RatchetConfiguration = .standard,
        entropy: inout some EntropySource,
        encapsulator: inout some XWingEncapsulator
    ) throws(ProtocolError) -> RatchetSession {
        try bundle.verify(now: now)
        guard let signedPrekey = bundle.signedPrekey.x25519Key,
            let postQuantumPrekey = bundle.postQuantumPrekey.xWingKey
        else { throw .malformed }
        let oneTimePrekey = bundle.oneTimePrekey?.x25519Key
        let ephemeral = entropy.x25519()
        var secrets = [
            try RatchetSession.agree(identity.agreementKey, signedPrekey),
            try RatchetSession.agree(ephemeral, bundle.identity.agreementKey),
            try RatchetSession.agree(ephemeral, signedPrekey),
        ]
        if let oneTimePrekey {
            secrets.append(try RatchetSession.agree(ephemeral, oneTimePrekey))
        }
        let encapsulation = try encapsulator.encapsulate(to: postQuantumPrekey)
        secrets.append(encapsulation.sharedSecret)
        let keys = deriveKeys(
            secrets: secrets, initiator: identity.publicKey, responder: bundle.identity,
            signedPrekey: signedPrekey, postQuantumPrekey: postQuantumPrekey, oneTimePrekey: oneTimePrekey,
            ephemeralKey: ephemeral.publicKey, ciphertext: encapsulation.encapsulation)
        var session = try RatchetSession(
            initiatorWith: keys.sharedSecret, headerKey: keys.initiatorHeaderKey,
            nextReceivingHeaderKey: keys.responderHeaderKey, remoteRatchetKey: signedPrekey,
            remoteIdentity: bundle.identity,
            associatedData: sessionAssociatedData(initiator: identity.publicKey, responder: bundle.identity),
            configuration: configuration, now: now, entropy: &entropy)
        session.pendingHandshake = PendingHandshake(
            initiatorIdentity: identity.publicKey, ephemeralKey: ephemeral.publicKey,
            signedPrekeyId: bundle.signedPrekey.id, postQuantumPrekeyKind: bundle.postQuantumPrekey.kind,
            postQuantumPrekeyId: bundle.postQuantumPrekey.id, oneTimePrekeyId: bundle.oneTimePrekey?.id,
            postQuantumCiphertext: encapsulation.encapsulation)
        return session
    }

    /// Answers an initial message with the private prekeys it names, and decrypts its ratchet
    /// message. Nothing is kept unless that decryption succeeds: only then may the caller delete
    /// the one-time prekeys it used.
    ///
    /// - Throws: ``ProtocolError/unknownPrekey`` when the one-time prekey given does not match
    ///   the message; ``ProtocolError/authenticationFailure`` when the keys are not the ones the
    ///   initiator used or the message was altered.
    public static func respond(
        to message: InitialMessage,
        identity: DeviceIdentity,
        signedPrekey: X25519.PrivateKey,
        postQuantumPrekey: XWing.PrivateKey,
        oneTimePrekey: X25519.PrivateKey?,
        now: UInt64,
        configuration: RatchetConfiguration = .standard
    ) throws(ProtocolError) -> (session: RatchetSession, plaintext: [UInt8]) {
        guard (message.oneTimePrekeyId == nil) == (oneTimePrekey == nil) else { throw .unknownPrekey }
        let initiator = message.initiatorIdentity
        var secrets = [
            try RatchetSession.agree(signedPrekey, initiator.agreementKey),
            try RatchetSession.agree(identity.agreementKey, message.ephemeralKey),
            try RatchetSession.agree(signedPrekey, message.ephemeralKey),
        ]
        if let oneTimePrekey {
            secrets.append(try RatchetSession.agree(oneTimePrekey, message.ephemeralKey))
        }
        do {
            secrets.append(try postQuantumPrekey.decapsulate(message.postQuantumCiphertext))
        } catch {
            throw .malformed
        }
        let keys = deriveKeys(
            secrets: secrets, initiator: initiator, responder: identity.publicKey,
            signedPrekey: signedPrekey.publicKey, postQuantumPrekey: postQuantumPrekey.publicKey,
            oneTimePrekey: oneTimePrekey?.publicKey, ephemeralKey: message.ephemeralKey,
            ciphertext: message.postQuantumCiphertext)
        var session = RatchetSession(
            responderWith: keys.sharedSecret, ratchetKey: signedPrekey, headerKey: keys.initiatorHeaderKey,
            nextSendingHeaderKey: keys.responderHeaderKey, remoteIdentity: initiator,
            associatedData: sessionAssociatedData(initiator: initiator, responder: identity.publicKey),
            configuration: configuration, now: now)
        let plaintext = try session.decrypt(message.ratchetMessage, now: now)
        return (session, plaintext)
    }

    // MARK: - Key schedule (SPEC.md §5.2)

    /// The handshake's output: the ratchet's first root key and the two first header keys.
    public struct Keys: Sendable {
        /// SK.
        public let sharedSecret: SecureBytes
        /// HK_A: the initiator's first sending header key.
        public let initiatorHeaderKey: SecureBytes
        /// NHK_B: the responder's first sending header key.
        public let responderHeaderKey: SecureBytes
    }

    /// `HKDF-SHA256(salt = 32 zero bytes, ikm = lp(0xFF × 32) ‖ lp(DH1) ‖ lp(DH2) ‖ lp(DH3)
    /// [‖ lp(DH4)] ‖ lp(SS), info = lp(label) ‖ lp(IK_A) ‖ lp(IK_B) ‖ lp(SPK_B) ‖ lp(PQPK_B) ‖
    /// lp(OPK_B or empty) ‖ lp(EK_A) ‖ lp(CT))`, 96 bytes: SK ‖ HK_A ‖ NHK_B.
    ///
    /// Public so that test vectors can show the intermediate values; apps never need it.
    public static func deriveKeys(
        secrets: [SecureBytes], initiator: IdentityKey, responder: IdentityKey, signedPrekey: X25519.PublicKey,
        postQuantumPrekey: XWing.PublicKey, oneTimePrekey: X25519.PublicKey?, ephemeralKey: X25519.PublicKey,
        ciphertext: [UInt8]
    ) -> Keys {
        var inputKeyMaterial = lengthPrefixedSecret(SecureBytes(copying: [UInt8](repeating: 0xFF, count: 32)))
        for secret in secrets {
            inputKeyMaterial = inputKeyMaterial.appending(lengthPrefixedSecret(secret))
        }
        let info = lengthPrefixed(
            Label.handshake, initiator.encoded, responder.encoded, signedPrekey.rawRepresentation,
            postQuantumPrekey.rawRepresentation, oneTimePrekey?.rawRepresentation ?? [],
            ephemeralKey.rawRepresentation, ciphertext)
        let output = RatchetKDF.derive(inputKeyMaterial, salt: SecureBytes(zeroedCount: 32), info: info, count: 96)
        return Keys(
            sharedSecret: output.extracting(0..<32), initiatorHeaderKey: output.extracting(32..<64),
            responderHeaderKey: output.extracting(64..<96))
    }

    /// `lp(label) ‖ lp(IK_A keys) ‖ lp(IK_B keys)`, bound into every header and message AEAD.
    public static func sessionAssociatedData(initiator: IdentityKey, responder: IdentityKey) -> [UInt8] {
        lengthPrefixed(Label.session, initiator.keyBytes, responder.keyBytes)
    }
}
