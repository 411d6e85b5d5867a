// SPDX-License-Identifier: AGPL-3.0-or-later

/// The relay's tunable limits by name, as they appear in `relay.json` under `"limits"`, in
/// `--limit NAME=VALUE` flags and in `AMANAT_RELAY_LIMITS="NAME=VALUE,…"`. Later sources override
/// earlier ones: file, then environment, then flags. Every value is range-checked.
public struct RelayLimits: Codable, Equatable, Sendable {
    /// One named limit: its range and where it goes in the configuration.
    struct Limit: Sendable {
        let name: String
        let range: ClosedRange<Double>
        let help: String
        let apply: @Sendable (inout RelayConfiguration, Double) -> Void
    }

    static let all: [Limit] = [
        Limit(name: "mailboxEnvelopes", range: 1...1_000_000, help: "envelopes one mailbox holds (10000)") {
            $0.quota.maximumEnvelopes = Int($1)
        },
        Limit(name: "mailboxBytes", range: 65_536...Double(1 << 40), help: "bytes one mailbox holds (256 MiB)") {
            $0.quota.maximumBytes = Int($1)
        },
        Limit(name: "prekeysPerPool", range: 1...10_000, help: "one-time prekeys per pool (200)") {
            $0.maximumPrekeysPerPool = Int($1)
        },
        Limit(name: "prekeyLowWater", range: 0...10_000, help: "below this, fetches say prekeys are low (20)") {
            $0.prekeyLowWaterMark = Int($1)
        },
        Limit(name: "blobBytes", range: 1...Double(1 << 40), help: "largest attachment blob (100 MiB)") {
            $0.maximumBlobBytes = Int($1)
        },
        Limit(name: "blobStorageBytes", range: 1...Double(1 << 50), help: "all blobs together (20 GiB)") {
            $0.maximumBlobStorageBytes = Int($1)
        },
        Limit(
            name: "blobDownloads", range: 1...64,
            help: "most downloads a blob may allow (64, the most a blob can count)"
        ) {
            $0.maximumBlobDownloads = Int($1)
        },
        Limit(
            name: "retentionDays", range: 1...365,
            help: "days an unacknowledged envelope is kept (relay.json's retentionDays, set at init; 30)"
        ) {
            $0.retention = UInt64($1) * 86_400
        },
        Limit(name: "blobRetentionDays", range: 1...365, help: "days a blob is kept at most (30)") {
            $0.blobRetention = UInt64($1) * 86_400
        },
        Limit(name: "blobUploadMinutes", range: 1...10_080, help: "minutes to upload a blob whole (180)") {
            $0.blobUploadWindow = UInt64($1) * 60
        },
        Limit(
            name: "blobReservationBytes", range: 1...Double(1 << 50),
            help: "blob bytes one mailbox's contacts may create per upload window (1 GiB)"
        ) {
            $0.blobReservationBytesPerMailbox = Int($1)
        },
        Limit(name: "waiters", range: 1...1_000_000, help: "open push connections and long-polls (20000)") {
            $0.maximumWaiters = Int($1)
        },
        Limit(name: "mailboxWaiters", range: 1...10_000, help: "push connections and long-polls per mailbox (16)") {
            $0.maximumMailboxWaiters = Int($1)
        },
        Limit(name: "waitSeconds", range: 0...300, help: "longest long-poll (30)") { $0.maximumWaitSeconds = Int($1) },
        Limit(name: "idleTimeoutSeconds", range: 5...3600, help: "idle HTTP connections close after (90)") {
            $0.idleTimeoutSeconds = Int($1)
        },
        Limit(
            name: "requestTimeoutSeconds", range: 1...3600,
            help: "a request body must arrive within (60; below the idle timeout)"
        ) {
            $0.requestTimeoutSeconds = Int($1)
        },
        Limit(name: "globalPerSecond", range: 0.01...1_000_000, help: "requests/s, whole relay (2000)") {
            $0.globalRate.perSecond = $1
        },
        Limit(name: "globalBurst", range: 1...10_000_000, help: "burst, whole relay (4000)") {
            $0.globalRate.burst = Int($1)
        },
        Limit(name: "contactPerSecond", range: 0.01...100_000, help: "deposits, claims, blobs/s per mailbox (20)") {
            $0.contactRate.perSecond = $1
        },
        Limit(name: "contactBurst", range: 1...1_000_000, help: "their burst per mailbox (200)") {
            $0.contactRate.burst = Int($1)
        },
        Limit(name: "ownerPerSecond", range: 0.01...100_000, help: "owner requests/s per mailbox (10)") {
            $0.ownerRate.perSecond = $1
        },
        Limit(name: "ownerBurst", range: 1...1_000_000, help: "their burst per mailbox (100)") {
            $0.ownerRate.burst = Int($1)
        },
    ]

    /// Name → value, as given.
    public var values: [String: Double]

    /// No overrides.
    public init() {
        values = [:]
    }

    public init(from decoder: any Decoder) throws {
        values = try [String: Double](from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try values.encode(to: encoder)
    }

    /// Adds `NAME=VALUE` assignments (from flags or the environment), replacing earlier values.
    ///
    /// - Throws: ``RelaySetupError/invalidLimit(_:)`` naming the bad assignment.
    public mutating func assign(_ assignments: [String]) throws(RelaySetupError) {
        for assignment in assignments {
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1].trimmingPrefix(" ")) else {
                throw .invalidLimit(assignment)
            }
            values[parts[0].trimmingPrefix(" ").description] = value
        }
    }

    /// Applies every value to `configuration`.
    ///
    /// - Throws: ``RelaySetupError/invalidLimit(_:)`` for an unknown name or a value out of range.
    public func apply(to configuration: inout RelayConfiguration) throws(RelaySetupError) {
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let limit = Self.all.first(where: { $0.name == name }) else { throw .invalidLimit(name) }
            guard limit.range.contains(value), value.rounded() == value || limit.name.hasSuffix("PerSecond") else {
                throw .invalidLimit("\(name)=\(value)")
            }
            limit.apply(&configuration, value)
        }
    }

    /// One line per limit, for `--help`.
    public static var help: String {
        all.map { "\($0.name): \($0.help)" }.joined(separator: "; ")
    }
}
