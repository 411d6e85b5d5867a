// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation
import GRDB

// The outgoing path, in the order a message takes it: a draft (its files encrypted into the
// profile), its attachments uploaded (Account+Attachments), one envelope per recipient device
// through its session into the outbox, and the relay's receipt recorded when the outbox is handed
// over (DESIGN §5, SPEC.md §9).

/// Where an envelope for one device goes.
struct Route: Sendable {
    let name: String
    let device: ContactCard.Device
    let mailbox: MailboxID
    let depositKey: SecureBytes
    let directoryKey: SecureBytes

    /// The route to `device` through `card`'s mailbox, shown as `name`.
    init(name: String, device: ContactCard.Device, card: ContactCard) {
        self.name = name
        self.device = device
        mailbox = card.mailbox
        depositKey = card.depositKey
        directoryKey = card.directoryKey
    }

    /// The route to a roster entry's one device.
    init(_ entry: RosterContent.Entry) {
        self.init(name: entry.name, device: entry.card.devices[0], card: entry.card)
    }
}

/// A message whose attachments are encrypted but not all uploaded yet: kept in the store so an
/// interrupted upload resumes where it stopped (SPEC.md §9.2; issue #6).
struct Draft: Codable, Sendable {
    struct File: Codable, Sendable {
        var localFile: String
        var key: Data
        var size: UInt64
        var encryptedSize: UInt64
        var fileName: String
        var mimeType: String
        var blob: Data?
        var uploadKey: Data?
        var digest: Data?
        /// The metadata fields removed before encrypting (``DocumentMetadata``).
        var removed: [String]?
    }

    var id: Data
    var kind: Message.Kind
    var text: String
    var inReplyTo: Data?
    var recipients: [Data]
    var files: [File]
}

extension ProfileStore {
    func saveDraft(_ draft: Draft, row: Data, in db: Database) throws {
        let sealed = try cipher.seal(Array(try JSONEncoder().encode(draft)), place: "drafts.record", row: Array(row))
        try db.execute(
            sql:
                "INSERT INTO drafts (row, record) VALUES (?, ?) ON CONFLICT (row) DO UPDATE SET record = excluded.record",
            arguments: [row, Data(sealed)])
    }

    func drafts(in db: Database) throws -> [(row: Data, draft: Draft)] {
        try Row.fetchAll(db, sql: "SELECT row, record FROM drafts ORDER BY seq").map { row in
            let rowId: Data = row["row"]
            return (rowId, try openDraft(row["record"], row: rowId))
        }
    }

    private func openDraft(_ sealed: Data, row: Data) throws -> Draft {
        try JSONDecoder().decode(
            Draft.self, from: Data(try cipher.open(Array(sealed), place: "drafts.record", row: Array(row))))
    }

    /// The draft in `row`, if it is still there.
    func draft(row: Data, in db: Database) throws -> Draft? {
        try Row.fetchOne(db, sql: "SELECT record FROM drafts WHERE row = ?", arguments: [row]).map { found in
            try openDraft(found["record"], row: row)
        }
    }

    func deleteDraft(row: Data, in db: Database) throws {
        try db.execute(sql: "DELETE FROM drafts WHERE row = ?", arguments: [row])
    }
}

extension Message {
    /// A message this device sends to `routes`, every delivery queued: how a draft is shown at
    /// once, and what its envelopes are committed with.
    static func outgoing(
        id: Data, kind: Kind, text: String, inReplyTo: Data?, at now: UInt64, to routes: [Route],
        attachments: [Attachment]
    ) -> Message {
        Message(
            id: id, direction: .outgoing, kind: kind, sender: nil, senderName: nil, text: text, inReplyTo: inReplyTo,
            sentAt: now, storedAt: now, isRead: true,
            deliveries: routes.map {
                Delivery(
                    device: Data($0.device.identity.encoded), name: $0.name, state: .queued, submittedAt: nil,
                    receiptSignature: nil)
            }, attachments: attachments)
    }
}

extension Account {
    // MARK: - Sending

