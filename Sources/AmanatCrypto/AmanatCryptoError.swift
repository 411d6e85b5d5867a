// SPDX-License-Identifier: AGPL-3.0-or-later

/// An error from AmanatCrypto.
///
/// Every failed verification (AEAD tag, signature, MAC, stream chunk) is the same
/// ``authenticationFailure``: an attacker learns nothing about which check failed. The
/// `description` is a fixed sentence and never contains keys, plaintext, ciphertext or paths.
public struct AmanatCryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case authenticationFailure
        case invalidKeySize
        case invalidNonceSize
        case invalidInputSize
        case invalidParameters
        case weakPublicKey
        case truncatedStream
        case dataAfterFinalChunk
        case streamFinished
        case resourceExhausted
        case fileUnreadable
        case fileUnwritable
        case kemFailure
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// A tag, signature or MAC did not verify: wrong key, wrong associated data, or tampered bytes.
    public static let authenticationFailure = Self(.authenticationFailure)
    /// A key had the wrong number of bytes for its algorithm.
    public static let invalidKeySize = Self(.invalidKeySize)
    /// A nonce had the wrong number of bytes for its algorithm.
    public static let invalidNonceSize = Self(.invalidNonceSize)
    /// An input was too short, too long, or not of the size its format requires.
    public static let invalidInputSize = Self(.invalidInputSize)
    /// A parameter (an output length, a cost level) is outside what the algorithm allows.
    public static let invalidParameters = Self(.invalidParameters)
    /// A Diffie-Hellman computation gave an all-zero result: the peer's key is of small order.
    public static let weakPublicKey = Self(.weakPublicKey)
    /// An encrypted stream ended before its final chunk: it was truncated.
    public static let truncatedStream = Self(.truncatedStream)
    /// An encrypted stream has bytes after its final chunk.
    public static let dataAfterFinalChunk = Self(.dataAfterFinalChunk)
    /// A stream was used after its final chunk was written or read.
    public static let streamFinished = Self(.streamFinished)
    /// The system could not provide the memory an operation needs (for example Argon2id's).
    public static let resourceExhausted = Self(.resourceExhausted)
    /// An input file is missing or cannot be read.
    public static let fileUnreadable = Self(.fileUnreadable)
    /// An output file cannot be created or written.
    public static let fileUnwritable = Self(.fileUnwritable)
    /// The KEM rejected a key or an encapsulation.
    public static let kemFailure = Self(.kemFailure)

    public var description: String {
        switch code {
        case .authenticationFailure: "authentication failed: the data was altered or the key is wrong"
        case .invalidKeySize: "a key has the wrong size"
        case .invalidNonceSize: "a nonce has the wrong size"
        case .invalidInputSize: "an input has an invalid size"
        case .invalidParameters: "a parameter is outside the allowed range"
        case .weakPublicKey: "a public key is of small order"
        case .truncatedStream: "the encrypted stream is truncated"
        case .dataAfterFinalChunk: "the encrypted stream has data after its final chunk"
        case .streamFinished: "the stream was already finished"
        case .resourceExhausted: "not enough memory for the operation"
        case .fileUnreadable: "a file cannot be read"
        case .fileUnwritable: "a file cannot be written"
        case .kemFailure: "the key encapsulation failed"
        }
    }
}
