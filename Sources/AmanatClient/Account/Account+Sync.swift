// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

extension Account {
    /// What became of one fetched envelope.
    enum Outcome {
        case message
        case receipt
        case other
        case duplicate
        case rejected
        /// A triage change from another expert.
        case triage
        /// Another expert's reply to a defender (SPEC.md §16.5).
        case teamCopy
        /// A piece of the cases' history, for this device that joined later (SPEC.md §16.6).
        case history
        /// Authenticated, but the session could not decrypt it: recorded, and a reset is due.
        case undecryptable
        /// Decrypted, but not something this sender may send this device (a triage change from
        /// a defender, an update sent to a defender): dropped.
        case notPermitted
    }

    // MARK: - Sync

    /// One round with the relay: finish enrolling if needed, send what is queued, fetch and
    /// process every waiting envelope (decrypt → commit → acknowledge), top up prekeys when the
    /// relay says they run low, and send the receipts that produced.
    @discardableResult
    public func sync() async throws(AccountError) -> SyncSummary {
        guard let state = try loadState() else { throw .notEnrolled }
        if isDecoy { return try await decoySync() }
        if !state.enrolled { try await finishEnrolment() }
        var summary = SyncSummary()
        // New experts, removed ones, and (for an expert) its own certificate come with the roster.
        try await refreshRoster()
        // Each draft that cannot go yet waits for the next sync without stopping the others
        // (``completeDrafts()``); a relay out of reach stops this sync, as before.
        _ = try await completeDrafts()
        // An expert device that cannot be reached yet (no prekeys published, relay trouble) must
        // not stop this device from receiving: what it should get (triage changes, team copies,
        // history, a roster key grant the administrator's device has not sealed for every device
        // yet) stays pending for the next sync.
        for pending in PendingSend.allCases {
            do {
                switch pending {
                case .triage: _ = try await sendPendingTriage()
                case .teamCopies: _ = try await sendPendingTeamCopies()
                case .history: _ = try await sendPendingHistory()
                case .grant: _ = try await sendPendingGrant()
                }
            } catch {
                switch error {
                case .transport, .protocolFailure: break
                default: throw error
                }
            }
        }
        // Receipts a sync cut short before queueing them go now.
        try sendPendingDelivered(keys: try loadKeys())
        summary.sent += try await flushOutbox()
        var prekeysLow = false
        var after: Int64 = 0
        // The last page's acknowledgement, when it goes alongside what follows; awaited before
        // this sync returns.
        var lastAcknowledgement: Task<TransportError?, Never>?
        let mailbox = try loadKeys().mailbox
        // One sync fetches a bounded amount (a relay that never stops answering, or a mailbox
        // that fills faster than it empties, cannot keep it going); the rest waits for the next.
        var pages = 0
        var bytes = 0
        while true {
            guard pages < Self.maximumPagesPerSync, bytes < Self.maximumBytesPerSync else {
                summary.moreWaiting = true
                break
            }
            let page: FetchedPage
            do {
                page = try await api.fetch(mailbox, after: after, limit: Self.pageSize)
            } catch {
                throw ownerRequestFailed(error)
            }
            pages += 1
            summary.expiredUnread = max(summary.expiredUnread, page.expiredUnread)
            prekeysLow = prekeysLow || page.prekeysLow
            guard !page.envelopes.isEmpty else { break }
            try process(page.envelopes, into: &summary)
            let digests = page.envelopes.map(\.digest)
            let expiredUnread = page.expiredUnread
            // A page shorter than asked for (and far below the relay's 8 MiB a page: SPEC.md,
            // receiving) emptied the mailbox: no fetch follows to wait on,
            // so its acknowledgement goes alongside what this sync sends next (a round trip
            // saved over Tor); anything that arrives meanwhile waits for the next sync.
            let pageBytes = page.envelopes.reduce(0) { $0 + $1.envelope.count }
            if page.envelopes.count < Self.pageSize, pageBytes < 4 << 20 {
                let api = api
                lastAcknowledgement = Task {
                    do throws(TransportError) {
                        try await api.acknowledge(mailbox, digests: digests, expiredUnreadSeen: expiredUnread)
                        return nil
                    } catch {
                        return error
                    }
                }
                break
            }
            do {
                try await api.acknowledge(mailbox, digests: digests, expiredUnreadSeen: expiredUnread)
            } catch {
                throw ownerRequestFailed(error)
            }
            bytes += pageBytes
            // Sequences only grow; a page that does not move on is the relay's fault, and the
            // next sync starts again from the beginning.
            guard let last = page.envelopes.last?.sequence, last > after else {
                summary.moreWaiting = true
                break
            }
            after = last
        }
        // A roster key grant that came in this sync opens the roster that could not be read at
        // its start; a defender then changes its deposit key (an expert device was lost).
        if try perform({ db in try heldGrant(in: db)?.version ?? 0 }) > (try loadState()?.rosterVersion ?? 0) {
            try await refreshRoster()
        }
        try await rotateDepositKeyIfDue()
        summary.downloaded = try await downloadPendingAttachments()
        summary.sessionsReset = try await performSessionResets()
        if prekeysLow {
            try await publishPrekeys(head: false)
        }
        let flushed: Result<Int, AccountError>
        do {
            flushed = .success(try await flushOutbox())
        } catch {
            flushed = .failure(error)
        }
        if let failure = await lastAcknowledgement?.value { throw ownerRequestFailed(failure) }
        summary.sent += try flushed.get()
        summary.queued = try queuedCount()
        summary.unconfirmed = try unconfirmedCount()
        try applyRetention()
        return summary
    }