    /// Sends a case update, with `files` attached, to every expert device on the roster (a
    /// defender's one kind of message). The files are encrypted into the profile and the message
    /// recorded as a draft before anything goes out; the attachments are then uploaded (resuming
    /// after an interruption, on the next call to ``sync()``), and the message is committed with
    /// its envelopes in the outbox, which ``flushOutbox()`` hands to the relay.
    ///
    /// - Throws: ``AccountError/noRoster`` when no roster is published yet,
    ///   ``AccountError/notPermitted`` for an expert, ``AccountError/tooLarge``.
    @discardableResult
    public func sendCaseUpdate(_ text: String, attachments files: [OutgoingFile] = []) async throws(AccountError)
        -> Message
    {
        guard let state = try loadState(), state.role == .defender else { throw .notPermitted }
        if !state.enrolled { try await finishEnrolment() }
        var routes = try rosterRoutes()
        if routes.isEmpty {
            try await refreshRoster()
            routes = try rosterRoutes()
        }
        guard !routes.isEmpty else { throw .noRoster }
        return try await send(kind: .caseUpdate, text: text, inReplyTo: nil, files: files, to: routes)
    }

    /// Replies to the defender whose identity key is `defender` (an expert's message).
    @discardableResult
    ///
    /// - Throws: ``AccountError/caseSeized`` when the defender's device is reported lost or seized
    ///   (SPEC.md §16.3, field 8), unless `despiteSeizure`.
    public func reply(
        to defender: IdentityKey, text: String, inReplyTo: Data? = nil, attachments files: [OutgoingFile] = [],
        despiteSeizure: Bool = false
    ) async throws(AccountError) -> Message {
        guard let state = try loadState(), state.role == .expert else { throw .notPermitted }
        if !despiteSeizure, try triage(of: defender.signingKey.rawRepresentation).state.seizedSince != nil {
            throw .caseSeized
        }
        guard let contact = try perform({ db in try store.contact(defender, in: db) }),
            let route = Self.route(contact)
        else { throw .unknownContact }
        return try await send(kind: .reply, text: text, inReplyTo: inReplyTo, files: files, to: [route])
    }

    /// Records the message (and its encrypted attachments) as a draft in one commit, then tries to
    /// finish it: claims, uploads, encryption, outbox, relay. If the relay cannot be reached the
    /// message stays queued (``Message/DeliveryState/queued``) and the next ``sync()`` finishes it.
    private func send(
        kind: Message.Kind, text: String, inReplyTo: Data?, files: [OutgoingFile], to routes: [Route]
    ) async throws(AccountError) -> Message {
        guard text.utf8.count <= Payload.maximumTextByteCount else { throw .tooLarge }
        let (row, draft) = try prepareDraft(kind: kind, text: text, inReplyTo: inReplyTo, routes: routes, files: files)
        do {
            _ = try await complete(row: row, draft: draft)
            // The colleagues' copies of a reply go after it (SPEC.md §16.5); one that cannot be
            // sent now waits for the next sync, like a triage change.
            _ = try? await sendPendingTeamCopies()
            _ = try? await flushOutbox()
        } catch .transport(let error) where error.isTransient {
            // Kept: the draft or the outbox holds it until the relay answers.
        }
        guard let message = try message(id: draft.id) else { throw .store(.corrupted) }
        return message
    }

    // MARK: - Drafts

