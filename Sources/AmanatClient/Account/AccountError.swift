// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol

/// Why an account operation failed. Each case says what happened in words an app can show (or
/// translate); none carries a key, a passphrase or message content.
public enum AccountError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The profile could not be created, opened or written.
    case store(StoreError)
    /// The relay could not be reached or refused the request.
    case transport(TransportError)
    /// The invite does not decode or its voucher is not signed by its organisation key.
    case invalidInvite
    /// The invite's voucher has expired: ask the organisation for a new invite.
    case inviteExpired
    /// The invite's voucher was used already (by this invite, on another device or attempt).
    case inviteUsed
    /// The relay's roster is not signed by the organisation key, or its content does not open.
    case rosterInvalid
    /// The relay offered an older roster than the one this device holds.
    case rosterRollback
    /// The organisation has published no roster yet, so there is no one to send to.
    case noRoster
    /// The profile has not finished enrolling (or is a decoy).
    case notEnrolled
    /// This device cannot do that (a defender acting as an expert or the reverse).
    case notPermitted
    /// No contact or message with that id.
    case unknownContact
    /// The text or attachment list is too large for one message.
    case tooLarge
    /// An attachment could not be read, written or verified.
    case attachment(AttachmentError)
    /// A protocol step failed (a contact's prekeys did not verify, a key changed without a new
    /// roster).
    case protocolFailure(ProtocolError)
    /// The organisation has closed this device's mailbox because the device was reported lost or
    /// seized (SPEC.md §8.8), and this profile does not allow remote wiping (or the order asks
    /// only to shut it out): enrol again with a new invite.
    case mailboxFrozen
    /// The organisation's verified seizure order wiped this profile: nothing of it is left.
    case wipedBySeizureOrder
    /// The defender's device is reported lost or seized: a reply needs an explicit override,
    /// since whoever holds the device may be the one reading it.
    case caseSeized

    public var description: String {
        switch self {
        case .store(let error): error.description
        case .transport(let error): error.description
        case .invalidInvite: "the invite is not valid"
        case .inviteExpired: "the invite has expired; ask the organisation for a new one"
        case .inviteUsed: "this invite was already used; ask the organisation for a new one"
        case .rosterInvalid: "the list of experts from the relay is not signed by the organisation"
        case .rosterRollback: "the relay offered an older list of experts than the one on this device"
        case .noRoster: "the organisation has not published its list of experts yet"
        case .notEnrolled: "this profile is not enrolled with an organisation"
        case .notPermitted: "this device cannot do that"
        case .unknownContact: "there is no such contact or message"
        case .tooLarge: "the message is too large"
        case .attachment(let error): error.description
        case .mailboxFrozen:
            "the organisation has closed this device's mailbox because it was reported lost or seized"
        case .wipedBySeizureOrder: "the organisation's seizure order wiped this profile"
        case .caseSeized: "the defender's device is reported lost or seized; a reply needs an explicit override"
        case .protocolFailure(let error): "a security check failed (\(error))"
        }
    }
}
