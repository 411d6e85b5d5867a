// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Hummingbird

/// An error answered over HTTP: a status and a JSON body `{"error": "<code>"}` with a stable,
/// machine-readable code. Nothing about the request (ids, keys, sizes) goes in the body.
public struct RelayHTTPError: HTTPResponseError, Equatable {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// The stable code.
    public let code: String
    /// Seconds after which a retry may succeed (sent as Retry-After), for 429.
    public let retryAfter: Int?

    init(_ status: HTTPResponse.Status, _ code: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.retryAfter = retryAfter
    }

    /// Too many requests for now.
    static func rateLimited(retryAfter: Int) -> Self {
        Self(.tooManyRequests, "rate_limited", retryAfter: retryAfter)
    }

    static let malformedJSON = Self(.badRequest, "malformed_json")
    static let malformedEnvelope = Self(.badRequest, "malformed_envelope")
    static let invalidField = Self(.badRequest, "invalid_field")
    static let bodyTooLarge = Self(.contentTooLarge, "body_too_large")
    static let badSignature = Self(.unauthorized, "bad_signature")
    static let staleTimestamp = Self(.unauthorized, "stale_timestamp")
    static let replayedNonce = Self(.unauthorized, "replayed_nonce")
    static let badDepositToken = Self(.forbidden, "bad_deposit_token")
    static let invalidVoucher = Self(.forbidden, "invalid_voucher")
    static let expiredVoucher = Self(.forbidden, "expired_voucher")
    static let badUploadKey = Self(.forbidden, "bad_upload_key")
    static let tooManyConnections = Self(.tooManyRequests, "too_many_connections")
    static let malformedRoster = Self(.badRequest, "malformed_roster")
    static let badRosterSignature = Self(.forbidden, "bad_roster_signature")

    /// The HTTP form of a store error.
    init(_ error: RelayError) {
        switch error {
        case .unknownMailbox, .noPrekeys, .unknownBlob, .noRoster: self.init(.notFound, error.code)
        case .mailboxExists, .voucherAlreadyUsed, .mailboxFull, .prekeysFull, .blobIncomplete, .blobComplete,
            .blobStorageFull, .staleRoster:
            self.init(.conflict, error.code)
        case .invalidRequest: self.init(.badRequest, error.code)
        default: self.init(.serviceUnavailable, error.code)
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder().encode(["error": code])
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Base64url without padding (RFC 4648 §5), for binary fields in JSON and headers.
public enum Base64URL {
    /// The base64url text of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of base64url `text`, or nil if it is not base64url.
    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.count <= 1 << 20,
            text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map { Array($0) }
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
            case .notFound: throw RelayHTTPError(.notFound, "not_found")
            case .methodNotAllowed: throw RelayHTTPError(.methodNotAllowed, "method_not_allowed")
            case .contentTooLarge: throw RelayHTTPError.bodyTooLarge
            case let status where (400..<500).contains(status.code): throw RelayHTTPError(status, "bad_request")
            default: throw RelayHTTPError(.internalServerError, "internal_error")
            }
        } catch {
            throw RelayHTTPError(.internalServerError, "internal_error")
        }
    }
}