    /// Encrypts `files` into the profile and records the message as a draft, in one commit.
    func prepareDraft(
        kind: Message.Kind, text: String, inReplyTo: Data?, routes: [Route], files: [OutgoingFile]
    ) throws(AccountError) -> (row: Data, draft: Draft) {
        guard files.count <= Payload.maximumAttachmentCount else { throw .tooLarge }
        let limit = try loadState()?.maximumBlobBytes ?? .max
        var prepared: [Draft.File] = []
        do {
            for file in files {
                let name = "out-" + SecureRandom.bytes(count: 16).hexText
                // Images and documents lose their metadata unless the sender keeps the original
                // on purpose.
                var source = file.url
                var cleaned: DocumentMetadata.CleanedFile?
                if !file.keepOriginal, let kind = DocumentMetadata.kind(of: file.url, named: file.fileName) {
                    cleaned = try DocumentMetadata.cleaned(file.url, kind: kind)
                    source = cleaned?.url ?? source
                }
                defer { cleaned?.remove() }
                let ranges = file.keepOriginal ? nil : try ImageMetadata.keptRanges(of: source)
                let encrypted = try AttachmentCipher.encrypt(
                    source, to: store.filesDirectory.appendingPathComponent(name), keeping: ranges)
                guard encrypted.encryptedSize <= limit else {
                    try? FileManager.default.removeItem(at: store.filesDirectory.appendingPathComponent(name))
                    throw AttachmentError.tooLarge
                }
                prepared.append(
                    Draft.File(
                        localFile: name, key: Data(encrypted.key.withUnsafeBytes { Array($0) }), size: encrypted.size,
                        encryptedSize: encrypted.encryptedSize, fileName: file.fileName, mimeType: file.mimeType,
                        removed: cleaned?.removed))
            }
        } catch {
            for file in prepared {
                try? FileManager.default.removeItem(at: store.filesDirectory.appendingPathComponent(file.localFile))
            }
            throw .attachment(error as? AttachmentError ?? .unreadable)
        }
        let draft = Draft(
            id: Data(SecureRandom.bytes(count: 16)), kind: kind, text: text, inReplyTo: inReplyTo,
            recipients: routes.map { Data($0.device.identity.encoded) }, files: prepared)
        let row = Data(SecureRandom.bytes(count: 16))
        // Shown at once as queued, to every recipient; completing the draft fills in the rest.
        let message = Message.outgoing(
            id: draft.id, kind: kind, text: text, inReplyTo: inReplyTo, at: clock(), to: routes,
            attachments: prepared.map { file in
                var attachment = Message.Attachment(
                    fileName: file.fileName, mimeType: file.mimeType, size: file.size, state: .stored, blob: Data(),
                    key: file.key, encryptedSize: file.encryptedSize, digest: Data(), localFile: file.localFile)
                attachment.removedMetadata = file.removed
                return attachment
            })
        try store.transaction { db in
            try store.saveDraft(draft, row: row, in: db)
            try store.insertMessage(message, in: db)
        }
        return (row, draft)
    }

    /// Uploads what is missing of a draft's attachments (resuming from the chunks the relay has),
    /// then sends the message and drops the draft in the same commit.
    func complete(row: Data, draft initial: Draft) async throws(AccountError) -> Message {
        var draft = initial
        let routes = try perform { db in
            try draft.recipients.compactMap { bytes in
                try (try? IdentityKey(decoding: Array(bytes))).flatMap { identity in try route(to: identity, in: db) }
            }
        }
        // A recipient that left the roster since (or whose card is gone) is not waited for: its
        // delivery is dropped from the message, and a draft with nobody left is finished.
        let reachable = Set(routes.map { Data($0.device.identity.encoded) })
        if draft.recipients.contains(where: { !reachable.contains($0) }) {
            draft.recipients = draft.recipients.filter { reachable.contains($0) }
            let narrowed = draft
            try store.transaction { db in
                try store.updateMessage(id: narrowed.id, in: db) { message in
                    message.deliveries = message.deliveries.filter { reachable.contains($0.device) }
                }
                if narrowed.recipients.isEmpty {
                    try store.deleteDraft(row: row, in: db)
                } else {
                    try store.saveDraft(narrowed, row: row, in: db)
                }
            }
        }
        guard routes.first != nil else {
            guard let message = try message(id: draft.id) else { throw .unknownContact }
            return message
        }
        // One download per recipient device, and for a reply one per colleague's team copy
        // (SPEC.md §16.5), each confirmed with that device's own key (§9.4).
        let downloaders = (routes + (draft.kind == .reply ? try rosterRoutes() : [])).map(\.device.identity)
        for index in draft.files.indices where draft.files[index].digest == nil {
            // What the relay holds of a blob created just now is known: nothing (no round trip
            // to ask).
            var fresh: BlobStatus?
            // Twice at most: the relay deletes a blob not uploaded whole within its upload window
            // (this device was away too long); then a new one is created and the upload redone.
            for attempt in 1...2 where draft.files[index].digest == nil {
                if draft.files[index].blob == nil {
                    let confirmations: [[UInt8]]
                    do {
                        confirmations = try Self.confirmations(of: draft.files[index].key, for: downloaders)
                    } catch {
                        throw .transport(error)
                    }
                    let created = try await createBlob(
                        size: draft.files[index].encryptedSize, confirmations: confirmations, through: routes)
                    draft.files[index].blob = created.blob.data
                    draft.files[index].uploadKey = Data(created.uploadKey.withUnsafeBytes { Array($0) })
                    fresh = BlobStatus(
                        present: [], complete: false, chunks: created.chunks, chunkSize: created.chunkSize,
                        downloadsLeft: downloaders.count)
                    let saved = draft
                    try store.transaction { db in try store.saveDraft(saved, row: row, in: db) }
                }
                do {
                    draft.files[index].digest = Data(try await upload(draft.files[index], status: fresh))
                } catch .transport(.refused(404, let code)) {
                    draft.files[index].blob = nil
                    draft.files[index].uploadKey = nil
                    if attempt == 2 { throw .transport(.refused(status: 404, code: code)) }
                }
                let saved = draft
                try store.transaction { db in try store.saveDraft(saved, row: row, in: db) }
            }
        }
        var attachments: [Message.Attachment] = []
        for file in draft.files {
            guard let blob = file.blob, let digest = file.digest else { throw .store(.corrupted) }
            var attachment = Message.Attachment(
                fileName: file.fileName, mimeType: file.mimeType, size: file.size, state: .stored, blob: blob,
                key: file.key, encryptedSize: file.encryptedSize, digest: digest, localFile: file.localFile)
            attachment.removedMetadata = file.removed
            attachments.append(attachment)
        }
        let pointers = try attachments.map { attachment throws(AccountError) in try attachment.pointer }
        let body: Payload.Body =
            draft.kind == .caseUpdate
            ? .caseUpdate(text: draft.text, attachments: pointers)
            : .reply(inReplyTo: draft.inReplyTo.map(Array.init), text: draft.text, attachments: pointers)
        return try await send(
            body, id: Array(draft.id), kind: draft.kind, text: draft.text, inReplyTo: draft.inReplyTo,
            attachments: attachments, to: routes, finishingDraft: row)
    }