    /// A message stored whose delivered receipt has not been queued yet.
    struct PendingDelivered: Codable, Equatable {
        var sender: Data
        var id: Data
        var isReply: Bool
    }

    /// The setting that lists the stored messages not yet receipted, sealed like every other.
    static let pendingDeliveredName = "pending-delivered"

    /// Notes a stored message to receipt, in the transaction that stores it.
    func notePendingDelivered(_ pending: PendingDelivered, in db: Database) throws {
        var list = try pendingDelivered(in: db)
        list.append(pending)
        try store.setSetting(Self.pendingDeliveredName, Array(try JSONEncoder().encode(list)), in: db)
    }

    func pendingDelivered(in db: Database) throws -> [PendingDelivered] {
        guard let bytes = try store.setting(Self.pendingDeliveredName, in: db) else { return [] }
        return (try? JSONDecoder().decode([PendingDelivered].self, from: Data(bytes))) ?? []
    }

    /// Queues one delivered receipt per sender (in groups of at most 256 ids) naming the messages
    /// noted since the last time, to the sender and, for replies, to the author's colleagues (who
    /// hold team copies, SPEC.md §16.5), and clears the list, in one commit. None to a device
    /// reported seized, or without a current certificate. What a sync cut short left noted goes
    /// with the next one.
    func sendPendingDelivered(keys: DeviceKeys) throws(AccountError) {
        try store.transaction { db in
            let pending = try pendingDelivered(in: db)
            guard !pending.isEmpty else { return }
            var senders: [(sender: Data, isReply: Bool, ids: [[UInt8]])] = []
            for item in pending {
                if let index = senders.firstIndex(where: { $0.sender == item.sender && $0.isReply == item.isReply }) {
                    senders[index].ids.append(Array(item.id))
                } else {
                    senders.append((item.sender, item.isReply, [Array(item.id)]))
                }
            }
            let now = clock()
            for (senderBytes, isReply, ids) in senders {
                guard let sender = try? IdentityKey(decoding: Array(senderBytes)),
                    let route = try route(to: sender, in: db), try !isReportedSeized(sender, in: db),
                    let certificate = try? certificate(keys: keys, now: now, in: db),
                    var session = try store.session(with: sender, in: db)
                else { continue }
                for start in stride(from: 0, to: ids.count, by: Payload.maximumReceiptCount) {
                    let group = Array(ids[start..<min(start + Payload.maximumReceiptCount, ids.count)])
                    let receipt = Payload(
                        id: SecureRandom.bytes(count: 16), sentAt: now, body: .receipt(.delivered, messageIds: group))
                    try? enqueue(
                        receipt, session: &session, route: route, certificate: certificate, message: nil, in: db)
                    if isReply {
                        try sendToColleagues(of: sender, receipt, keys: keys, certificate: certificate, in: db)
                    }
                }
                try store.saveSession(session, in: db)
            }
            try db.execute(sql: "DELETE FROM settings WHERE name = ?", arguments: [Self.pendingDeliveredName])
        }
    }

