// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// One change to a case's triage state by one expert device (SPEC.md §16.3), signed with that
/// device's identity key and sent to every other expert device as payload type 6:
///
///     u8 format = 1 ‖ case[32] ‖ u64 lamport ‖ author[32] ‖ u64 time ‖ u8 field ‖ vector16 value
///     ‖ signature[64]
///     signature = Ed25519(author, lp("amanat/v1/triage-event") ‖ lp(everything before it))
///
/// `case` is the defender's identity signing key; `author` the expert device's. Devices merge
/// events per register (a field, or a field and a label name) by the greatest (lamport, author),
/// so every device that has the same events shows the same state, whatever order they came in.
/// Notes are never overwritten: each is its own event.
public struct TriageEvent: Hashable, Sendable {
    static let format: UInt8 = 1
    /// The longest note, in UTF-8 bytes.
    public static let maximumNoteByteCount = 4096
    /// The longest label, in UTF-8 bytes.
    public static let maximumLabelByteCount = 64
    /// The longest case alias, in UTF-8 bytes.
    public static let maximumAliasByteCount = 64

    /// Where a case stands.
    public enum Status: UInt8, Sendable, CaseIterable {
        case new = 1
        case inProgress = 2
        case waitingOnDefender = 3
        case resolved = 4
        case closed = 5
    }

    /// How urgent a case is.
    public enum Priority: UInt8, Sendable, CaseIterable {
        case low = 1
        case normal = 2
        case high = 3
        case urgent = 4
    }

    /// What changed.
    public enum Change: Hashable, Sendable {
        /// Field 1: one byte, the status.
        case status(Status)
        /// Field 2: one byte, the priority.
        case priority(Priority)
        /// Field 3: nothing (nobody), or the assigned expert device's identity signing key.
        case assignee([UInt8]?)
        /// Field 4: one byte 1 (added) or 0 (removed), then the label in UTF-8 (1-64 bytes).
        case label(String, present: Bool)
        /// Field 5: nothing (no due date), or u64 Unix seconds.
        case due(UInt64?)
        /// Field 6: an internal note, UTF-8 (1-4096 bytes); experts only, never sent to the defender.
        case note(String)
        /// Field 7: nothing (no alias), or the case's display alias among the experts, UTF-8
        /// (1-64 bytes, no control characters).
        case alias(String?)
        /// Field 8: nothing (the report withdrawn), or u64 Unix seconds from which the defender's
        /// device is reported lost or seized: whatever claims to come from it after that may have
        /// been written by someone else (SPEC.md §8.8).
        case seized(UInt64?)
        /// Field 9: one byte 1 (linked) or 0 (unlinked), then `[32]` the identity signing key of
        /// the defender's new device: the case continues under its id with that identity's
        /// messages too (re-enrolment after a seizure).
        case link([UInt8], present: Bool)

        var field: UInt8 {
            switch self {
            case .status: 1
            case .priority: 2
            case .assignee: 3
            case .label: 4
            case .due: 5
            case .note: 6
            case .alias: 7
            case .seized: 8
            case .link: 9
            }
        }
    }

    /// The defender's identity signing key: which case.
    public let caseKey: [UInt8]
    /// The author's Lamport clock: greater than every event it had seen.
    public let lamport: UInt64
    /// The author device's identity signing key.
    public let author: [UInt8]
    /// The author's clock, Unix seconds (for the audit trail; merging does not use it).
    public let time: UInt64
    /// The change.
    public let change: Change
    /// The author's signature.
    public let signature: [UInt8]

    /// A signed event.
    ///
    /// - Throws: ``ProtocolError/malformed`` for a case key that is not 32 bytes, an empty label
    ///   or note, ``ProtocolError/tooLarge`` for one too long.
    public init(
        caseKey: [UInt8], lamport: UInt64, time: UInt64, change: Change, signedBy author: Ed25519.PrivateKey
    ) throws(ProtocolError) {
        guard caseKey.count == 32 else { throw .malformed }
        self.caseKey = caseKey
        self.lamport = lamport
        self.author = author.publicKey.rawRepresentation
        self.time = time
        self.change = change
        let body = try Self.body(caseKey: caseKey, lamport: lamport, author: self.author, time: time, change: change)
        signature = author.signature(for: lengthPrefixed(Label.triageEvent, body))
    }

    /// Decodes an event; ``verify()`` checks its signature.
    public init(decoding bytes: [UInt8]) throws(ProtocolError) {
        var reader = ByteReader(bytes)
        try self.init(reading: &reader)
        try reader.finish()
    }

    init(reading reader: inout ByteReader) throws(ProtocolError) {
        try reader.version(Self.format)
        caseKey = try reader.fixed(32)
        lamport = try reader.u64()
        author = try reader.fixed(32)
        time = try reader.u64()
        let field = try reader.u8()
        let value = try reader.vector16(maximum: Self.maximumNoteByteCount)
        change = try Self.change(field: field, value: value)
        signature = try reader.fixed(64)
    }