    /// Finishes every draft left by an interrupted send, or by a recipient device that could not
    /// be reached. A draft that still cannot go (that device still has no prekeys, say) waits for
    /// the next sync without holding up the others; a transient failure stops them all.
    func completeDrafts() async throws(AccountError) -> Int {
        var sent = 0
        for (row, draft) in try perform({ db in try store.drafts(in: db) }) {
            do {
                _ = try await complete(row: row, draft: draft)
                sent += 1
            } catch {
                switch error {
                case .transport(let failure) where failure.isTransient: throw error
                case .transport, .protocolFailure, .unknownContact: continue
                default: throw error
                }
            }
        }
        return sent
    }

    // MARK: - Envelopes

    /// Encrypts one payload for each route and commits sessions, message, outbox (and the end
    /// of its draft, if it had one) together.
    func send(
        _ body: Payload.Body, id: [UInt8], kind: Message.Kind, text: String, inReplyTo: Data?,
        attachments: [Message.Attachment], to routes: [Route], finishingDraft draft: Data?
    ) async throws(AccountError) -> Message {
        let now = clock()
        let payload = Payload(id: id, sentAt: now, body: body)
        let plaintext: [UInt8]
        do {
            plaintext = try payload.encoded()
        } catch {
            throw .tooLarge
        }
        guard plaintext.count <= ProtocolLimits.maximumPlaintextByteCount else { throw .tooLarge }
        // A device that cannot be reached now (no prekeys published, a bundle that does not
        // check) must not hold up the others: they get the message, and it waits in the draft
        // for that device alone (SPEC.md §9.3, fan-out).
        let (bundles, unreachable) = try await claimReachableBundles(for: routes)
        let reachable = routes.filter { unreachable[$0.device.identity.encoded] == nil }
        if reachable.isEmpty, let error = unreachable.values.first { throw error }
        let keys = try loadKeys()
        let message = Message.outgoing(
            id: Data(payload.id), kind: kind, text: text, inReplyTo: inReplyTo, at: now, to: routes,
            attachments: attachments)
        try store.transaction { db in
            let certificate = try self.certificate(keys: keys, now: now, in: db)
            for route in reachable {
                var (session, isNew) = try outgoingSession(to: route, bundles: bundles, keys: keys, now: now, in: db)
                // A defender's first message to a device says how to answer (SPEC.md §9.3).
                if isNew, try store.state(in: db)?.role == .defender {
                    let card = Payload(
                        id: SecureRandom.bytes(count: 16), sentAt: now, body: .contactCard(keys.contactCard))
                    try enqueue(card, session: &session, route: route, certificate: certificate, message: nil, in: db)
                }
                try enqueue(
                    payload, session: &session, route: route, certificate: certificate, message: message.id, in: db)
                try store.saveSession(session, in: db)
            }
            if try !store.insertMessage(message, in: db) {
                try store.updateMessage(id: message.id, in: db) { stored in
                    // Devices an earlier round of this draft already sent to keep their state.
                    let earlier = stored.deliveries.filter { delivery in
                        !message.deliveries.contains { $0.device == delivery.device }
                    }
                    stored = message
                    stored.deliveries = earlier + message.deliveries
                }
            }
            if kind == .reply { try markTeamCopyPending(message.id, in: db) }
            if let draft {
                if unreachable.isEmpty {
                    try store.deleteDraft(row: draft, in: db)
                } else if var remaining = try store.draft(row: draft, in: db) {
                    remaining.recipients = routes.map { Data($0.device.identity.encoded) }.filter {
                        unreachable[Array($0)] != nil
                    }
                    try store.saveDraft(remaining, row: draft, in: db)
                }
            }
        }
        return try perform { db in try store.message(id: message.id, in: db) } ?? message
    }