    /// Envelopes asked for per fetch.
    static let pageSize = 100
    /// The most pages, and envelope bytes, one sync fetches (5,000 envelopes, 64 MiB).
    static let maximumPagesPerSync = 50
    static let maximumBytesPerSync = 64 << 20

    /// Waits (long-polling the relay, at most `timeout` seconds up to 30) until something new
    /// may be in the mailbox. Returns whether the relay said so.
    public func waitForNews(timeout: Int) async throws(AccountError) -> Bool {
        if isDecoy {
            // No mailbox to wait on: the wait a quiet relay would give.
            try? await Task.sleep(for: .seconds(max(1, min(timeout, 30))))
            return false
        }
        let mailbox = try loadKeys().mailbox
        do {
            return try await api.wait(mailbox, after: 0, timeout: timeout)
        } catch {
            throw ownerRequestFailed(error)
        }
    }

    /// Processes a page, each envelope in its own transaction with its processed marker, so a
    /// crash at any point leaves every envelope either fully committed or untouched.
    ///
    /// Each envelope is committed on its own; the delivered receipts the page calls for are
    /// noted in the same commits and go after the page, one per sender device and recipient
    /// naming every message of the page (SPEC.md §9.3), before the page is acknowledged. (One
    /// receipt per message cost a deposit, a round trip over Tor, for each; Benchmarks/link-sim.)
    func process(_ envelopes: [FetchedEnvelope], into summary: inout SyncSummary) throws(AccountError) {
        let keys = try loadKeys()
        for fetched in envelopes {
            let outcome = try store.transaction { db -> Outcome in
                let now = clock()
                if try store.isProcessed(digest: fetched.digest.bytes, in: db) { return .duplicate }
                let outcome = try process(fetched, keys: keys, now: now, in: db)
                try store.markProcessed(digest: fetched.digest.bytes, now: now, in: db)
                return outcome
            }
            switch outcome {
            case .message: summary.received += 1
            case .receipt: summary.receipts += 1
            case .rejected, .undecryptable: summary.undecryptable += 1
            case .triage: summary.triageChanges += 1
            case .teamCopy: summary.colleaguesReplies += 1
            case .history: summary.historyItems += 1
            case .notPermitted: summary.notPermitted += 1
            case .other, .duplicate: break
            }
        }
        try sendPendingDelivered(keys: keys)
    }

    /// The longest time after its expiry that a sender certificate is still accepted.
    static let certificateGraceLimit: UInt64 = 55 * 86_400

