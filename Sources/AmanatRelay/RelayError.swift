// SPDX-License-Identifier: AGPL-3.0-or-later

/// An error the relay reports. Each has a stable machine-readable ``code`` for the JSON body of an
/// HTTP error, and a fixed `description` without ids, keys or sizes.
public struct RelayError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: String, Hashable, Sendable {
        case unknownMailbox = "unknown_mailbox"
        case mailboxExists = "mailbox_exists"
        case voucherAlreadyUsed = "voucher_used"
        case mailboxFull = "mailbox_full"
        case invalidRequest = "invalid_request"
        case storageFailure = "storage_failure"
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

    /// The stable code, e.g. `mailbox_full`.
    public var code: String { value.rawValue }

    public var description: String {
        switch value {
        case .unknownMailbox: "no such mailbox"
        case .mailboxExists: "the mailbox exists already"
        case .voucherAlreadyUsed: "the voucher was already used"
        case .mailboxFull: "the mailbox is full"
        case .invalidRequest: "the request is invalid"
        case .storageFailure: "the relay could not store the data"
        }
    }
}
