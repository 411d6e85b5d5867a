// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import Foundation
import Hummingbird

/// An error answered over HTTP: a status and a JSON body `{"error": "<code>"}` with a stable,
/// machine-readable code. Nothing about the request (ids, keys, sizes) goes in the body.
public struct RelayHTTPError: HTTPResponseError, Equatable {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// The stable code.
    public let code: RelayErrorCode
    /// Seconds after which a retry may succeed (sent as Retry-After), for 429.
    public let retryAfter: Int?
    /// The seizure order, for `mailbox_frozen` (SPEC.md §8.8): the only error that says more
    /// than its code, and only to the holder of the mailbox key.
    public let order: [UInt8]?

    init(_ status: HTTPResponse.Status, _ code: RelayErrorCode, retryAfter: Int? = nil, order: [UInt8]? = nil) {
        self.status = status
        self.code = code
        self.retryAfter = retryAfter
        self.order = order
    }

    /// The mailbox is frozen by `order`.
    static func mailboxFrozen(order: [UInt8]) -> Self {
        Self(.forbidden, .mailboxFrozen, order: order)
    }

    /// Too many requests for now.
    static func rateLimited(retryAfter: Int) -> Self {
        Self(.tooManyRequests, .rateLimited, retryAfter: retryAfter)
    }

    static let malformedJSON = Self(.badRequest, .malformedJSON)
    static let malformedEnvelope = Self(.badRequest, .malformedEnvelope)
    static let invalidField = Self(.badRequest, .invalidField)
    static let bodyTooLarge = Self(.contentTooLarge, .bodyTooLarge)
    static let badSignature = Self(.unauthorized, .badSignature)
    static let staleTimestamp = Self(.unauthorized, .staleTimestamp)
    static let replayedNonce = Self(.unauthorized, .replayedNonce)
    static let badDepositToken = Self(.forbidden, .badDepositToken)
    static let invalidVoucher = Self(.forbidden, .invalidVoucher)
    static let expiredVoucher = Self(.forbidden, .expiredVoucher)
    static let badUploadKey = Self(.forbidden, .badUploadKey)
    static let tooManyConnections = Self(.tooManyRequests, .tooManyConnections)
    static let requestTimeout = Self(.requestTimeout, .requestTimeout)
    static let expectationFailed = Self(.expectationFailed, .expectationFailed)
    static let malformedRoster = Self(.badRequest, .malformedRoster)
    static let badRosterSignature = Self(.forbidden, .badRosterSignature)
    static let invalidOrder = Self(.forbidden, .invalidOrder)
    static let expiredOrder = Self(.forbidden, .expiredOrder)
    static let internalError = Self(.internalServerError, .internalError)

    /// The HTTP form of a store error.
    init(_ error: RelayError) {
        switch error {
        case .unknownMailbox, .noPrekeys, .unknownBlob, .noRoster: self.init(.notFound, error.code)
        case .mailboxExists, .voucherAlreadyUsed, .mailboxFull, .prekeysFull, .blobIncomplete, .blobComplete,
            .blobStorageFull, .staleRoster:
            self.init(.conflict, error.code)
        case .invalidRequest: self.init(.badRequest, error.code)
        case .badDepositToken: self = .badDepositToken
        case .badConfirmation: self.init(.forbidden, error.code)
        default: self.init(.serviceUnavailable, error.code)
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headerFields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The body: `{"error": "<code>"}`, with `"order"` for a frozen mailbox
    /// (`RelayAPI.ErrorResponse`; codes and base64url are plain ASCII, nothing to escape).
    var body: [UInt8] {
        guard let order else { return Array(#"{"error":"\#(code.rawValue)"}"#.utf8) }
        return Array(#"{"error":"\#(code.rawValue)","order":"\#(Base64URL.encode(order))"}"#.utf8)
    }

    /// Content type, and Retry-After when there is one.
    var headerFields: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { fields[.retryAfter] = String(retryAfter) }
        return fields
    }

    /// The answer written straight to a connection that closes after it (outside the router):
    /// its head, with Content-Length and `Connection: close`, and its body.
    var closingResponse: (head: HTTPResponse, body: ByteBuffer) {
        let body = ByteBuffer(bytes: body)
        var fields = headerFields
        fields[.contentLength] = String(body.readableBytes)
        fields[.connection] = "close"
        return (HTTPResponse(status: status, headerFields: fields), body)
    }
}

/// Gives every error the relay's JSON form, including those the framework raises itself (no such
/// route, wrong method, body too large), so clients always get `{"error": "<code>"}`. Anything
/// unexpected becomes a bare `internal_error`, with nothing of the error's text.
struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as RelayHTTPError {
            throw error
        } catch let error as HTTPError {
            switch error.status {
            case .notFound: throw RelayHTTPError(.notFound, .notFound)
            case .methodNotAllowed: throw RelayHTTPError(.methodNotAllowed, .methodNotAllowed)
            case .contentTooLarge: throw RelayHTTPError.bodyTooLarge
            case let status where (400..<500).contains(status.code): throw RelayHTTPError(status, .badRequest)
            default: throw RelayHTTPError.internalError
            }
        } catch {
            throw RelayHTTPError.internalError
        }
    }
}

/// Refuses at once, from the head, a body larger than any route takes (413) or an `Expect` other
/// than `100-continue` (417), instead of waiting for a body that may never come (issue #18).
struct RequestBoundsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The largest body any route accepts.
    let maximumBody: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let expect = request.headers[.expect], expect.lowercased() != "100-continue" {
            throw RelayHTTPError.expectationFailed
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBody {
            throw RelayHTTPError.bodyTooLarge
        }
        return try await next(request, context)
    }
}