    /// Opens, authenticates, decrypts and stores one envelope. Protocol failures reject the
    /// envelope (nothing else changes); database failures abort the transaction.
    private func process(_ fetched: FetchedEnvelope, keys: DeviceKeys, now: UInt64, in db: Database) throws -> Outcome {
        guard let state = try store.state(in: db) else { throw AccountError.notEnrolled }
        let opened: SealedEnvelope.Opened
        let sender: IdentityKey
        do {
            opened = try SealedEnvelope.open(
                fetched.envelope, with: keys.sealingKey.privateKey, mailbox: keys.mailbox.id)
            let certificate = opened.certificate
            // Valid when the relay took it (SPEC.md §7.1): a sender deposits only with a current
            // certificate, and an honest relay keeps an envelope at most its retention time, so
            // one that expired less than that long ago may have been valid at deposit. Capped,
            // so that with a defender's week-long certificate a replay stays inside the time
            // processed envelopes are remembered (62 days) whatever retention the relay claims.
            let grace = min(state.retentionSeconds, Self.certificateGraceLimit)
            try certificate.verify(
                now: now > grace ? now - grace : 0, organisationRoot: try organisationRoot(state))
            sender = certificate.sender
            switch certificate.signer {
            case .organisation:
                // Only experts still on the roster count.
                guard try rosterEntries(in: db).contains(where: { $0.card.devices[0].identity == sender }) else {
                    return .rejected
                }
            case .sender:
                // Defenders write to experts, never to other defenders.
                guard state.role == .expert else { return .rejected }
            }
        } catch {
            return .rejected
        }
        var session: RatchetSession
        // The session replaced by the current one, when this message changed it or was opened
        // with it (SPEC.md §5.4): saved with the current one.
        var previous: RatchetSession?
        // Whether `previous` is the session that opened this message (not the current one).
        var openedOnPrevious = false
        // Whether the current session was one this device started that awaited its first answer.
        var wasAwaiting = false
        let plaintext: [UInt8]
        var usedPrekeys: [(pool: Int, id: UInt32)] = []
        do {
            let existing = try store.session(with: sender, in: db)
            wasAwaiting = existing?.isAwaitingFirstReply ?? false
            var kept = try store.previousSession(with: sender, in: db)
            /// The message opened with the session the current one replaced, if it can be.
            func openWithPrevious(_ message: [UInt8]) -> [UInt8]? {
                guard var candidate = kept, let decrypted = try? candidate.decrypt(message, now: now) else {
                    return nil
                }
                kept = candidate
                return decrypted
            }
            switch opened.kind {
            case .initial:
                let initial = try InitialMessage(decoding: opened.message.bytes)
                guard initial.initiatorIdentity == sender else { return .rejected }
                var openedOnCurrent: (RatchetSession, [UInt8])?
                if var current = existing {
                    do {
                        let decrypted = try current.decrypt(initial.ratchetMessage, now: now)
                        openedOnCurrent = (current, decrypted)
                    } catch .duplicateMessage, .messageKeyExpired {
                        // The same initial message again (an envelope sealed twice, a replay).
                        return .duplicate
                    } catch {}
                }
                if let (current, decrypted) = openedOnCurrent {
                    // The initiator wraps every message until our first reply arrives.
                    session = current
                    plaintext = decrypted
                } else if let current = existing, let decrypted = openWithPrevious(initial.ratchetMessage) {
                    session = current
                    previous = kept
                    openedOnPrevious = true
                    plaintext = decrypted
                } else if try store.hasAnswered(initial, in: db) {
                    // A session this device answered once and has since replaced twice: what
                    // was sealed on it is lost (the reset said so), and answering its handshake
                    // again would put a stale session in place of the current one.
                    try insertNotice(.undecryptable, from: sender, now: now, in: db)
                    return .undecryptable
                } else {
                    let responder: RatchetSession
                    (responder, plaintext, usedPrekeys) = try respond(to: initial, keys: keys, now: now, in: db)
                    try store.noteAnswered(initial, in: db)
                    if let current = existing, current.isAwaitingFirstReply,
                        keys.identity.publicKey.keyBytes.lexicographicallyPrecedes(sender.keyBytes)
                    {
                        // Both devices started a session at once: both keep the one the lower
                        // identity started, and the other only to open what was sent on it.
                        session = current
                        previous = responder
                        openedOnPrevious = true
                    } else {
                        session = responder
                        previous = existing
                    }
                }
            case .ratchet:
                guard var current = existing else {
                    try noteUndecryptable(from: sender, now: now, in: db)
                    return .undecryptable
                }
                do {
                    plaintext = try current.decrypt(opened.message.bytes, now: now)
                    session = current
                } catch {
                    guard let decrypted = openWithPrevious(opened.message.bytes), let original = existing else {
                        throw error
                    }
                    session = original
                    previous = kept
                    openedOnPrevious = true
                    plaintext = decrypted
                }
            }
        } catch let error as ProtocolError {
            switch error {
            case .duplicateMessage, .messageKeyExpired:
                return .duplicate
            case .authenticationFailure, .tooManySkippedMessages, .unknownPrekey:
                // An authenticated sender whose message our session cannot open: the state has
                // diverged (a lost or restored profile). Say so, and start a new session.
                try noteUndecryptable(from: sender, now: now, in: db)
                return .undecryptable
            default:
                return .rejected
            }
        }
        for prekey in usedPrekeys {
            try store.deletePrekey(pool: prekey.pool, id: prekey.id, in: db)
        }
        guard let payload = try? Payload(decoding: plaintext) else {
            if let previous { try store.savePreviousSession(previous, in: db) }
            try store.saveSession(session, in: db)
            return .rejected
        }
        // The peer reset on the session that opened this: that one becomes current, whatever the
        // tie-break of two sessions started at once chose (SPEC.md §9.5), unless this device is
        // itself waiting on a reset of its own (both reset at once: the tie-break stands).
        if case .sessionReset = payload.body, openedOnPrevious, let other = previous {
            let ownResetPending = try store.setting(Self.ownResetName(sender), in: db) != nil
            if !(session.isAwaitingFirstReply && ownResetPending) {
                previous = session
                session = other
            }
        }
        // The session this device was waiting on has been answered (or replaced): no reset of its
        // own is pending any more. Only at that change, not on every message.
        if wasAwaiting, !session.isAwaitingFirstReply {
            try db.execute(sql: "DELETE FROM settings WHERE name = ?", arguments: [Self.ownResetName(sender)])
        }
        if let previous { try store.savePreviousSession(previous, in: db) }
        let outcome = try handle(payload, from: sender, session: &session, state: state, keys: keys, now: now, in: db)
        try store.saveSession(session, in: db)
        return outcome
    }

