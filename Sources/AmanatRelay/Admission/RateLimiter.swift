// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Hummingbird
import Synchronization

/// Token buckets, one per key (a mailbox id, or one key for the whole relay), in memory only.
///
/// Each bucket holds up to `burst` tokens and refills at `rate` per second; a request takes one
/// token or is refused with the seconds until one is back. At most `maximumKeys` buckets are kept:
/// full buckets are forgotten first (they carry no state worth keeping).
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let buckets = Mutex<[[UInt8]: Bucket]>([:])
    private let rate: Double
    private let burst: Double
    private let maximumKeys: Int
    private let clock: @Sendable () -> Double

    init(
        rate: Double, burst: Int, maximumKeys: Int = 100_000,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.rate = rate
        self.burst = Double(burst)
        self.maximumKeys = maximumKeys
        self.clock = clock
    }

    /// Takes a token for `key`, or refuses with 429 and Retry-After (counted in the metrics).
    func enforce(_ key: [UInt8]) throws(RelayHTTPError) {
        if let wait = take(key) {
            RelayMetrics.rateLimited.increment()
            throw RelayHTTPError.rateLimited(retryAfter: wait)
        }
    }

    /// Takes a token for `key`; nil if allowed, else whole seconds to wait (at least 1).
    func take(_ key: [UInt8]) -> Int? {
        let now = clock()
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now - bucket.updated) * rate)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
            }
            bucket.tokens -= 1
            if buckets[key] == nil && buckets.count >= maximumKeys {
                // Forget buckets that have refilled by now; if none has, the oldest-updated half.
                buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) * rate < burst }
                if buckets.count >= maximumKeys {
                    let sorted = buckets.sorted { $0.value.updated < $1.value.updated }
                    buckets = Dictionary(
                        uniqueKeysWithValues: sorted.suffix(maximumKeys / 2).map { ($0.key, $0.value) })
                }
            }
            buckets[key] = bucket
            return nil
        }
    }
}

/// Refuses requests over the relay-wide rate with 429 and Retry-After.
struct GlobalRateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        try limiter.enforce([])
        return try await next(request, context)
    }
}
