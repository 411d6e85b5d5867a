// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import CCurl
import Dispatch
import Foundation
import Synchronization

/// How the client reaches its relay.
public struct TransportConfiguration: Sendable {
    /// The relay's base URL: `https://…`, or plain `http://` only for a `.onion` address (Tor
    /// encrypts end to end) or loopback (tests, a local relay).
    public var relay: String
    /// A SOCKS proxy such as Tor's, `socks5h://127.0.0.1:9050`. Only `socks5h` is accepted: it
    /// lets the proxy resolve names, so no DNS query for the relay leaves this device.
    public var proxy: String?
    /// The relay's TLS public-key pin from the invite, `sha256//<base64>`. With a pin, the pin is
    /// the trust anchor (relays often use self-signed certificates); without one, the usual
    /// certificate authorities are.
    public var pin: String?
    /// Time to set up a connection (Tor circuits are slow: default one minute).
    public var connectTimeout: Duration = .seconds(60)
    /// Time for a whole request, connection included (default three minutes).
    public var requestTimeout: Duration = .seconds(180)
    /// The largest answer accepted.
    public var maximumResponseBytes = 16 << 20
    /// Connections kept open to the relay (each request takes one; more wait).
    public var connections = 4
    /// The relay's other addresses, each with its own pin, tried in this order after `relay`
    /// when a request could not reach it (SPEC.md §16.1, choosing an address).
    public var alternates: [RelayRoute] = []
    /// Use only `.onion` addresses (a Tor-only profile): no other address is ever contacted.
    /// Requires a proxy or a managed Tor.
    public var onionOnly = false
    /// A Tor the client runs itself, used instead of `proxy`: started on the first request,
    /// which waits until it has connected (or fails, sending nothing).
    public var managedTor: ManagedTor?

    /// A configuration for `relay`.
    public init(relay: String, proxy: String? = nil, pin: String? = nil) {
        self.relay = relay
        self.proxy = proxy
        self.pin = pin
    }

    /// A configuration for the relay at `routes` (the first tried first; at least one).
    public init(routes: [RelayRoute], proxy: String? = nil, onionOnly: Bool = false) {
        relay = routes.first?.relay ?? ""
        pin = routes.first?.pin
        alternates = Array(routes.dropFirst())
        self.proxy = proxy
        self.onionOnly = onionOnly
    }

    /// Every address, `relay` first.
    public var routes: [RelayRoute] { [RelayRoute(relay: relay, pin: pin)] + alternates }

    /// Refuses unsafe or malformed settings.
    func validate() throws(TransportError) {
        let routes = routes
        guard Set(routes.map(\.relay)).count == routes.count else { throw .badRelayAddress }
        for route in routes { try route.validate() }
        guard proxy == nil || managedTor == nil else {
            throw .invalidConfiguration("a proxy and a Tor of the client's own cannot both be set")
        }
        if onionOnly {
            guard proxy != nil || managedTor != nil else {
                throw .invalidConfiguration("a Tor-only profile needs a proxy")
            }
            guard routes.contains(where: \.isOnion) else {
                throw .invalidConfiguration("a Tor-only profile needs an onion address")
            }
        }
        if let proxy {
            guard proxy.lowercased().hasPrefix("socks5h://") else {
                throw .invalidConfiguration("the proxy must be socks5h:// so names are resolved by the proxy")
            }
        }
        guard connections >= 1, connections <= 16, maximumResponseBytes > 0 else {
            throw .invalidConfiguration("connections must be 1-16")
        }
    }
}

/// One address of the relay, with the pin that recognises it there.
public struct RelayRoute: Sendable, Equatable, Hashable {
    /// The base URL: `https://…`, or `http://` for a `.onion` or loopback address.
    public var relay: String
    /// The relay's TLS public-key pin at this address, `sha256//<base64>`.
    public var pin: String?

    public init(relay: String, pin: String? = nil) {
        self.relay = relay
        self.pin = pin
    }

    /// Whether the host ends in `.onion`.
    public var isOnion: Bool { RelayAddress.isOnion(relay) }