    /// The responder's half of the handshake, with the private prekeys the message names.
    private func respond(
        to initial: InitialMessage, keys: DeviceKeys, now: UInt64, in db: Database
    ) throws -> (RatchetSession, [UInt8], [(pool: Int, id: UInt32)]) {
        guard initial.signedPrekeyId == keys.signedPrekey.published.id else { throw ProtocolError.unknownPrekey }
        var used: [(pool: Int, id: UInt32)] = []
        let postQuantum: XWing.PrivateKey
        switch initial.postQuantumPrekeyKind {
        case .lastResortXWing where initial.postQuantumPrekeyId == keys.lastResortPrekey.published.id:
            postQuantum = keys.lastResortPrekey.privateKey
        case .oneTimeXWing:
            guard let seed = try store.prekey(pool: 4, id: initial.postQuantumPrekeyId, in: db),
                let key = try? XWing.PrivateKey(seed: seed)
            else { throw ProtocolError.unknownPrekey }
            postQuantum = key
            used.append((4, initial.postQuantumPrekeyId))
        default:
            throw ProtocolError.unknownPrekey
        }
        var oneTime: X25519.PrivateKey?
        if let id = initial.oneTimePrekeyId {
            guard let scalar = try store.prekey(pool: 3, id: id, in: db),
                let key = try? X25519.PrivateKey(rawRepresentation: scalar)
            else { throw ProtocolError.unknownPrekey }
            oneTime = key
            used.append((3, id))
        }
        let (session, plaintext) = try Handshake.respond(
            to: initial, identity: keys.identity, signedPrekey: keys.signedPrekey.privateKey,
            postQuantumPrekey: postQuantum, oneTimePrekey: oneTime, now: now)
        return (session, plaintext, used)
    }

