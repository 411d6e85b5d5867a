// SPDX-License-Identifier: AGPL-3.0-or-later

/// Jittered exponential backoff ("full jitter"): after the n-th failure, wait a uniformly random
/// time between zero and min(cap, base · 2ⁿ), so that many clients retrying after an outage do
/// not arrive together, and a watcher cannot line up retries with events. A relay's Retry-After
/// is a floor.
public struct Backoff: Sendable {
    /// The first ceiling.
    public var base: Duration
    /// The largest ceiling.
    public var cap: Duration

    /// A backoff policy; defaults suit Tor (2 s, then up to 5 minutes).
    public init(base: Duration = .seconds(2), cap: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
    }

    /// The wait after `failures` failures in a row (1 for the first), at least `retryAfter`.
    public func delay(
        afterFailures failures: Int, retryAfter: Duration? = nil, using random: inout some RandomNumberGenerator
    ) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let ceiling = min(cap, base * (1 << exponent))
        let milliseconds = ceiling / .milliseconds(1)
        let jittered = Duration.milliseconds(Int64(Double.random(in: 0...max(milliseconds, 0), using: &random)))
        return max(jittered, retryAfter ?? .zero)
    }
}