    /// Refuses an address a client must not reach, or a malformed pin.
    func validate() throws(TransportError) {
        guard let url = URL(string: relay), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(),
            url.query == nil, url.fragment == nil
        else { throw .badRelayAddress }
        switch scheme {
        case "https": break
        case "http":
            let loopback = host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]"
            guard loopback || host.hasSuffix(".onion") else { throw .badRelayAddress }
        default:
            throw .badRelayAddress
        }
        if let pin {
            guard pin.hasPrefix("sha256//"), pin.count == 52 else {
                throw .invalidConfiguration("the pin must be sha256// and 44 base64 characters")
            }
        }
    }
}

/// An HTTP answer from the relay.
public struct TransportResponse: Sendable {
    /// The status code.
    public let status: Int
    /// Header fields, names lower-cased.
    public let headers: [String: String]
    /// The body.
    public let body: [UInt8]

    /// The error code of a JSON error body (``RelayAPI/ErrorResponse``), if there is one.
    var errorCode: RelayErrorCode? {
        (try? JSONDecoder().decode(RelayAPI.ErrorResponse.self, from: Data(body)))?.error
    }
}

/// HTTP to the relay over libcurl (DESIGN §5): SOCKS5h for Tor, TLS public-key pinning, timeouts
/// suited to Tor, bounded answers, typed errors. Requests run on their own threads (libcurl's
/// calls block), never on Swift's cooperative pool; connections are pooled and reused.
public final class CurlTransport: Sendable {
    public let configuration: TransportConfiguration
    private let pool: HandlePool
    /// The addresses this transport may contact, in the configuration's order (onion ones only
    /// when it is Tor-only).
    private let routes: [RelayRoute]
    /// The index in `routes` of the address that last answered.
    private let inUse: Mutex<Int>
    /// Told the new address when another one than before answered.
    private let onSwitch: (@Sendable (RelayRoute) -> Void)?
    /// Told of an address whose TLS key did not match its pin (a possible interception), even
    /// when another address then answered.
    private let onPinMismatch: (@Sendable (RelayRoute) -> Void)?
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// A transport; nothing is sent until the first request. Requests start at the address
    /// `preferring` names (one that answered before) if it is among the configuration's, else at
    /// the first; `onSwitch` hears of each change of the address in use.
    ///
    /// - Throws: ``TransportError/invalidConfiguration(_:)`` for unsafe settings,
    ///   ``TransportError/badRelayAddress`` for an address no client may reach.
    public init(
        configuration: TransportConfiguration, preferring preferred: String? = nil,
        onPinMismatch: (@Sendable (RelayRoute) -> Void)? = nil, onSwitch: (@Sendable (RelayRoute) -> Void)? = nil
    ) throws(TransportError) {
        try configuration.validate()
        _ = Self.globalInit
        self.configuration = configuration
        // An onion address only through Tor: without it, libcurl would ask the local resolver for
        // the name (Debian 12's 7.88 does not refuse .onion), telling the network whom this device
        // looks for. A Tor-only profile uses nothing else.
        let throughTor = configuration.proxy != nil || configuration.managedTor != nil
        routes = configuration.routes.filter { route in
            route.isOnion ? throughTor : !configuration.onionOnly
        }
        inUse = Mutex(routes.firstIndex { $0.relay == preferred } ?? 0)
        self.onSwitch = onSwitch
        self.onPinMismatch = onPinMismatch
        pool = HandlePool(capacity: configuration.connections)
    }

    /// The address requests go to first: the one that last answered (the first address when
    /// none can be used, an onion address without Tor).
    public var route: RelayRoute { routes.isEmpty ? configuration.routes[0] : routes[inUse.withLock { $0 }] }