    /// Acts on a decrypted payload.
    private func handle(
        _ payload: Payload, from sender: IdentityKey, session: inout RatchetSession, state: AccountState,
        keys: DeviceKeys, now: UInt64, in db: Database
    ) throws -> Outcome {
        switch payload.body {
        case .caseUpdate(let text, let pointers), .reply(_, let text, let pointers):
            let isUpdate: Bool
            if case .caseUpdate = payload.body { isUpdate = true } else { isUpdate = false }
            // Case updates go from defenders to experts, replies from experts to defenders.
            guard isUpdate == (state.role == .expert) else { return .notPermitted }
            var inReplyTo: Data?
            if case .reply(let answered, _, _) = payload.body { inReplyTo = answered.map { Data($0) } }
            let route = try route(to: sender, in: db)
            let message = Message(
                id: Data(payload.id), direction: .incoming, kind: isUpdate ? .caseUpdate : .reply,
                sender: Data(sender.encoded), senderName: route?.name, text: text, inReplyTo: inReplyTo,
                sentAt: payload.sentAt, storedAt: now, isRead: false, deliveries: [],
                attachments: pointers.map(Message.Attachment.init(pending:)))
            try store.insertMessage(message, in: db)
            // Receipted with the rest of the page (``sendPendingDelivered(keys:)``).
            if route != nil {
                try notePendingDelivered(
                    PendingDelivered(sender: Data(sender.encoded), id: Data(payload.id), isReply: !isUpdate), in: db)
            }
            return .message
        case .receipt(let kind, let ids):
            let reached: Message.DeliveryState = kind == .read ? .read : .delivered
            for id in ids {
                try store.updateMessage(id: Data(id), in: db) { message in
                    for index in message.deliveries.indices
                    where message.deliveries[index].device == Data(sender.encoded)
                        && message.deliveries[index].state < reached
                    {
                        message.deliveries[index].state = reached
                    }
                }
            }
            return .receipt
        case .contactCard(let card):
            // Only defenders introduce themselves: another expert is known from the roster, and
            // must not become a case.
            guard state.role == .expert,
                try !rosterEntries(in: db).contains(where: { $0.card.devices[0].identity == sender }),
                (try? card.verify(now: now)) != nil,
                card.devices.contains(where: { $0.identity == sender }),
                let encoded = try? card.encoded
            else { return .notPermitted }
            let isNew = try store.contact(sender, in: db) == nil
            try store.saveContact(ContactRecord(identity: Data(sender.encoded), card: Data(encoded)), in: db)
            // A defender that changed its deposit key (an expert device was lost): what waits
            // for it in the outbox goes with the new one.
            if let device = card.devices.first(where: { $0.identity == sender }) {
                try retoken(
                    device: Data(device.identity.encoded), mailbox: card.mailbox, depositKey: card.depositKey,
                    in: db)
            }
            // Updates that came before the card could not be receipted (no route yet): the
            // defender hears of them now, once.
            if isNew, let route = try route(to: sender, in: db),
                let certificate = try? certificate(keys: keys, now: now, in: db)
            {
                let waiting = try store.messages(in: db).filter {
                    $0.direction == .incoming && $0.kind == .caseUpdate && $0.sender == Data(sender.encoded)
                }
                for start in stride(from: 0, to: waiting.count, by: Payload.maximumReceiptCount) {
                    let ids = waiting[start..<min(start + Payload.maximumReceiptCount, waiting.count)].map {
                        Array($0.id)
                    }
                    let receipt = Payload(
                        id: SecureRandom.bytes(count: 16), sentAt: now, body: .receipt(.delivered, messageIds: ids))
                    try? enqueue(
                        receipt, session: &session, route: route, certificate: certificate, message: nil, in: db)
                }
            }
            return .other
        case .sessionReset:
            try insertNotice(.sessionReset, from: sender, now: now, in: db)
            return .other
        case .triage(let event):
            return try receiveTriage(event, from: sender, state: state, in: db)
        case .teamCopy(let defender, let inReplyTo, let text, let pointers):
            return try receiveTeamCopy(
                payload, defender: defender, inReplyTo: inReplyTo, text: text, pointers: pointers, from: sender,
                state: state, now: now, in: db)
        case .history(let item):
            return try receiveHistory(item, from: sender, state: state, keys: keys, now: now, in: db)
        case .rosterKey(let grant):
            return try receiveRosterKey(grant, state: state, in: db)
        }
    }