    /// Like ``claimBundles(for:)``, but a route whose claim fails for good (not a transient
    /// transport failure) is returned with its error instead of failing them all.
    func claimReachableBundles(for routes: [Route]) async throws(AccountError) -> (
        bundles: [[UInt8]: PrekeyBundle], unreachable: [[UInt8]: AccountError]
    ) {
        var bundles: [[UInt8]: PrekeyBundle] = [:]
        var unreachable: [[UInt8]: AccountError] = [:]
        for route in routes where try perform({ db in try store.session(with: route.device.identity, in: db) }) == nil {
            do {
                bundles[route.device.identity.encoded] = try await claimBundle(route)
            } catch .transport(let error) where error.isTransient {
                throw .transport(error)
            } catch {
                unreachable[route.device.identity.encoded] = error
            }
        }
        return (bundles, unreachable)
    }

    /// Encrypts `payload` with `session`, seals it for `route` and puts it in the outbox.
    func enqueue(
        _ payload: Payload, session: inout RatchetSession, route: Route, certificate: SenderCertificate,
        message: Data?, in db: Database
    ) throws {
        var entropy = SystemEntropy()
        var encapsulator = SystemEncapsulator()
        let sessionMessage = try session.encrypt(
            try payload.encoded(), now: clock(), entropy: &entropy, encapsulator: &encapsulator)
        guard let sealingKey = route.device.sealingKey.xWingKey else { throw AccountError.protocolFailure(.malformed) }
        let envelope = try SealedEnvelope.seal(
            sessionMessage, certificate: certificate, to: sealingKey, mailbox: route.mailbox)
        try store.enqueue(
            OutboxItem(
                mailbox: route.mailbox.data, depositKey: Data(route.depositKey.withUnsafeBytes { Array($0) }),
                envelope: Data(envelope), message: message, device: Data(route.device.identity.encoded),
                sessionMessage: Data(sessionMessage.bytes), sessionMessageKind: sessionMessage.kind.rawValue,
                certificateExpiresAt: certificate.expiresAt),
            in: db)
    }

    /// A sender seals again, with a current certificate, an envelope that waited in its outbox
    /// until its certificate has less than this left (SPEC.md §7.1), so that no envelope reaches
    /// the relay with a certificate its recipient may already find expired.
    static let resealMargin: UInt64 = 6 * 86_400

