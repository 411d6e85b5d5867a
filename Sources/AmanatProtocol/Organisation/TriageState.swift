// SPDX-License-Identifier: AGPL-3.0-or-later

/// A case's triage state: what a set of triage events merges to (SPEC.md §16.3). A function of
/// the set alone, so every device with the same events shows the same state.
public struct TriageState: Hashable, Sendable {
    public var status: TriageEvent.Status = .new
    public var priority: TriageEvent.Priority = .normal
    /// The assigned expert device's identity signing key.
    public var assignee: [UInt8]?
    /// Labels present, sorted by their UTF-8 bytes.
    public var labels: [String] = []
    /// Unix seconds.
    public var due: UInt64?
    /// The case's display alias among the experts.
    public var alias: String?
    /// Unix seconds from which the defender's device is reported lost or seized (field 8).
    public var seizedSince: UInt64?
    /// When that report was made (its event's time, the reporter's clock).
    public var seizedReportedAt: UInt64?
    /// Identity signing keys of the defender's later devices the case continues with (field 9),
    /// the most recently linked last.
    public var links: [[UInt8]] = []
    /// Every note event, oldest first by (lamport, author).
    public var notes: [TriageEvent] = []
    /// The highest Lamport clock among the events.
    public var lamport: UInt64 = 0

    /// The state before any event.
    public init() {}

    /// Merges `events` (any order, duplicates allowed) for one case.
    public init(merging events: some Sequence<TriageEvent>) {
        var winners: [Register: TriageEvent] = [:]
        var notes: [[UInt8]: TriageEvent] = [:]
        for event in events {
            lamport = max(lamport, event.lamport)
            guard let register = Register(event.change) else {
                notes[event.id] = event
                continue
            }
            if let current = winners[register], !event.supersedes(current) { continue }
            winners[register] = event
        }
        var present: [String] = []
        var linked: [TriageEvent] = []
        for (register, event) in winners {
            switch (register, event.change) {
            case (_, .status(let status)): self.status = status
            case (_, .priority(let priority)): self.priority = priority
            case (_, .assignee(let key)): assignee = key
            case (_, .due(let time)): due = time
            case (_, .alias(let name)): alias = name
            case (_, .seized(let time)):
                seizedSince = time
                seizedReportedAt = time == nil ? nil : event.time
            case (_, .label(let name, let isPresent)): if isPresent { present.append(name) }
            case (_, .link(_, let isPresent)): if isPresent { linked.append(event) }
            case (_, .note): break
            }
        }
        labels = present.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        links = linked.sorted { $1.supersedes($0) }.compactMap { event in
            if case .link(let key, _) = event.change { return key }
            return nil
        }
        self.notes = notes.values.sorted { $1.supersedes($0) }
    }

    /// Whether a message from the defender sent at `sentAt` (the sender's clock) and stored by
    /// this device at `storedAt` may have been written by whoever holds the seized device: sent
    /// after the time the device is reported seized from, or arrived after the report (a seizer
    /// can set the clock back).
    public func isSuspect(sentAt: UInt64, storedAt: UInt64) -> Bool {
        guard let seizedSince else { return false }
        return sentAt >= seizedSince || storedAt >= (seizedReportedAt ?? seizedSince)
    }

    /// What one event overwrites.
    private enum Register: Hashable {
        case status, priority, assignee, due, alias, seized
        case label([UInt8])
        case link([UInt8])

        init?(_ change: TriageEvent.Change) {
            switch change {
            case .status: self = .status
            case .priority: self = .priority
            case .assignee: self = .assignee
            case .due: self = .due
            case .alias: self = .alias
            case .seized: self = .seized
            case .label(let name, _): self = .label(Array(name.utf8))
            case .link(let key, _): self = .link(key)
            case .note: return nil
            }
        }
    }
}
