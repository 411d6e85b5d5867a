// SPDX-License-Identifier: AGPL-3.0-or-later

/// The machine-readable code of a relay error, the `error` of its JSON body `{"error": "<code>"}`
/// (`Protocol/openapi.yaml`, schema `Error`). The relay answers with these and the client matches
/// on them; neither side spells a code as a string of its own.
///
/// An open set, like an HTTP status: a code this build does not know (from a newer relay, or
/// `http_<status>` when an answer had no body) is kept as it came.
public struct RelayErrorCode: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The code as sent, e.g. `mailbox_full`.
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// The code for an error answer that carried none: `http_<status>`.
    public static func status(_ status: Int) -> Self { Self(rawValue: "http_\(status)") }

    // MARK: - Malformed requests (400, 413, 417)

    /// The body is not the JSON the route takes.
    public static let malformedJSON: Self = "malformed_json"
    /// A field has the wrong size or form.
    public static let invalidField: Self = "invalid_field"
    /// The body is not a sealed envelope of one of the bucket sizes.
    public static let malformedEnvelope: Self = "malformed_envelope"
    /// The body is not a signed roster.
    public static let malformedRoster: Self = "malformed_roster"
    /// Another malformed request.
    public static let badRequest: Self = "bad_request"
    /// A request the store found invalid.
    public static let invalidRequest: Self = "invalid_request"
    /// The body is larger than the route takes.
    public static let bodyTooLarge: Self = "body_too_large"
    /// An `Expect` other than `100-continue`.
    public static let expectationFailed: Self = "expectation_failed"
    /// A request head over the parser's limit (431).
    public static let headersTooLarge: Self = "headers_too_large"
    /// A request that is not HTTP the parser can read.
    public static let malformedRequest: Self = "malformed_request"

    // MARK: - Authentication and authorisation (401, 403)

    /// An owner request's signature does not verify (or names no mailbox).
    public static let badSignature: Self = "bad_signature"
    /// An owner request's time is more than 5 minutes from the relay's.
    public static let staleTimestamp: Self = "stale_timestamp"
    /// An owner request's nonce was seen before.
    public static let replayedNonce: Self = "replayed_nonce"
    /// A contact's deposit token does not check against the mailbox's deposit key.
    public static let badDepositToken: Self = "bad_deposit_token"
    /// The voucher is not signed by the organisation root.
    public static let invalidVoucher: Self = "invalid_voucher"
    /// The voucher is past its expiry.
    public static let expiredVoucher: Self = "expired_voucher"
    /// The upload key is not the blob's.
    public static let badUploadKey: Self = "bad_upload_key"
    /// The confirmation key is not one of the blob's recipients' (SPEC.md §9.4).
    public static let badConfirmationKey: Self = "bad_confirmation_key"
    /// The roster is not signed by the organisation root.
    public static let badRosterSignature: Self = "bad_roster_signature"
    /// A seizure order does not verify under the organisation root for this mailbox (SPEC.md §8.8).
    public static let invalidOrder: Self = "invalid_order"
    /// A seizure order is past its expiry.
    public static let expiredOrder: Self = "expired_order"
    /// The mailbox was frozen by a seizure order; the answer carries the order (SPEC.md §8.8).
    public static let mailboxFrozen: Self = "mailbox_frozen"

    // MARK: - Not found (404, 405)

    /// No mailbox has that id.
    public static let unknownMailbox: Self = "unknown_mailbox"
    /// The mailbox has published no prekeys.
    public static let noPrekeys: Self = "no_prekeys"
    /// No blob has that id (or it was deleted).
    public static let unknownBlob: Self = "unknown_blob"
    /// No roster was published yet.
    public static let noRoster: Self = "no_roster"
    /// No such route.
    public static let notFound: Self = "not_found"
    /// The route does not take that method.
    public static let methodNotAllowed: Self = "method_not_allowed"

    // MARK: - Conflicts (409)

    /// A mailbox with that id exists already.
    public static let mailboxExists: Self = "mailbox_exists"
    /// The voucher was redeemed for another mailbox.
    public static let voucherUsed: Self = "voucher_used"
    /// The mailbox holds as many envelopes or bytes as its quota allows.
    public static let mailboxFull: Self = "mailbox_full"
    /// A prekey pool would hold more entries than the relay allows.
    public static let prekeysFull: Self = "prekeys_full"
    /// The blob is still being uploaded.
    public static let blobIncomplete: Self = "blob_incomplete"
    /// The blob is complete and that chunk differs from the one stored.
    public static let blobComplete: Self = "blob_complete"
    /// The relay holds as many blob bytes as it allows.
    public static let blobStorageFull: Self = "blob_storage_full"
    /// A roster with the same or a higher version is already published.
    public static let staleRoster: Self = "stale_roster"

    // MARK: - Load and failures (408, 429, 5xx)

    /// Too many requests for now (with `Retry-After`).
    public static let rateLimited: Self = "rate_limited"
    /// Too many push connections or waiters.
    public static let tooManyConnections: Self = "too_many_connections"
    /// The request did not arrive in time.
    public static let requestTimeout: Self = "request_timeout"
    /// The relay's database failed; nothing was stored.
    public static let storageFailure: Self = "storage_failure"
    /// Anything unexpected, with nothing of its text.
    public static let internalError: Self = "internal_error"

    /// Every code the relay sends, as openapi.yaml's `Error` schema lists them (a test checks
    /// the two agree).
    public static let all: [Self] = [
        .malformedJSON, .invalidField, .malformedEnvelope, .malformedRoster, .badRequest, .badSignature,
        .staleTimestamp, .replayedNonce, .badDepositToken, .invalidVoucher, .expiredVoucher, .badUploadKey,
        .badConfirmationKey, .badRosterSignature, .unknownMailbox, .noPrekeys, .unknownBlob, .noRoster, .notFound,
        .methodNotAllowed, .mailboxExists, .voucherUsed, .mailboxFull, .prekeysFull, .blobIncomplete,
        .blobComplete, .blobStorageFull, .staleRoster, .bodyTooLarge, .rateLimited, .tooManyConnections,
        .requestTimeout, .invalidRequest, .storageFailure, .internalError, .expectationFailed, .headersTooLarge,
        .malformedRequest, .invalidOrder, .expiredOrder, .mailboxFrozen,
    ]
}
