// SPDX-License-Identifier: AGPL-3.0-or-later

/// An error from the Amanat protocol core.
///
/// Every failed verification (a signature, an AEAD tag, a header that opens under no key) is the
/// same ``authenticationFailure``. `description` is a fixed sentence without keys or data.
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case malformed
        case unsupportedVersion
        case authenticationFailure
        case duplicateMessage
        case tooManySkippedMessages
        case messageKeyExpired
        case expired
        case unknownPrekey
        case sessionNotEstablished
        case weakKey
        case tooLarge
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// Bytes that do not decode: truncated, oversized, out-of-range or trailing data.
    public static let malformed = Self(.malformed)
    /// A version byte this implementation does not know.
    public static let unsupportedVersion = Self(.unsupportedVersion)
    /// A signature, tag or header key did not verify.
    public static let authenticationFailure = Self(.authenticationFailure)
    /// A message that was already decrypted: a replay or a duplicate delivery.
    public static let duplicateMessage = Self(.duplicateMessage)
    /// Decrypting would store more skipped message keys than a session may hold.
    public static let tooManySkippedMessages = Self(.tooManySkippedMessages)
    /// A late message whose skipped key was deleted after its lifetime ran out.
    public static let messageKeyExpired = Self(.messageKeyExpired)
    /// A prekey, bundle or certificate is past its expiry time.
    public static let expired = Self(.expired)
    /// An initial message names a prekey this device does not have (used or rotated away).
    public static let unknownPrekey = Self(.unknownPrekey)
    /// The responder cannot send before it has received the first message.
    public static let sessionNotEstablished = Self(.sessionNotEstablished)
    /// A Diffie-Hellman result was all zeros: the peer sent a small-order key.
    public static let weakKey = Self(.weakKey)
    /// A payload is larger than the largest envelope can carry.
    public static let tooLarge = Self(.tooLarge)

    public var description: String {
        switch code {
        case .malformed: "the data is malformed"
        case .unsupportedVersion: "the data has an unsupported version"
        case .authenticationFailure: "authentication failed"
        case .duplicateMessage: "the message was already received"
        case .tooManySkippedMessages: "too many messages are missing in this session"
        case .messageKeyExpired: "the message arrived after its key expired"
        case .expired: "the key or certificate has expired"
        case .unknownPrekey: "the message uses a prekey this device no longer has"
        case .sessionNotEstablished: "the session is not established yet"
        case .weakKey: "a peer key is invalid"
        case .tooLarge: "the content is too large for an envelope"
        }
    }
}
