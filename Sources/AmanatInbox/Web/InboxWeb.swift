// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatProtocol
import AmanatTerminal
import Foundation
import HTTPTypes
import Hummingbird
import MultipartKit
import Mustache
import NIOCore

/// `amanat-inbox serve`: the experts' web UI on 127.0.0.1 (DESIGN §6). Server-rendered pages,
/// no JavaScript, no external assets. Every response carries a strict Content-Security-Policy
/// and no-store caching; requests naming another Host are refused (DNS rebinding); every page
/// but the login needs the session cookie, and every POST its session's CSRF token.
struct InboxWeb: Sendable {
    let account: Account
    let port: Int
    let sessions: WebSessions
    let templates: MustacheLibrary
    let defaultLanguage: Language
    /// The largest reply form (text and attachments), as the relay's blob limit allows.
    let maximumUpload: Int
    /// How often the case list reloads itself (the background sync's period), if at all.
    let refreshEvery: Int?

    static let cookieName = "amanat_session"

    init(
        account: Account, port: Int, language: Language, maximumUpload: Int = 100 << 20, refreshEvery: Int? = nil
    ) throws {
        self.account = account
        self.port = port
        sessions = WebSessions()
        templates = try WebTemplates.library()
        defaultLanguage = language
        self.maximumUpload = maximumUpload
        self.refreshEvery = refreshEvery
    }