    /// `item` sealed again with a current certificate if its own expires within
    /// ``resealMargin`` and a later one is to be had; nil when it can go as it is. Only the outer
    /// envelope changes: the session message inside is the one the ratchet made.
    func resealed(_ item: OutboxItem, keys: DeviceKeys, now: UInt64, in db: Database) throws -> OutboxItem? {
        guard let expiresAt = item.certificateExpiresAt, expiresAt < now + Self.resealMargin,
            let bytes = item.sessionMessage, let kind = item.sessionMessageKind.flatMap(SessionMessage.Kind.init),
            let identity = try? IdentityKey(decoding: Array(item.device)),
            let route = try route(to: identity, in: db), let sealingKey = route.device.sealingKey.xWingKey
        else { return nil }
        let certificate = try certificate(keys: keys, now: now, in: db)
        guard certificate.expiresAt > expiresAt else { return nil }
        // Mailbox, deposit key and sealing key all from the device's card as it is now.
        var updated = item
        updated.envelope = Data(
            try SealedEnvelope.seal(
                SessionMessage(kind: kind, bytes: Array(bytes)), certificate: certificate, to: sealingKey,
                mailbox: route.mailbox))
        updated.mailbox = route.mailbox.data
        updated.depositKey = Data(route.depositKey.withUnsafeBytes { Array($0) })
        updated.certificateExpiresAt = certificate.expiresAt
        return updated
    }

    /// The certificate this device sends with: the organisation's for an expert, a self-signed
    /// one (valid a week) for a defender.
    func certificate(keys: DeviceKeys, now: UInt64, in db: Database) throws -> SenderCertificate {
        guard let state = try store.state(in: db) else { throw AccountError.notEnrolled }
        switch state.role {
        case .defender:
            return SenderCertificate(selfSignedBy: keys.identity, expiresAt: now + 7 * 86_400)
        case .expert:
            guard let bytes = state.certificate else { throw AccountError.notPermitted }
            return try SenderCertificate(decoding: Array(bytes))
        }
    }