    /// Sends a request to `path` (starting with `/`) and returns the relay's answer, whatever its
    /// status; ``checked(_:)`` turns error statuses into typed errors. The request goes to the
    /// address in use, then, if it could not reach the relay there, to each other address once
    /// (SPEC.md §16.1, choosing an address).
    public func send(
        _ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil
    ) async throws(TransportError) -> TransportResponse {
        guard path.hasPrefix("/") else { throw .invalidConfiguration("a request path must start with /") }
        guard !routes.isEmpty else { throw .onionNeedsTor }
        let first = inUse.withLock { $0 }
        let order = [first] + routes.indices.filter { $0 != first }
        var failures: [TransportError] = []
        for index in order {
            let result = await perform(method, path, headers: headers, body: body, at: routes[index])
            switch result {
            case .success(let response):
                if index != first {
                    inUse.withLock { $0 = index }
                    onSwitch?(routes[index])
                }
                return response
            case .failure(let error) where error.nothingReachedTheRelay:
                failures.append(error)
                if error == .pinMismatch { onPinMismatch?(routes[index]) }
                // A Tor that is gone (another command's, which it took with it) is asked for
                // again on the next request.
                if error == .proxyFailure, let tor = configuration.managedTor { await tor.forgetProxy() }
            case .failure(let error):
                throw error
            }
        }
        // An interception at any address matters more than a dead one.
        if failures.contains(.pinMismatch) { throw .pinMismatch }
        throw failures[0]
    }

    private func perform(
        _ method: String, _ path: String, headers: [String: String], body: [UInt8]?, at route: RelayRoute
    ) async -> Result<TransportResponse, TransportError> {
        let proxy: String?
        if let tor = configuration.managedTor {
            do {
                proxy = try await tor.proxy()
            } catch {
                return .failure(error)
            }
        } else {
            proxy = configuration.proxy
        }
        let handle = await pool.acquire()
        let request = PreparedRequest(
            url: route.relay.trimmingSuffix("/") + path, method: method, headers: headers, body: body,
            pin: route.pin, proxy: proxy, configuration: configuration)
        let result: Result<TransportResponse, TransportError> = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: request.perform(on: handle))
            }
        }
        pool.release(handle)
        return result
    }

    /// `response`, or the typed error its status and error code stand for.
    public static func checked(_ response: TransportResponse) throws(TransportError) -> TransportResponse {
        switch response.status {
        case 200..<300:
            return response
        case 429:
            throw .rateLimited(retryAfter: TransportError.retryAfter(response.headers["retry-after"]))
        case 503:
            throw .relayUnavailable
        default:
            let code = response.errorCode ?? .status(response.status)
            switch code {
            case .staleTimestamp: throw .clockSkew
            case .mailboxFull, .blobStorageFull, .prekeysFull: throw .quotaFull
            case .mailboxFrozen:
                let answer = try? JSONDecoder().decode(RelayAPI.ErrorResponse.self, from: Data(response.body))
                throw .mailboxFrozen(order: answer?.order.flatMap(Base64URL.decode) ?? [])
            default: throw .refused(status: response.status, code: code)
            }
        }
    }
}

// MARK: - Handles

/// A libcurl easy handle; used by one request at a time.
struct EasyHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

/// Easy handles, reused so their connections to the relay are too.
final class HandlePool: Sendable {
    private struct State {
        var free: [EasyHandle] = []
        var created = 0
        var waiters: [CheckedContinuation<EasyHandle, Never>] = []
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    deinit {
        state.withLock { state in
            for handle in state.free { curl_easy_cleanup(handle.raw) }
        }
    }

    func acquire() async -> EasyHandle {
        await withCheckedContinuation { continuation in
            let handle: EasyHandle? = state.withLock { state in
                if let handle = state.free.popLast() { return handle }
                if state.created < capacity, let raw = curl_easy_init() {
                    state.created += 1
                    return EasyHandle(raw: raw)
                }
                state.waiters.append(continuation)
                return nil
            }
            if let handle { continuation.resume(returning: handle) }
        }
    }

    func release(_ handle: EasyHandle) {
        let waiter: CheckedContinuation<EasyHandle, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.free.append(handle)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: handle)
    }
}

// MARK: - One request

/// Collects an answer's headers and body, up to a limit.
private final class ResponseSink {
    let limit: Int
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var overflowed = false

    init(limit: Int) {
        self.limit = limit
    }
}

private let writeBody: amanat_curl_write_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard sink.body.count + length <= sink.limit else {
        sink.overflowed = true
        return 0
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

private let writeHeader: amanat_curl_write_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        // A new status line (after 100 Continue, say): earlier headers belonged to another answer.
        sink.headers = [:]
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        sink.headers[name] = value
    }
    return length
}

private struct PreparedRequest: Sendable {
    let url: String
    let method: String
    let headers: [String: String]
    let body: [UInt8]?
    let pin: String?
    let proxy: String?
    let configuration: TransportConfiguration

