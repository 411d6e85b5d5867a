// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol

/// Why a request to the relay did not get a usable answer. Each case says what happened in terms
/// a user can act on; none carries a URL, key, body or address.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The relay (or the proxy's path to it) could not be reached: nothing was sent.
    case unreachable
    /// The connection broke after the request went out, before the whole answer came back: the
    /// relay may have acted on it.
    case connectionLost
    /// The configured proxy could not be reached or refused the connection.
    case proxyFailure
    /// The relay's TLS key is not the pinned one: someone may be intercepting the connection.
    case pinMismatch
    /// TLS failed for another reason (protocol, certificate).
    case tlsFailure
    /// No answer within the configured time.
    case timedOut
    /// The answer was larger than allowed.
    case responseTooLarge
    /// The relay says to slow down; retry after this many seconds.
    case rateLimited(retryAfter: Int)
    /// The mailbox (or the relay's blob storage) is full.
    case quotaFull
    /// The relay refused a signed request's time: this device's clock is off by more than 5 minutes.
    case clockSkew
    /// The relay refused the request with this HTTP status and error code.
    case refused(status: Int, code: RelayErrorCode)
    /// The relay says this device's mailbox is frozen by the organisation's seizure order
    /// (SPEC.md §8.8); the order comes with it, not yet verified.
    case mailboxFrozen(order: [UInt8])
    /// The relay's own storage failed; nothing was stored, retry later.
    case relayUnavailable
    /// The configuration is unsafe or malformed (for example a proxy that would resolve names
    /// locally).
    case invalidConfiguration(String)
    /// The relay address is not a full `https://` URL (`http://` only for `.onion` and loopback).
    case badRelayAddress
    /// Another network failure, by libcurl's error number.
    case network(code: Int)
    /// The relay's only usable addresses are onion addresses, and this profile reaches the relay
    /// without Tor (no proxy, no Tor of its own): nothing was sent, and no name was looked up.
    case onionNeedsTor
    /// The Tor this client runs for the profile could not connect to the Tor network in time
    /// (bridges blocked or dead, no network): nothing was sent, by Tor or any other way.
    case torNotConnected(progress: Int)
    /// The relay answered, but not as the protocol says (a missing field, a receipt that does not
    /// verify): a broken or impostor relay.
    case unexpectedAnswer

    /// The seconds a relay's `Retry-After` asks for, as this client waits them: 1 to 3,600 (a
    /// negative, zero or absurd value from a broken or hostile relay is clamped), and 60 for a
    /// missing or unreadable one (an HTTP date counts as unreadable).
    public static func retryAfter(_ header: String?) -> Int {
        guard let header, let seconds = Int(header.trimmingCharacters(in: .whitespaces)) else { return 60 }
        return min(max(seconds, 1), 3600)
    }

    public var description: String {
        switch self {
        case .unreachable: "the relay cannot be reached"
        case .connectionLost: "the connection to the relay broke before its answer arrived"
        case .proxyFailure: "the proxy cannot be reached or refused the connection"
        case .pinMismatch: "the relay's key does not match the pinned key; the connection may be intercepted"
        case .tlsFailure: "the secure connection to the relay failed"
        case .timedOut: "the relay did not answer in time"
        case .responseTooLarge: "the relay's answer was too large"
        case .rateLimited(let seconds): "the relay asks to wait \(seconds) s before trying again"
        case .quotaFull: "the mailbox is full"
        case .clockSkew: "this device's clock is wrong by more than five minutes"
        case .refused(let status, let code): "the relay refused the request (\(status) \(code))"
        case .mailboxFrozen: "the relay says the organisation has closed this device's mailbox"
        case .relayUnavailable: "the relay could not store the data; try again later"
        case .invalidConfiguration(let reason): "the connection settings are unsafe or invalid: \(reason)"
        case .badRelayAddress: "the relay address must be a full https:// URL (http:// only for .onion or loopback)"
        case .network(let code): "network error (libcurl \(code))"
        case .unexpectedAnswer: "the relay's answer does not follow the protocol"
        case .onionNeedsTor: "the relay's address is an onion address: it needs Tor (a proxy, or Tor run by the client)"
        case .torNotConnected(let progress): "Tor could not connect to its network (it reached \(progress) %)"
        }
    }

    /// Whether the relay may have carried out the request although no answer came back (the
    /// connection broke or timed out after the request was sent, or the answer was garbled).
    /// Every other failure means the relay did not act on it.
    public var mayHaveBeenCarriedOut: Bool {
        switch self {
        case .connectionLost, .timedOut, .network, .unexpectedAnswer, .responseTooLarge: true
        default: false
        }
    }

    /// Whether the request failed before any byte of it could reach the relay at this address
    /// (no connection, the proxy could not reach it, TLS failed, the pin did not match), so that
    /// it may go to another address of the relay (SPEC.md §16.1).
    public var nothingReachedTheRelay: Bool {
        switch self {
        case .unreachable, .proxyFailure, .tlsFailure, .pinMismatch: true
        default: false
        }
    }

    /// Whether trying the same request again later may succeed.
    public var isTransient: Bool {
        switch self {
        case .unreachable, .connectionLost, .proxyFailure, .timedOut, .rateLimited, .relayUnavailable, .network,
            .torNotConnected:
            true
        default: false
        }
    }
}