    /// Claims a bundle for each of `routes` that has no session yet. Prekey claims need the
    /// network, so they come before the transaction that starts the sessions; that transaction
    /// decides whether each bundle is still needed (a session may have appeared meanwhile).
    ///
    /// The claims go side by side (each a round trip, a second or more over Tor); the first
    /// failure in `routes`' order is thrown.
    func claimBundles(for routes: [Route]) async throws(AccountError) -> [[UInt8]: PrekeyBundle] {
        var needed: [Route] = []
        for route in routes where try perform({ db in try store.session(with: route.device.identity, in: db) }) == nil {
            needed.append(route)
        }
        if needed.count <= 1 {
            var bundles: [[UInt8]: PrekeyBundle] = [:]
            for route in needed { bundles[route.device.identity.encoded] = try await claimBundle(route) }
            return bundles
        }
        let results = await withTaskGroup(of: (Int, Result<PrekeyBundle, AccountError>).self) { group in
            for (index, route) in needed.enumerated() {
                group.addTask {
                    do throws(AccountError) {
                        return (index, .success(try await self.claimBundle(route)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results: [Int: Result<PrekeyBundle, AccountError>] = [:]
            for await (index, result) in group { results[index] = result }
            return results
        }
        var bundles: [[UInt8]: PrekeyBundle] = [:]
        for (index, route) in needed.enumerated() {
            guard let result = results[index] else { continue }
            bundles[route.device.identity.encoded] = try result.get()
        }
        return bundles
    }

    /// The session with `route`'s device, inside a transaction: the stored one, or a new one
    /// initiated with the bundle ``claimBundles(for:)`` claimed for it (`isNew`).
    func outgoingSession(
        to route: Route, bundles: [[UInt8]: PrekeyBundle], keys: DeviceKeys, now: UInt64, in db: Database
    ) throws -> (session: RatchetSession, isNew: Bool) {
        if let existing = try store.session(with: route.device.identity, in: db) {
            return (existing, false)
        }
        guard let bundle = bundles[route.device.identity.encoded] else {
            throw AccountError.protocolFailure(.sessionNotEstablished)
        }
        return (try initiateSession(keys: keys, to: bundle, now: now), true)
    }

    /// A new session with the device that published `bundle` (SPEC.md §7).
    func initiateSession(keys: DeviceKeys, to bundle: PrekeyBundle, now: UInt64) throws -> RatchetSession {
        var entropy = SystemEntropy()
        var encapsulator = SystemEncapsulator()
        return try Handshake.initiate(
            from: keys.identity, to: bundle, now: now, entropy: &entropy, encapsulator: &encapsulator)
    }

    /// Claims and checks a prekey bundle for the device `route` names.
    func claimBundle(_ route: Route) async throws(AccountError) -> PrekeyBundle {
        let claimed: ClaimedPrekeys
        do {
            claimed = try await api.claimPrekeys(mailbox: route.mailbox, depositKey: route.depositKey)
        } catch {
            throw .transport(error)
        }
        do {
            let bundle = try PrekeyDirectory.openBundle(
                head: claimed.head, oneTimePrekey: claimed.oneTimePrekey,
                oneTimePostQuantumPrekey: claimed.oneTimePostQuantumPrekey, directoryKey: route.directoryKey,
                mailbox: route.mailbox)
            try bundle.verify(now: clock())
            // The device behind the mailbox must be the one the roster or card names: a changed
            // identity key without a new roster is refused.
            guard bundle.identity == route.device.identity, bundle.sealingKey == route.device.sealingKey else {
                throw ProtocolError.authenticationFailure
            }
            return bundle
        } catch let error as ProtocolError {
            throw .protocolFailure(error)
        } catch {
            throw .protocolFailure(.malformed)
        }
    }

    /// An outbox envelope the relay refused with `bad_deposit_token`: taken out for good (its
    /// delivery marked refused) when this device holds a seizure report for the recipient, whose
    /// mailbox is then frozen; sealed to the deposit key of a newer card from the recipient if
    /// one came (it goes at the next flush); otherwise kept, its delivery marked refused until
    /// then, for the new card a recipient that changed its deposit key sends next.
    func settleRefused(row: Data, item: OutboxItem) throws(AccountError) {
        let recipient = try? IdentityKey(decoding: Array(item.device))
        var seized = false
        if let recipient { seized = try triage(of: recipient.signingKey.rawRepresentation).state.seizedSince != nil }
        try store.transaction { db in
            if !seized, let recipient, let contact = try store.contact(recipient, in: db),
                let card = try? ContactCard(decoding: Array(contact.card)), card.mailbox.data == item.mailbox,
                card.depositKey.withUnsafeBytes({ Data($0) }) != item.depositKey
            {
                var updated = item
                updated.depositKey = card.depositKey.withUnsafeBytes { Data($0) }
                try store.replaceOutboxItem(row: row, with: updated, in: db)
                return
            }
            if seized { try store.dequeue(row: row, in: db) }
            if let id = item.message {
                try store.updateMessage(id: id, in: db) { message in
                    for index in message.deliveries.indices
                    where message.deliveries[index].device == item.device
                        && message.deliveries[index].state == .queued
                    {
                        message.deliveries[index].state = .refused
                    }
                }
            }
        }
    }

    /// Seals every outbox envelope for `device` in `mailbox` to `depositKey` (a new card came).
    func retoken(device: Data, mailbox: MailboxID, depositKey: SecureBytes, in db: Database) throws {
        let key = depositKey.withUnsafeBytes { Data($0) }
        for (row, item) in try store.outbox(in: db)
        where item.device == device && item.mailbox == mailbox.data && item.depositKey != key {
            var updated = item
            updated.depositKey = key
            try store.replaceOutboxItem(row: row, with: updated, in: db)
        }
    }

    // MARK: - Routes

    func rosterRoutes() throws(AccountError) -> [Route] {
        let own = try loadKeys().identity.publicKey
        return try rosterEntries().compactMap { entry in
            entry.card.devices[0].identity == own ? nil : Route(entry)
        }
    }

    static func route(_ contact: ContactRecord) -> Route? {
        guard let card = try? ContactCard(decoding: Array(contact.card)),
            let device = card.devices.first(where: { $0.identity.encoded == Array(contact.identity) })
        else { return nil }
        return Route(name: CaseID(defender: device.identity).short, device: device, card: card)
    }

    /// The route to `identity`: a roster device, or a defender who sent a card.
    func route(to identity: IdentityKey, in db: Database) throws -> Route? {
        if let entry = try rosterEntries(in: db).first(where: { $0.card.devices[0].identity == identity }) {
            return Route(entry)
        }
        return try store.contact(identity, in: db).flatMap(Self.route)
    }

    // MARK: - Outbox

    /// Hands every queued envelope to the relay, oldest first. An envelope leaves the outbox only
    /// when the relay has answered 201 with a receipt that verifies; the receipt is stored with
    /// the message in the same transaction. Stops at the first transient failure (the rest wait
    /// for the next sync) and returns how many went out.
    @discardableResult
    public func flushOutbox() async throws(AccountError) -> Int {
        guard let state = try loadState() else { throw .notEnrolled }
        guard let relayKey = try? Ed25519.PublicKey(rawRepresentation: Array(state.relayKey)) else {
            throw .store(.corrupted)
        }
        let keys = try loadKeys()
        // One queue per recipient mailbox, each in its own order; the queues go side by side, as
        // many at a time as the transport has connections (over Tor, a deposit is a round trip of
        // a second or more: one after another, they add up).
        var queues: [[(row: Data, item: OutboxItem)]] = []
        var queueOfMailbox: [Data: Int] = [:]
        for (row, item) in try perform({ db in try store.outbox(in: db) }) {
            if let index = queueOfMailbox[item.mailbox] {
                queues[index].append((row, item))
            } else {
                queueOfMailbox[item.mailbox] = queues.count
                queues.append([(row, item)])
            }
        }
        if queues.count <= 1 {
            return try await flush(queues.first ?? [], keys: keys, relayKey: relayKey).get()
        }
        let results = await withTaskGroup(of: Result<Int, AccountError>.self) { group in
            for queue in queues {
                group.addTask { await self.flush(queue, keys: keys, relayKey: relayKey) }
            }
            var results: [Result<Int, AccountError>] = []
            for await result in group { results.append(result) }
            return results
        }
        var sent = 0
        var failure: AccountError?
        for result in results {
            switch result {
            case .success(let count): sent += count
            case .failure(let error): failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return sent
    }

    /// Deposits one mailbox's queued envelopes in order, each removed from the outbox once its
    /// receipt verifies; stops at the first failure.
    private func flush(
        _ queue: [(row: Data, item: OutboxItem)], keys: DeviceKeys, relayKey: Ed25519.PublicKey
    ) async -> Result<Int, AccountError> {
        var sent = 0
        do throws(AccountError) {
            for (row, queued) in queue {
                sent += try await deposit(row: row, queued: queued, keys: keys, relayKey: relayKey) ? 1 : 0
            }
        } catch {
            return .failure(error)
        }
        return .success(sent)
    }

    /// Deposits one queued envelope; false when the recipient's mailbox refused its deposit key
    /// (settled without holding up the rest).
    private func deposit(
        row: Data, queued: OutboxItem, keys: DeviceKeys, relayKey: Ed25519.PublicKey
    ) async throws(AccountError) -> Bool {
        // Sealed again first when its certificate is about to expire, and committed before it
        // goes, so a retry sends the same bytes.
        let now = clock()
        var item = queued
        if let expiresAt = queued.certificateExpiresAt, expiresAt < now + Self.resealMargin {
            item = try store.transaction { db in
                guard let updated = try resealed(queued, keys: keys, now: now, in: db) else { return queued }
                try store.replaceOutboxItem(row: row, with: updated, in: db)
                return updated
            }
        }
        guard let mailbox = MailboxID(item.mailbox) else { throw .store(.corrupted) }
        let receipt: DepositReceipt
        do {
            receipt = try await api.deposit(
                Array(item.envelope), mailbox: mailbox,
                depositKey: SecureBytes(copying: Array(item.depositKey)), relayKey: relayKey)
        } catch .refused(_, .badDepositToken) {
            // The recipient's mailbox no longer takes this deposit key (SPEC.md §16.2): frozen
            // after a seizure report, or its key changed. It must not hold up the envelopes after
            // it, nor be lost if a new card is on its way.
            try settleRefused(row: row, item: item)
            return false
        } catch {
            throw .transport(error)
        }
        try store.transaction { db in
            try store.dequeue(row: row, in: db)
            if let id = item.message {
                try store.updateMessage(id: id, in: db) { message in
                    for index in message.deliveries.indices where message.deliveries[index].device == item.device {
                        if message.deliveries[index].state < .submitted {
                            message.deliveries[index].state = .submitted
                        }
                        message.deliveries[index].submittedAt = receipt.time
                        message.deliveries[index].receiptSignature = Data(receipt.signature)
                        message.deliveries[index].receiptMailbox = receipt.mailbox.data
                        message.deliveries[index].receiptDigest = receipt.digest.data
                        message.deliveries[index].receiptProof = receipt.proof.map { Data($0.encoded) }
                    }
                }
            }
        }
        return true
    }
}