    // MARK: - Session reset

    /// Records that a message from `sender` could not be decrypted, and marks its session for a
    /// reset (done by ``performSessionResets()`` once the page is committed) unless the current
    /// session is one this device started that has not heard from the peer yet: then the message
    /// was sealed before the peer learnt of that session, and another reset would only start the
    /// next round of a ping-pong (SPEC.md §9.5).
    func noteUndecryptable(from sender: IdentityKey, now: UInt64, in db: Database) throws {
        try insertNotice(.undecryptable, from: sender, now: now, in: db)
        if let current = try store.session(with: sender, in: db), current.isAwaitingFirstReply { return }
        try store.setSetting(Self.resetName(sender), sender.encoded, in: db)
    }

    func insertNotice(_ notice: Message.Notice, from sender: IdentityKey, now: UInt64, in db: Database) throws {
        let message = Message(
            id: Data(SecureRandom.bytes(count: 16)), direction: .incoming, kind: .notice, sender: Data(sender.encoded),
            senderName: try route(to: sender, in: db)?.name, text: notice.rawValue, inReplyTo: nil, sentAt: now,
            storedAt: now, isRead: false, deliveries: [])
        try store.insertMessage(message, in: db)
    }

    static func resetName(_ identity: IdentityKey) -> String {
        settingName("reset", identity)
    }

    /// Set while this device's current session with `identity` is a reset it started.
    static func ownResetName(_ identity: IdentityKey) -> String {
        settingName("ownreset", identity)
    }

    /// Starts a new session with every peer marked for a reset: claims a fresh bundle, and sends
    /// a session-reset payload (with the contact card, from a defender) over the new session.
    func performSessionResets() async throws(AccountError) -> Int {
        let pending: [IdentityKey] = try perform { db in
            try String.fetchAll(db, sql: "SELECT name FROM settings WHERE name LIKE 'reset-%'").compactMap { name in
                try store.setting(name, in: db).flatMap { try? IdentityKey(decoding: $0) }
            }
        }
        var count = 0
        for peer in pending {
            guard let route = try perform({ db in try route(to: peer, in: db) }) else { continue }
            let bundle = try await claimBundle(route)
            let keys = try loadKeys()
            let now = clock()
            try store.transaction { db in
                // What the peer sent on the old session before it hears of the new one still opens.
                if let old = try store.session(with: peer, in: db) { try store.savePreviousSession(old, in: db) }
                var session = try initiateSession(keys: keys, to: bundle, now: now)
                let certificate = try certificate(keys: keys, now: now, in: db)
                if try store.state(in: db)?.role == .defender {
                    let card = Payload(
                        id: SecureRandom.bytes(count: 16), sentAt: now, body: .contactCard(keys.contactCard))
                    try enqueue(card, session: &session, route: route, certificate: certificate, message: nil, in: db)
                }
                let reset = Payload(id: SecureRandom.bytes(count: 16), sentAt: now, body: .sessionReset(.undecryptable))
                try enqueue(reset, session: &session, route: route, certificate: certificate, message: nil, in: db)
                try store.saveSession(session, in: db)
                try store.setSetting(Self.ownResetName(peer), peer.encoded, in: db)
                try db.execute(sql: "DELETE FROM settings WHERE name = ?", arguments: [Self.resetName(peer)])
            }
            count += 1
        }
        return count
    }

    /// Deliveries the relay took longer ago than its retention time without a receipt since.
    public func unconfirmedCount() throws(AccountError) -> Int {
        guard let state = try loadState() else { return 0 }
        let now = clock()
        return try messages().reduce(0) {
            $0 + $1.unconfirmedDeliveries(now: now, retention: state.retentionSeconds).count
        }
    }
}

/// What a sync sends that other devices may not be able to take yet, in the order it is sent.
private enum PendingSend: CaseIterable {
    case triage, teamCopies, history, grant
}
