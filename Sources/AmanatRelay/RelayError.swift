// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol

/// An error the relay reports. Each has a stable machine-readable ``code`` for the JSON body of an
/// HTTP error, and a fixed `description` without ids, keys or sizes.
public struct RelayError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unknownMailbox, mailboxExists, voucherAlreadyUsed, mailboxFull, invalidRequest, storageFailure
        case prekeysFull, noPrekeys, unknownBlob, blobIncomplete, blobComplete, blobStorageFull, staleRoster
        case noRoster, badDepositToken, badConfirmation
    }

    private let value: Code

    private init(_ value: Code) {
        self.value = value
    }

    /// No mailbox has that id.
    public static let unknownMailbox = Self(.unknownMailbox)
    /// A mailbox with that id exists already.
    public static let mailboxExists = Self(.mailboxExists)
    /// The voucher was redeemed before.
    public static let voucherAlreadyUsed = Self(.voucherAlreadyUsed)
    /// The mailbox holds as many envelopes or bytes as its quota allows.
    public static let mailboxFull = Self(.mailboxFull)
    /// A field has the wrong size or form.
    public static let invalidRequest = Self(.invalidRequest)
    /// The database failed; nothing was acknowledged.
    public static let storageFailure = Self(.storageFailure)

    /// A prekey pool would hold more entries than the relay allows.
    public static let prekeysFull = Self(.prekeysFull)
    /// The mailbox has published no prekeys.
    public static let noPrekeys = Self(.noPrekeys)
    /// No blob has that id (or it was deleted).
    public static let unknownBlob = Self(.unknownBlob)
    /// The blob is still being uploaded.
    public static let blobIncomplete = Self(.blobIncomplete)
    /// The blob is complete and that chunk differs from the one stored.
    public static let blobComplete = Self(.blobComplete)
    /// The relay holds as many blob bytes as it allows.
    public static let blobStorageFull = Self(.blobStorageFull)
    /// A roster with the same or a higher version is already published.
    public static let staleRoster = Self(.staleRoster)
    /// No roster was published yet.
    public static let noRoster = Self(.noRoster)

    /// The deposit token does not match the mailbox's deposit key.
    public static let badDepositToken = Self(.badDepositToken)
    /// The confirmation key is not one of the blob's recipients' (SPEC.md §9.4).
    public static let badConfirmation = Self(.badConfirmation)

    /// The stable code, e.g. `mailbox_full`.
    public var code: RelayErrorCode {
        switch value {
        case .unknownMailbox: .unknownMailbox
        case .mailboxExists: .mailboxExists
        case .voucherAlreadyUsed: .voucherUsed
        case .mailboxFull: .mailboxFull
        case .invalidRequest: .invalidRequest
        case .storageFailure: .storageFailure
        case .prekeysFull: .prekeysFull
        case .noPrekeys: .noPrekeys
        case .unknownBlob: .unknownBlob
        case .blobIncomplete: .blobIncomplete
        case .blobComplete: .blobComplete
        case .blobStorageFull: .blobStorageFull
        case .staleRoster: .staleRoster
        case .noRoster: .noRoster
        case .badDepositToken: .badDepositToken
        case .badConfirmation: .badConfirmationKey
        }
    }

    public var description: String {
        switch value {
        case .unknownMailbox: "no such mailbox"
        case .mailboxExists: "the mailbox exists already"
        case .voucherAlreadyUsed: "the voucher was already used"
        case .mailboxFull: "the mailbox is full"
        case .invalidRequest: "the request is invalid"
        case .storageFailure: "the relay could not store the data"
        case .prekeysFull: "too many prekeys"
        case .noPrekeys: "no prekeys were published"
        case .unknownBlob: "no such blob"
        case .blobIncomplete: "the blob is not fully uploaded"
        case .blobComplete: "the blob is complete and differs"
        case .blobStorageFull: "the relay's blob storage is full"
        case .staleRoster: "a roster of that version or newer exists"
        case .noRoster: "no roster was published"
        case .badDepositToken: "the deposit token is wrong"
        case .badConfirmation: "the confirmation key is wrong"
        }
    }
}
