// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import ArgumentParser
import Foundation

/// What a terminal tool (`amanat`, `amanat-inbox`) tells the user when something fails: a catalogue key with its arguments, and
/// the exit code (sysexits.h), documented in each tool's `--help`:
///
/// | code | meaning |
/// | --- | --- |
/// | 0 | done |
/// | 64 | usage: unknown command or option, missing argument |
/// | 65 | data: invalid or expired invite, damaged profile, message too large |
/// | 66 | input: a file to send is missing or unreadable |
/// | 69 | network: relay, proxy or Tor unreachable, relay refused (try again later) |
/// | 70 | internal error |
/// | 73 | the profile cannot be written, or exists already |
/// | 75 | saved but not sent yet (relay unreachable): `amanat sync` sends it later |
/// | 76 | security: pin mismatch, a signature or key that does not verify |
/// | 77 | authentication: wrong passphrase, no profile, not enrolled |
public struct CommandError: Error {
    public let key: String
    public let arguments: [String]
    public let code: Int32

    public init(_ key: String, _ arguments: [String] = [], code: Int32) {
        self.key = key
        self.arguments = arguments
        self.code = code
    }

    public static let usage: Int32 = 64
    public static let data: Int32 = 65
    public static let input: Int32 = 66
    public static let network: Int32 = 69
    public static let software: Int32 = 70
    public static let cannotCreate: Int32 = 73
    public static let queued: Int32 = 75
    public static let security: Int32 = 76
    public static let authentication: Int32 = 77

    /// The user's error for a library error.
    public init(_ error: AccountError, profile: String) {
        switch error {
        case .store(let store):
            switch store {
            case .notFound: self.init("error.no-profile", [profile], code: Self.authentication)
            case .exists: self.init("error.profile-exists", [profile], code: Self.cannotCreate)
            case .wrongPassphrase, .notPermitted: self.init("error.wrong-passphrase", code: Self.authentication)
            case .corrupted: self.init("error.corrupted", code: Self.data)
            case .unwritable: self.init("error.unwritable", code: Self.cannotCreate)
            }
        case .transport(let transport):
            switch transport {
            case .unreachable, .connectionLost, .timedOut, .network, .relayUnavailable, .responseTooLarge:
                self.init("error.unreachable", code: Self.network)
            case .proxyFailure: self.init("error.proxy", code: Self.network)
            case .pinMismatch: self.init("error.pin", code: Self.security)
            case .tlsFailure: self.init("error.tls", code: Self.security)
            case .clockSkew: self.init("error.clock", code: Self.network)
            case .rateLimited(let seconds): self.init("error.rate-limited", [String(seconds)], code: Self.network)
            case .quotaFull: self.init("error.quota", code: Self.network)
            case .refused(let status, let code): self.init("error.relay", ["\(status) \(code)"], code: Self.network)
            case .invalidConfiguration(let reason): self.init("error.internal", [reason], code: Self.usage)
            case .badRelayAddress: self.init("error.relay-address", code: Self.usage)
            case .unexpectedAnswer: self.init("error.security", code: Self.security)
            case .mailboxFrozen: self.init("error.device-seized", code: Self.authentication)
            case .onionNeedsTor: self.init("error.onion-needs-tor", code: Self.usage)
            case .torNotConnected(let progress): self.init("error.tor", [String(progress)], code: Self.network)
            }
        case .invalidInvite: self.init("error.invalid-invite", code: Self.data)
        case .inviteExpired: self.init("error.expired-invite", code: Self.data)
        case .inviteUsed: self.init("error.used-invite", code: Self.data)
        case .rosterInvalid, .rosterRollback: self.init("error.roster", code: Self.security)
        case .noRoster: self.init("error.no-roster", code: Self.network)
        case .notEnrolled, .notPermitted: self.init("error.not-enrolled", code: Self.authentication)
        case .unknownContact: self.init("error.unknown-message", [""], code: Self.data)
        case .tooLarge: self.init("error.too-large", code: Self.data)
        case .attachment(.damagedImage): self.init("error.damaged-image", code: Self.data)
        case .attachment(.uncleanableDocument): self.init("error.uncleanable-document", code: Self.data)
        case .attachment(.tooLarge): self.init("error.too-large", code: Self.data)
        case .attachment(.unreadable): self.init("error.unreadable-file", [""], code: Self.input)
        case .attachment(let attachment):
            self.init("error.attachment", [attachment.description], code: Self.data)
        case .protocolFailure: self.init("error.security", code: Self.security)
        case .mailboxFrozen: self.init("error.device-seized", code: Self.authentication)
        case .caseSeized: self.init("error.case-seized", code: Self.authentication)
        // Said as a network failure, on purpose: whoever opened the seized device learns no
        // more than that the relay did not answer (SECURITY.md, "A seized device").
        case .wipedBySeizureOrder: self.init("error.unreachable", code: Self.network)
        }
    }
}