    /// The encoding.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 256)
        write(to: &writer)
        return writer.bytes
    }

    func write(to writer: inout ByteWriter) {
        // The fields were checked when the event was made or decoded.
        guard let body = try? Self.body(caseKey: caseKey, lamport: lamport, author: author, time: time, change: change)
        else { return }
        writer.fixed(body)
        writer.fixed(signature)
    }

    /// BLAKE2b-256 of the encoding: the event's id, for de-duplication and the audit trail.
    public var id: [UInt8] { (try? BLAKE2b.hash(encoded)) ?? [] }

    /// Checks the author's signature.
    ///
    /// - Throws: ``ProtocolError/authenticationFailure``.
    public func verify() throws(ProtocolError) {
        guard let key = try? Ed25519.PublicKey(rawRepresentation: author),
            let body = try? Self.body(caseKey: caseKey, lamport: lamport, author: author, time: time, change: change),
            key.isValidSignature(signature, for: lengthPrefixed(Label.triageEvent, body))
        else { throw .authenticationFailure }
    }

    /// Whether this event wins over `other` for the same register: the greater lamport, between
    /// equal ones the greater author key, and (only a misbehaving device repeats its own clock)
    /// the greater event id, all compared bytewise. A total order, so every device agrees.
    public func supersedes(_ other: TriageEvent) -> Bool {
        if lamport != other.lamport { return lamport > other.lamport }
        if author != other.author { return other.author.lexicographicallyPrecedes(author) }
        return other.id.lexicographicallyPrecedes(id)
    }

    static func body(
        caseKey: [UInt8], lamport: UInt64, author: [UInt8], time: UInt64, change: Change
    ) throws(ProtocolError) -> [UInt8] {
        var writer = ByteWriter(capacity: 128)
        writer.u8(format)
        writer.fixed(caseKey)
        writer.u64(lamport)
        writer.fixed(author)
        writer.u64(time)
        writer.u8(change.field)
        writer.vector16(try value(of: change))
        return writer.bytes
    }

    static func value(of change: Change) throws(ProtocolError) -> [UInt8] {
        switch change {
        case .status(let status): return [status.rawValue]
        case .priority(let priority): return [priority.rawValue]
        case .assignee(let key):
            guard key == nil || key?.count == 32 else { throw .malformed }
            return key ?? []
        case .label(let name, let present):
            let utf8 = Array(name.utf8)
            guard !utf8.isEmpty else { throw .malformed }
            guard utf8.count <= maximumLabelByteCount else { throw .tooLarge }
            return [present ? 1 : 0] + utf8
        case .due(let time), .seized(let time):
            guard let time else { return [] }
            var writer = ByteWriter(capacity: 8)
            writer.u64(time)
            return writer.bytes
        case .link(let key, let present):
            guard key.count == 32 else { throw .malformed }
            return [present ? 1 : 0] + key
        case .note(let text):
            let utf8 = Array(text.utf8)
            guard !utf8.isEmpty else { throw .malformed }
            guard utf8.count <= maximumNoteByteCount else { throw .tooLarge }
            return utf8
        case .alias(let name):
            guard let name else { return [] }
            let utf8 = Array(name.utf8)
            guard !utf8.isEmpty, !containsControl(name) else { throw .malformed }
            guard utf8.count <= maximumAliasByteCount else { throw .tooLarge }
            return utf8
        }
    }

    static func change(field: UInt8, value: [UInt8]) throws(ProtocolError) -> Change {
        switch field {
        case 1:
            guard value.count == 1, let status = Status(rawValue: value[0]) else { throw .malformed }
            return .status(status)
        case 2:
            guard value.count == 1, let priority = Priority(rawValue: value[0]) else { throw .malformed }
            return .priority(priority)
        case 3:
            guard value.isEmpty || value.count == 32 else { throw .malformed }
            return .assignee(value.isEmpty ? nil : value)
        case 4:
            guard value.count >= 2, value.count <= 1 + maximumLabelByteCount, value[0] <= 1 else { throw .malformed }
            return .label(try text(Array(value.dropFirst())), present: value[0] == 1)
        case 5:
            guard value.isEmpty || value.count == 8 else { throw .malformed }
            guard !value.isEmpty else { return .due(nil) }
            var reader = ByteReader(value)
            return .due(try reader.u64())
        case 6:
            guard !value.isEmpty else { throw .malformed }
            return .note(try text(value))
        case 7:
            guard value.count <= maximumAliasByteCount else { throw .malformed }
            guard !value.isEmpty else { return .alias(nil) }
            let name = try text(value)
            guard !containsControl(name) else { throw .malformed }
            return .alias(name)
        case 9:
            guard value.count == 33, value[0] <= 1 else { throw .malformed }
            return .link(Array(value.dropFirst()), present: value[0] == 1)
        case 8:
            guard value.isEmpty || value.count == 8 else { throw .malformed }
            guard !value.isEmpty else { return .seized(nil) }
            var reader = ByteReader(value)
            return .seized(try reader.u64())
        default:
            throw .malformed
        }
    }

    /// Whether `text` holds a control character (C0, DEL or C1), which an alias may not.
    private static func containsControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    /// Valid UTF-8, or malformed.
    private static func text(_ bytes: [UInt8]) throws(ProtocolError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed }
        return text
    }
}