    func perform(on handle: EasyHandle) -> Result<TransportResponse, TransportError> {
        let curl = handle.raw
        curl_easy_reset(curl)
        let sink = ResponseSink(limit: configuration.maximumResponseBytes)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        var fields: UnsafeMutablePointer<curl_slist>?
        // No "Expect: 100-continue" round trip: over Tor it costs a second.
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) + [("Expect", "")] {
            fields = curl_slist_append(fields, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        defer { curl_slist_free_all(fields) }
        var ok = true
        func set(_ code: CURLcode) { ok = ok && code == CURLE_OK }
        set(amanat_curl_setopt_string(curl, CURLOPT_URL, url))
        set(amanat_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(amanat_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 0))
        set(amanat_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1))
        set(amanat_curl_setopt_long(curl, CURLOPT_TCP_KEEPALIVE, 1))
        // An empty proxy string also stops libcurl from taking one from the environment.
        set(amanat_curl_setopt_string(curl, CURLOPT_PROXY, proxy ?? ""))
        set(amanat_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(configuration.connectTimeout)))
        set(amanat_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, milliseconds(configuration.requestTimeout)))
        set(amanat_curl_setopt_off(curl, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maximumResponseBytes)))
        if let pin {
            set(amanat_curl_setopt_string(curl, CURLOPT_PINNEDPUBLICKEY, pin))
            // The pin is the trust anchor: libcurl checks it before any data is sent, whatever the
            // certificate's issuer.
            set(amanat_curl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, 0))
            set(amanat_curl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, 0))
        }
        set(amanat_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, fields))
        set(amanat_curl_setopt_write_callback(curl, CURLOPT_WRITEFUNCTION, writeBody))
        set(amanat_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, context))
        set(amanat_curl_setopt_write_callback(curl, CURLOPT_HEADERFUNCTION, writeHeader))
        set(amanat_curl_setopt_pointer(curl, CURLOPT_HEADERDATA, context))
        switch method {
        case "GET": set(amanat_curl_setopt_long(curl, CURLOPT_HTTPGET, 1))
        default: set(amanat_curl_setopt_string(curl, CURLOPT_CUSTOMREQUEST, method))
        }
        if let body {
            set(amanat_curl_setopt_off(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS copies, so the body need not outlive this call; an empty body still
            // needs a valid pointer.
            (body.isEmpty ? [0] : body).withUnsafeBytes { bytes in
                set(
                    amanat_curl_setopt_pointer(
                        curl, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress)))
            }
        }
        guard ok else { return .failure(.invalidConfiguration("libcurl refused an option")) }
        let code = withExtendedLifetime(sink) { curl_easy_perform(curl) }
        guard code == CURLE_OK else {
            // Through a proxy, the only connection this device makes is to the proxy.
            if proxy != nil && code == CURLE_COULDNT_CONNECT { return .failure(.proxyFailure) }
            if code == CURLE_OPERATION_TIMEDOUT {
                // Out of time before a byte of the request was written (the connection, the
                // proxy's circuit or TLS never finished): the relay was not reached.
                var sent = 0
                _ = amanat_curl_getinfo_long(curl, CURLINFO_REQUEST_SIZE, &sent)
                if sent == 0 { return .failure(.unreachable) }
            }
            return .failure(Self.error(for: code, overflowed: sink.overflowed))
        }
        var status = 0
        _ = amanat_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return .success(TransportResponse(status: status, headers: sink.headers, body: sink.body))
    }

    static func error(for code: CURLcode, overflowed: Bool) -> TransportError {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT: return .unreachable
        // The request (or part of it) went out: the relay may have acted on it.
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE: return .connectionLost
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_PROXY: return .proxyFailure
        case CURLE_OPERATION_TIMEDOUT: return .timedOut
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH: return .pinMismatch
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            return .tlsFailure
        case CURLE_FILESIZE_EXCEEDED: return .responseTooLarge
        case CURLE_WRITE_ERROR where overflowed: return .responseTooLarge
        default: return .network(code: Int(code.rawValue))
        }
    }
}

private func milliseconds(_ duration: Duration) -> Int {
    Int(duration / .milliseconds(1))
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