    /// The link that logs in, once.
    var loginURL: String { "http://127.0.0.1:\(port)/login?token=\(sessions.loginToken)" }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(WebGuard(port: port))
        router.get("/static/style.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: WebTemplates.style)))
        }
        router.get("/login") { request, _ in try login(request) }
        router.get("/") { request, _ in try await page(request) { session in try await caseList(request, session) } }
        router.get("/case/:label") { request, context in
            try await page(request) { session in
                try await casePage(
                    try label(context), session, notice: request.uri.queryParameters.get("notice").map { String($0) })
            }
        }
        router.post("/case/:label/triage") { request, context in
            try await form(request) { session, fields in
                try await triage(try label(context), fields, session)
            }
        }
        router.post("/case/:label/reply") { request, context in
            try await reply(request, try label(context))
        }
        router.post("/case/:label/seized") { request, context in
            try await form(request) { session, fields in try await reportSeized(try label(context), fields, session) }
        }
        router.post("/case/:label/read") { request, context in
            try await form(request) { session, _ in try await markRead(try label(context), session) }
        }
        router.get("/case/:label/file/:file") { request, context in
            try await page(request) { session in
                try await attachment(try label(context), context.parameters.get("file") ?? "", session)
            }
        }
        router.get("/search") { request, _ in try await page(request) { session in try await search(request, session) }
        }
        router.get("/roster") { request, _ in try await page(request) { session in try await roster(session) } }
        router.post("/sync") { request, _ in
            try await form(request) { session, fields in
                let summary = try await account.sync()
                // Back to the page the button was on, now showing what the sync brought.
                return redirect(
                    Self.localPath(fields["back"]),
                    notice: text("web.synced", session, [String(summary.received), String(summary.sent)]))
            }
        }
        router.post("/language") { request, _ in
            try await form(request) { session, fields in
                sessions.setLanguage(fields["lang"] == "ru" ? .russian : .english, for: session)
                return redirect("/", notice: nil)
            }
        }
        return router
    }

    // MARK: - Session handling

    func login(_ request: Request) throws -> Response {
        guard let token = request.uri.queryParameters.get("token"),
            let session = sessions.logIn(token, language: defaultLanguage)
        else {
            return message(.unauthorized, InboxCatalogue.text("web.login-used", defaultLanguage))
        }
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.headers[.setCookie] =
            "\(Self.cookieName)=\(Base64URL.encode(session.id)); Path=/; HttpOnly; SameSite=Strict"
        return response
    }

    /// A page for a logged-in session.
    func page(_ request: Request, _ body: (WebSessions.Session) async throws -> Response) async throws -> Response {
        guard let session = sessions.session(request.cookies[Self.cookieName]?.value) else {
            return message(.unauthorized, InboxCatalogue.text("web.login-needed", defaultLanguage))
        }
        do {
            return try await body(session)
        } catch let error as AccountError {
            return message(.internalServerError, error.description)
        }
    }

    /// A URL-encoded form POST: session and CSRF token checked before anything else.
    func form(
        _ request: Request, _ body: (WebSessions.Session, [String: String]) async throws -> Response
    ) async throws -> Response {
        guard let session = sessions.session(request.cookies[Self.cookieName]?.value) else {
            return message(.unauthorized, InboxCatalogue.text("web.login-needed", defaultLanguage))
        }
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        let fields = Self.formFields(String(buffer: buffer))
        guard sessions.checkCSRF(fields["csrf"], for: session) else {
            return message(.forbidden, InboxCatalogue.text("web.csrf", session.language))
        }
        do {
            return try await body(session, fields)
        } catch let error as AccountError {
            return message(.internalServerError, error.description)
        }
    }

    static func formFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    func label(_ context: BasicRequestContext) throws -> String {
        guard let label = context.parameters.get("label") else { throw HTTPError(.notFound) }
        return label
    }

    // MARK: - Pages

    func caseList(_ request: Request, _ session: WebSessions.Session) async throws -> Response {
        let query = request.uri.queryParameters
        let data = try await WebData.load(account, language: session.language)
        let status = query.get("status").flatMap { word in TriageWords.statuses.first { $0.0 == word }?.1 }
        let assignee = query.get("assignee").map { String($0) }.flatMap { $0.isEmpty ? nil : $0 }
        let label = query.get("label").map { String($0) } ?? ""
        let overdue = query.get("overdue") == "1"
        let now = UInt64(Date().timeIntervalSince1970)
        var cases = data.cases
        if let status { cases = cases.filter { data.view.state(of: $0).status == status } }
        if let assignee {
            cases = cases.filter { item in
                let key = data.view.state(of: item).assignee.map { Base64URL.encode($0) } ?? "nobody"
                return key == assignee
            }
        }
        if !label.isEmpty { cases = cases.filter { data.view.state(of: $0).labels.contains(label) } }
        if overdue { cases = cases.filter { data.view.isOverdue($0, now: now) } }
        let sort = query.get("sort").map { String($0) }.flatMap { Self.sorts.contains($0) ? $0 : nil } ?? "latest"
        let latest = { (item: InboxCase) in item.messages.last?.storedAt ?? 0 }
        cases.sort { a, b in
            switch sort {
            case "priority":
                let (pa, pb) = (data.view.state(of: a).priority.rawValue, data.view.state(of: b).priority.rawValue)
                return pa != pb ? pa > pb : latest(a) > latest(b)
            case "due":
                let (da, db) = (data.view.state(of: a).due ?? .max, data.view.state(of: b).due ?? .max)
                return da != db ? da < db : latest(a) > latest(b)
            case "unread":
                return a.unread != b.unread ? a.unread > b.unread : latest(a) > latest(b)
            default:
                return latest(a) > latest(b)
            }
        }
        var context = base(session, title: text("web.cases", session), here: Self.localPath(request.uri.path))
        context["refresh"] = refreshEvery
        context["notice"] = query.get("notice").map { String($0) }
        context["total"] = data.cases.count
        context["unreadTotal"] = data.cases.reduce(0) { $0 + $1.unread }
        // Each order keeps the filters.
        var kept = URLComponents()
        kept.queryItems = ["status", "assignee", "label", "overdue"].compactMap { name in
            query.get(name).map { URLQueryItem(name: name, value: String($0)) }
        }
        context["sorts"] = Self.sorts.map { word -> [String: Any] in
            var components = kept
            components.queryItems = (kept.queryItems ?? []) + [URLQueryItem(name: "sort", value: word)]
            return [
                "href": "/?" + (components.percentEncodedQuery ?? ""), "name": text("web.sort." + word, session),
                "selected": word == sort,
            ]
        }
        context["anyStatus"] = status != nil
        context["statuses"] = TriageWords.statuses.map { word, value in
            [
                "word": word, "name": text("status." + word, session), "selected": value == status,
                "count": data.cases.filter { data.view.state(of: $0).status == value }.count,
            ] as [String: Any]
        }
        context["assignees"] =
            [["value": "nobody", "name": text("nobody", session), "selected": assignee == "nobody"]]
            + data.roster.map { device in
                let value = Base64URL.encode(device.identity.signingKey.rawRepresentation)
                return ["value": value, "name": device.name, "selected": value == assignee] as [String: Any]
            }
        context["label"] = label
        context["overdue"] = overdue
        context["hasCases"] = !cases.isEmpty
        context["cases"] = cases.map { item -> [String: Any] in
            let state = data.view.state(of: item)
            return [
                "label": item.name, "path": item.id.text,
                "status": text("status." + TriageWords.word(state.status), session),
                "priority": text("priority." + TriageWords.word(state.priority), session),
                "priorityWord": TriageWords.word(state.priority),
                "assignee": state.assignee.map { data.view.name(of: $0) } ?? "—",
                "labels": state.labels.joined(separator: ", "),
                "due": state.due.map { LocalTime.day($0, session.language) } ?? "",
                "overdue": data.view.isOverdue(item, now: now), "messages": item.messages.count,
                "unread": item.unread, "hasUnread": item.unread > 0,
                "last": String((item.messages.last?.text ?? "").prefix(60)),
            ]
        }
        return render("cases", context)
    }

    /// The case a URL names (its full id, a unique prefix or its alias), or the page that says
    /// why there is none: never a silent first match.
    enum CaseInURL {
        case found(InboxCase)
        case refused(Response)
    }

    func find(_ typed: String, in data: WebData, _ session: WebSessions.Session) -> CaseInURL {
        switch InboxCase.lookup(typed, in: data.cases) {
        case .found(let item): return .found(item)
        case .none: return .refused(message(.notFound, text("error.unknown-case", session, [typed])))
        case .tooShort:
            return .refused(
                message(
                    .notFound,
                    text("error.short-case-id", session, [typed, String(CaseID.minimumPrefixLength)])))
        case .ambiguous(let matches):
            return .refused(
                message(
                    .conflict,
                    text("error.ambiguous-case", session, [typed, matches.map(\.name).joined(separator: ", ")])))
        }
    }

    func casePage(_ label: String, _ session: WebSessions.Session, notice: String?) async throws -> Response {
        let data = try await WebData.load(account, language: session.language)
        let item: InboxCase
        switch find(label, in: data, session) {
        case .found(let found): item = found
        case .refused(let response): return response
        }
        let triage = data.view.cases[Data(item.caseKey)]
        let state = data.view.state(of: item)
        // Opening the page changes nothing: messages become read with the page's button (or
        // by answering), never by a GET.
        var context = base(session, title: item.name, here: "/case/\(item.id.text)")
        context["hasUnread"] = item.unread > 0
        context["notice"] = notice
        context["label"] = item.name
        context["caseId"] = item.id.text
        let verified = try await account.isVerified(item.identity)
        context["safety"] = SafetyText.grouped(try await account.safetyNumber(with: item.identity))
        context["safetyState"] = text(verified ? "verified.mark" : "safety.unverified", session)
        context["alias"] = item.alias ?? ""
        context["path"] = item.id.text
        context["statuses"] = TriageWords.statuses.map { word, value in
            ["word": word, "name": text("status." + word, session), "selected": value == state.status] as [String: Any]
        }
        context["priorities"] = TriageWords.priorities.map { word, value in
            ["word": word, "name": text("priority." + word, session), "selected": value == state.priority]
                as [String: Any]
        }
        context["assignees"] = data.roster.map { device in
            let key = device.identity.signingKey.rawRepresentation
            return ["value": Base64URL.encode(key), "name": device.name, "selected": key == state.assignee]
                as [String: Any]
        }
        context["due"] = state.due.map(TriageWords.date) ?? ""
        context["labels"] = state.labels
        if let since = data.view.seizure(of: item.identity).seizedSince {
            context["seized"] = text("web.seized", session, [LocalTime.text(since, session.language)])
        }
        context["seizureExplained"] = text("web.seizure-explained", session)
        context["seizureConfirm"] = text("web.seizure-confirm", session, [item.id.short])
        context["messages"] = item.messages.map { message -> [String: Any] in
            let id = String(message.idText.prefix(8))
            let incoming = message.direction == .incoming
            let sender = item.identity(encoded: message.sender) ?? item.identity
            let suspect =
                incoming
                && data.view.seizure(of: sender).isSuspect(sentAt: message.sentAt, storedAt: message.storedAt)
            return [
                "suspect": suspect,
                "id": id, "direction": incoming ? "incoming" : "outgoing",
                "from": incoming ? item.id.short : message.authorName ?? text("web.you", session),
                "hasState": !incoming,
                "state": text("delivery." + (message.deliveryState ?? .queued).rawValue, session),
                "time": LocalTime.text(message.storedAt, session.language), "unread": incoming && !message.isRead,
                "text": message.kind == .notice ? text(message.text, session, [item.id.short]) : message.text,
                "attachments": message.attachments.enumerated().map { index, attachment -> [String: Any] in
                    let kind = attachment.state == .stored ? Self.viewable(attachment.mimeType) : nil
                    return [
                        "name": attachment.fileName, "size": Self.size(attachment.size), "ref": "\(id)-\(index + 1)",
                        "url": "/case/\(item.id.text)/file/\(message.idText)-\(index + 1)", "viewable": kind != nil,
                        "image": kind?.hasPrefix("image/") ?? false,
                    ]
                },
            ]
        }
        context["notes"] = state.notes.compactMap { note -> [String: Any]? in
            guard case .note(let text) = note.change else { return nil }
            return [
                "author": data.view.name(of: note.author), "time": LocalTime.text(note.time, session.language),
                "text": text,
            ]
        }
        context["events"] = (triage?.events ?? []).map { event -> [String: Any] in
            [
                "time": LocalTime.text(event.time, session.language), "author": data.view.name(of: event.author),
                "what": TriageWords.describe(event.change, names: data.view.names, language: session.language),
            ]
        }
        return render("case", context)
    }

    func triage(_ label: String, _ fields: [String: String], _ session: WebSessions.Session) async throws -> Response {
        let data = try await WebData.load(account, language: session.language)
        let item: InboxCase
        switch find(label, in: data, session) {
        case .found(let found): item = found
        case .refused(let response): return response
        }
        if fields["action"] == "fields" { return try await saveFields(item, fields, data, session) }
        let value = fields["value"] ?? ""
        let change: TriageEvent.Change
        switch fields["action"] {
        case "status":
            guard let status = TriageWords.statuses.first(where: { $0.0 == value })?.1 else { return badValue(session) }
            change = .status(status)
        case "priority":
            guard let priority = TriageWords.priorities.first(where: { $0.0 == value })?.1 else {
                return badValue(session)
            }
            change = .priority(priority)
        case "assignee":
            if value == "nobody" {
                change = .assignee(nil)
            } else {
                guard let key = Base64URL.decode(value),
                    data.roster.contains(where: { $0.identity.signingKey.rawRepresentation == key })
                else { return badValue(session) }
                change = .assignee(key)
            }
        case "due":
            if value.isEmpty {
                change = .due(nil)
            } else {
                guard let time = TriageWords.time(value) else { return badValue(session) }
                change = .due(time)
            }
        case "label-add", "label-remove":
            let name = value.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.utf8.count <= TriageEvent.maximumLabelByteCount else { return badValue(session) }
            change = .label(name, present: fields["action"] == "label-add")
        case "alias":
            if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                change = .alias(nil)
            } else {
                do {
                    change = .alias(try InboxCase.validAlias(value, for: item, among: data.cases))
                } catch let error as CommandError {
                    return message(.badRequest, text(error.key, session, error.arguments))
                }
            }
        case "note":
            let note = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !note.isEmpty, note.utf8.count <= TriageEvent.maximumNoteByteCount else { return badValue(session) }
            change = .note(note)
        default:
            return badValue(session)
        }
        let (_, sent) = try await account.changeTriage(of: item.caseKey, change)
        return redirect(
            "/case/\(item.id.text)", notice: text(sent ? "web.changed" : "triage.queued", session, [item.id.short]))
    }

    /// The triage form's one Save: every field that differs from the case's state becomes its
    /// own triage event (SPEC.md §16.3), after all of them were checked.
    func saveFields(_ item: InboxCase, _ fields: [String: String], _ data: WebData, _ session: WebSessions.Session)
        async throws -> Response
    {
        let state = data.view.state(of: item)
        var changes: [TriageEvent.Change] = []
        guard let status = TriageWords.statuses.first(where: { $0.0 == fields["status"] })?.1,
            let priority = TriageWords.priorities.first(where: { $0.0 == fields["priority"] })?.1
        else { return badValue(session) }
        if status != state.status { changes.append(.status(status)) }
        if priority != state.priority { changes.append(.priority(priority)) }
        let assignee: [UInt8]?
        switch fields["assignee"] ?? "nobody" {
        case "nobody":
            assignee = nil
        case let value:
            guard let key = Base64URL.decode(value),
                data.roster.contains(where: { $0.identity.signingKey.rawRepresentation == key })
            else { return badValue(session) }
            assignee = key
        }
        if assignee != state.assignee { changes.append(.assignee(assignee)) }
        let dueText = fields["due"] ?? ""
        let due = dueText.isEmpty ? nil : TriageWords.time(dueText)
        if !dueText.isEmpty && due == nil { return badValue(session) }
        // A due date is kept to the day the form shows.
        if due.map(TriageWords.date) != state.due.map(TriageWords.date) { changes.append(.due(due)) }
        let aliasText = (fields["alias"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if aliasText != (state.alias ?? "") {
            if aliasText.isEmpty {
                changes.append(.alias(nil))
            } else {
                do {
                    changes.append(.alias(try InboxCase.validAlias(aliasText, for: item, among: data.cases)))
                } catch let error as CommandError {
                    return message(.badRequest, text(error.key, session, error.arguments))
                }
            }
        }
        var sent = true
        for change in changes {
            sent = try await account.changeTriage(of: item.caseKey, change).sent && sent
        }
        return redirect(
            "/case/\(item.id.text)", notice: text(sent ? "web.changed" : "triage.queued", session, [item.id.short]))
    }

    /// The page's "mark as read": every incoming message of the case.
    func markRead(_ label: String, _ session: WebSessions.Session) async throws -> Response {
        let data = try await WebData.load(account, language: session.language)
        switch find(label, in: data, session) {
        case .found(let item):
            for message in item.messages where message.direction == .incoming && !message.isRead {
                try await account.markRead(message.id)
            }
            return redirect("/case/\(item.id.text)", notice: nil)
        case .refused(let response):
            return response
        }
    }

    /// An image or PDF of a case, decrypted in memory and sent with no-store (never as a
    /// download): only JPEG, PNG and PDF whose first bytes say they are what their type says,
    /// under that type, so a file cannot become a page of this site.
    func attachment(_ label: String, _ reference: String, _ session: WebSessions.Session) async throws -> Response {
        let data = try await WebData.load(account, language: session.language)
        let item: InboxCase
        switch find(label, in: data, session) {
        case .found(let found): item = found
        case .refused(let response): return response
        }
        let parts = reference.split(separator: "-")
        guard parts.count == 2, let number = Int(parts[1]), number >= 1,
            let holder = item.messages.first(where: { $0.idText == parts[0] }),
            holder.attachments.indices.contains(number - 1), holder.attachments[number - 1].state == .stored
        else { return message(.notFound, text("web.no-file", session)) }
        let file = try await account.attachmentBytes(of: holder.id, index: number - 1)
        guard let type = Self.viewable(file.mimeType), Self.looks(like: type, file.bytes) else {
            return message(.unsupportedMediaType, text("web.not-viewable", session, [file.fileName]))
        }
        let name = file.fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
        var headers: HTTPFields = [
            .contentType: type, .contentDisposition: "inline; filename*=UTF-8''\(name)",
        ]
        // Chromium's PDF viewer needs to run inside the document; nothing of the file may reach
        // the network or another page.
        headers[.contentSecurityPolicy] =
            type == "application/pdf"
            ? "default-src 'none'; object-src 'self'; frame-ancestors 'none'; base-uri 'none'"
            : "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; sandbox"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    /// The types the UI shows itself; everything else is saved with `amanat-inbox save`.
    static func viewable(_ mimeType: String) -> String? {
        ["image/jpeg", "image/png", "application/pdf"].first { $0 == mimeType.lowercased() }
    }

    /// Whether `bytes` start as files of `type` do.
    static func looks(like type: String, _ bytes: [UInt8]) -> Bool {
        let magic: [UInt8] =
            switch type {
            case "image/jpeg": [0xFF, 0xD8, 0xFF]
            case "image/png": [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            default: Array("%PDF-".utf8)
            }
        return bytes.starts(with: magic)
    }

    /// The orders the case list offers.
    static let sorts = ["latest", "unread", "priority", "due"]

    /// A path on this site to go back to: anything else (another host, a scheme) is the list.
    static func localPath(_ path: String?) -> String {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"),
            path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { return "/" }
        return path
    }

    func reply(_ request: Request, _ label: String) async throws -> Response {
        guard let session = sessions.session(request.cookies[Self.cookieName]?.value) else {
            return message(.unauthorized, InboxCatalogue.text("web.login-needed", defaultLanguage))
        }
        guard let contentType = request.headers[.contentType], let boundary = Self.boundary(contentType) else {
            return message(.badRequest, text("web.bad-form", session))
        }
        let body = try await request.body.collect(upTo: maximumUpload)
        let parts: [MultipartPart]
        do {
            parts = try Self.parts(body, boundary: boundary)
        } catch {
            return message(.badRequest, text("web.bad-form", session))
        }
        let csrf = parts.firstPart(named: "csrf").map { String(buffer: $0.body) }
        guard sessions.checkCSRF(csrf, for: session) else {
            return message(.forbidden, text("web.csrf", session))
        }
        let data = try await WebData.load(account, language: session.language)
        let item: InboxCase
        switch find(label, in: data, session) {
        case .found(let found): item = found
        case .refused(let response): return response
        }
        let replyText = parts.firstPart(named: "text").map { String(buffer: $0.body) } ?? ""
        // Uploaded files reach the attachment encryption from memory files: their plaintext never
        // touches a disk.
        var files: [OutgoingFile] = []
        var memory: [MemoryFile] = []
        for part in parts.allParts(named: "attach") where part.body.readableBytes > 0 {
            let name = URL(fileURLWithPath: Self.fileName(part) ?? "attachment").lastPathComponent
            let file = try MemoryFile(part.body.readableBytesView)
            memory.append(file)
            files.append(OutgoingFile(url: file.url, fileName: name, mimeType: OutgoingFile.mimeType(for: name)))
        }
        defer { withExtendedLifetime(memory) {} }
        guard !replyText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || !files.isEmpty else {
            return badValue(session)
        }
        do {
            let sent = try await account.reply(
                to: item.identity, text: replyText,
                inReplyTo: item.messages.last { $0.direction == .incoming }?.id, attachments: files,
                despiteSeizure: parts.firstPart(named: "despite") != nil)
            // Answering a case is reading it.
            for message in item.messages where message.direction == .incoming && !message.isRead {
                try await account.markRead(message.id)
            }
            let notice =
                switch sent.deliveryState {
                case .queued: text("queued", session)
                case .refused: text("error.reply-refused", session, [item.id.short])
                default: text("web.sent", session)
                }
            return redirect("/case/\(item.id.text)", notice: notice)
        } catch .caseSeized {
            return redirect("/case/\(item.id.text)", notice: text("error.case-seized", session))
        } catch {
            return message(.internalServerError, error.description)
        }
    }

    /// The web form of `case ID seized`: the same report, confirmed by typing the case's id.
    func reportSeized(_ label: String, _ fields: [String: String], _ session: WebSessions.Session) async throws
        -> Response
    {
        let data = try await WebData.load(account, language: session.language)
        let item: InboxCase
        switch find(label, in: data, session) {
        case .found(let found): item = found
        case .refused(let response): return response
        }
        guard let typed = fields["confirm"], item.id.matches(typed), typed.count >= CaseID.shortLength else {
            return redirect("/case/\(item.id.text)", notice: text("web.seizure-unconfirmed", session))
        }
        let now = UInt64(Date().timeIntervalSince1970)
        var since = now
        if let field = fields["since"], !field.isEmpty {
            guard let parsed = LocalTime.parseMoment(field), parsed <= now + 300 else { return badValue(session) }
            since = parsed
        }
        let report = try await account.reportSeized(item.identity, since: since, wipe: fields["nowipe"] == nil)
        var notice = text("seized.reported", session, [item.id.short, LocalTime.text(since, session.language)])
        let outcome =
            report.frozen ? (fields["nowipe"] == nil ? "seized.frozen" : "seized.frozen.no-wipe") : "seized.not-frozen"
        notice += " " + text(outcome, session, [item.id.short])
        return redirect("/case/\(item.id.text)", notice: notice)
    }

    func search(_ request: Request, _ session: WebSessions.Session) async throws -> Response {
        let query = request.uri.queryParameters.get("q").map { String($0) } ?? ""
        let words = query.split(separator: " ").map(String.init)
        let data = try await WebData.load(account, language: session.language)
        let hits = words.isEmpty ? [] : CaseSearch(words: words).search(data.cases, data.view)
        var context = base(session, title: text("web.search", session))
        context["q"] = query
        context["hits"] = hits.map { hit in
            [
                "label": hit.caseName, "path": hit.caseID.text, "place": hit.place,
                "text": String(hit.text.prefix(160)),
            ]
        }
        return render("search", context)
    }

    func roster(_ session: WebSessions.Session) async throws -> Response {
        let devices = try await account.roster()
        let own = try await account.ownIdentity()
        var context = base(session, title: text("web.roster", session))
        context["devices"] = devices.map { device in
            [
                "name": device.name, "me": device.identity == own,
                "safety": device.identity == own ? "—" : device.safetyNumber.digits,
                "verified": text(device.isVerified ? "web.yes" : "web.no", session),
            ] as [String: Any]
        }
        return render("roster", context)
    }

    // MARK: - Rendering

    /// The page words every template may use, as `t.<word>`: catalogue keys `web.<word>`.
    static let pageWords = [
        "cases", "roster", "search", "sync", "all", "any", "status", "assignee", "label", "labels", "overdue",
        "filter", "noCases", "case", "priority", "due", "messages", "latest", "unread", "triage", "save",
        "nobody", "remove", "newLabel", "add", "timeline", "reply", "attach", "send", "notes", "newNote",
        "addNote", "history", "nothingFound", "name", "safetyNumber", "verified", "thisDevice", "attachment",
        "alias", "caseId", "sortBy", "markRead", "new", "suspect", "despiteSeizure", "seizure", "seizedSince",
        "noWipe", "reportSeized",
    ]

    func base(_ session: WebSessions.Session, title: String, here: String = "/") -> [String: Any] {
        var t: [String: String] = [:]
        for key in Self.pageWords { t[key] = text("web." + key, session) }
        let other: Language = session.language == .russian ? .english : .russian
        return [
            "t": t, "title": title, "here": here, "csrf": Base64URL.encode(session.csrf),
            "lang": session.language.rawValue,
            "otherLanguage": other.rawValue, "otherLanguageName": other == .russian ? "Русский" : "English",
        ]
    }

    func render(_ template: String, _ context: [String: Any]) -> Response {
        let html = templates.render(context, withTemplate: template) ?? ""
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func message(_ status: HTTPResponse.Status, _ text: String) -> Response {
        let html = templates.render(["text": text, "lang": defaultLanguage.rawValue], withTemplate: "message") ?? text
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func badValue(_ session: WebSessions.Session) -> Response {
        message(.badRequest, text("web.bad-value", session))
    }

    /// After a POST: back to a page, with a one-line notice in the query (shown escaped).
    func redirect(_ location: String, notice: String?) -> Response {
        var target = location
        if let notice, let encoded = notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
            target += (location.contains("?") ? "&" : "?") + "notice=" + encoded
        }
        return Response(status: .seeOther, headers: [.location: target])
    }

    func text(_ key: String, _ session: WebSessions.Session, _ arguments: [String] = []) -> String {
        InboxCatalogue.text(key, session.language, arguments)
    }

    static func path(_ label: String) -> String {
        label.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_")))
            ?? label
    }

    static func size(_ bytes: UInt64) -> String {
        ByteCountFormatter.string(fromByteCount: Int64(clamping: bytes), countStyle: .file)
    }

    // MARK: - Multipart

    static func boundary(_ contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    static func parts(_ body: ByteBuffer, boundary: String) throws -> [MultipartPart] {
        let parser = MultipartParser(boundary: boundary)
        var parts: [MultipartPart] = []
        var headers = HTTPHeaders()
        var content = ByteBuffer()
        parser.onHeader = { name, value in headers.add(name: name, value: value) }
        parser.onBody = { chunk in content.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append(MultipartPart(headers: headers, body: content))
            headers = HTTPHeaders()
            content = ByteBuffer()
        }
        try parser.execute(body)
        return parts
    }

    static func fileName(_ part: MultipartPart) -> String? {
        guard let disposition = part.headers.first(name: "Content-Disposition") else { return nil }
        for parameter in disposition.split(separator: ";") {
            let pair = parameter.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == "filename" {
                let name = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return name.isEmpty ? nil : name
            }
        }
        return nil
    }
}

/// The cases, their triage and the roster one page needs, loaded together.
struct WebData {
    let cases: [InboxCase]
    let view: TriageOverview
    let roster: [RosterDevice]

    static func load(_ account: Account, language: Language) async throws -> WebData {
        let triage = try await account.triage()
        let cases = InboxCase.make(
            contacts: try await account.contacts(), messages: try await account.messages(), triage: triage)
        let roster = try await account.roster()
        return WebData(
            cases: cases, view: TriageOverview(cases: triage, roster: roster, language: language), roster: roster)
    }
}

/// Refuses a request whose Host is not this server's loopback address (a DNS-rebinding page
/// cannot reach the UI), and puts the security headers on every answer.
struct WebGuard: RouterMiddleware {
    typealias Context = BasicRequestContext
    let port: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let allowed = ["127.0.0.1:\(port)", "localhost:\(port)"]
        var response: Response
        if let host = request.head.authority, allowed.contains(host.lowercased()) {
            do {
                response = try await next(request, context)
            } catch let error as HTTPResponseError {
                // A route that is not there (404, 405) or a body too large: answered here, so the
                // answer carries the headers below like every other.
                response = Response(
                    status: error.status, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: error.status.reasonPhrase)))
            }
        } else {
            response = Response(
                status: .misdirectedRequest, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "wrong host")))
        }
        // A file shown inline brings its own, stricter or PDF-viewer policy.
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] =
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                + "base-uri 'none'"
        }
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        return response
    }
}
