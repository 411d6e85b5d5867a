// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// A mailbox owner's signature on a request to the relay (SPEC.md §8.2): fetch, ack, prekey
/// upload, deposit-key rotation.
///
///     input = lp("amanat/v1/request") ‖ lp(method) ‖ lp(path) ‖ lp(BLAKE2b-256(body))
///             ‖ lp(u64 timestamp) ‖ lp(nonce[16]) ‖ lp(mailboxId)
///     signature = Ed25519(mailboxKey, input)
///
/// `method` is the upper-case HTTP method, `path` the request target with its query exactly as
/// sent. The relay accepts a timestamp within ±5 minutes of its clock and each nonce once.
public struct RequestSignature: Hashable, Sendable {
    /// The nonce length in bytes.
    public static let nonceByteCount = 16
    /// How far a request's timestamp may be from the relay's clock, in seconds.
    public static let allowedClockSkew: UInt64 = 300

    /// The mailbox the request is for.
    public let mailbox: MailboxID
    /// Unix seconds when the request was signed.
    public let timestamp: UInt64
    /// 16 random bytes, never reused.
    public let nonce: [UInt8]
    /// The Ed25519 signature.
    public let signature: [UInt8]

    /// Signs a request with the mailbox key.
    public init(
        method: String, path: String, body: [UInt8], mailbox: MailboxID, timestamp: UInt64, nonce: [UInt8],
        mailboxKey: Ed25519.PrivateKey
    ) {
        self.mailbox = mailbox
        self.timestamp = timestamp
        self.nonce = nonce
        signature = mailboxKey.signature(
            for: Self.input(
                method: method, path: path, body: body, mailbox: mailbox, timestamp: timestamp, nonce: nonce))
    }

    /// A signature received from a client, to be verified.
    public init(mailbox: MailboxID, timestamp: UInt64, nonce: [UInt8], signature: [UInt8]) {
        self.mailbox = mailbox
        self.timestamp = timestamp
        self.nonce = nonce
        self.signature = signature
    }

    /// Checks the signature by `mailboxKey` and the timestamp against `now`. Replay of the nonce
    /// is the relay's to check, with its nonce cache.
    ///
    /// - Throws: ``ProtocolError/authenticationFailure`` for a bad signature or wrong sizes,
    ///   ``ProtocolError/expired`` for a timestamp outside the window.
    public func verify(
        method: String, path: String, body: [UInt8], mailboxKey: Ed25519.PublicKey, now: UInt64
    ) throws(ProtocolError) {
        guard nonce.count == Self.nonceByteCount else { throw .authenticationFailure }
        let input = Self.input(
            method: method, path: path, body: body, mailbox: mailbox, timestamp: timestamp, nonce: nonce)
        guard mailboxKey.isValidSignature(signature, for: input) else { throw .authenticationFailure }
        let skew = now > timestamp ? now - timestamp : timestamp - now
        guard skew <= Self.allowedClockSkew else { throw .expired }
    }

    static func input(
        method: String, path: String, body: [UInt8], mailbox: MailboxID, timestamp: UInt64, nonce: [UInt8]
    ) -> [UInt8] {
        var time = ByteWriter()
        time.u64(timestamp)
        // Cannot fail: 32 is a valid BLAKE2b output length.
        let bodyDigest = try! BLAKE2b.hash(body)
        return lengthPrefixed(
            Label.request, Array(method.uppercased().utf8), Array(path.utf8), bodyDigest, time.bytes, nonce,
            mailbox.bytes)
    }
}
