// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatProtocol
import AmanatTerminal
import ArgumentParser
import Foundation

extension AmanatCommand {
    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join your organisation with an invite (amanat://invite/…, a file, or - for standard input).")

        @OptionGroup var options: ProfileOptions

        @Argument(help: "The invite text, a file holding it, or - to read it from standard input.")
        var invite: String

        @Option(help: "A SOCKS proxy such as Tor's: socks5h://127.0.0.1:9050.")
        var proxy: String?

        @Option(
            help:
                "Let the organisation erase this profile if you report the device lost or seized: on (the default) or off."
        )
        var remoteWipe: String = "on"

        @Flag(help: "Use only the relay's .onion addresses, always through the proxy; never another address.")
        var torOnly = false

        @Option(help: "auto: amanat runs a Tor of its own for this profile, through the invite's bridges.")
        var tor: String?

        @Option(
            name: .customLong("bridge"),
            help: "A Tor bridge line to use before the invite's (`obfs4 …` or `snowflake …`); up to eight times.")
        var bridges: [String] = []

        func run() async throws {
            guard ["on", "off"].contains(remoteWipe) else {
                throw CommandError("error.remote-wipe-value", code: CommandError.usage)
            }
            let ownTor = try TorChoice.check(tor: tor, bridges: bridges, proxy: proxy, allowOff: false)
            if torOnly && proxy == nil && !ownTor {
                throw CommandError("error.tor-only-proxy", code: CommandError.usage)
            }
            let text: String
            if invite == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else if invite.hasPrefix(Invite.uriPrefix) {
                text = invite
            } else if let data = FileManager.default.contents(atPath: invite) {
                text = String(decoding: data, as: UTF8.self)
            } else {
                throw CommandError("error.missing-file", [invite], code: CommandError.input)
            }
            let parsed = try InviteText.checked(text)
            if torOnly && !parsed.addresses.contains(where: \.isOnion) {
                throw CommandError("error.tor-only-onion", code: CommandError.usage)
            }
            if ProfileStore.exists(at: options.directory) {
                throw CommandError("error.profile-exists", [options.directory.path], code: CommandError.cannotCreate)
            }
            options.say("invite.checked", [parsed.checkCode])
            let passphrase = try options.newPassphrase()
            let account = try await Account.enrol(
                invite: parsed, at: options.directory, passphrase: passphrase, role: .defender, proxy: proxy,
                onionOnly: torOnly, tor: ownTor, bridges: bridges,
                torProgress: Terminal.showsProgress ? Terminal.drawTorProgress : nil)
            if remoteWipe == "off" { try await account.setRemoteWipe(false) }
            let experts = (try? await account.roster().count) ?? 0
            let connection = await account.connection
            options.say(experts > 0 ? "enrolled" : "enrolled.no-roster", [connection.relay, String(experts)])
            if torOnly { options.say("status.tor-only.on") }
            options.say(remoteWipe == "on" ? "status.remote-wipe.on" : "status.remote-wipe.off")
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a case update (text, a text file, attachments) to every expert.")

        @OptionGroup var options: ProfileOptions

        @Argument(
            help:
                "The text of the update. Better left out: then it is asked for, and stays out of `ps` and the shell's history."
        )
        var text: String?

        @Option(
            name: [.customLong("text-file"), .customLong("file")],
            help: "Read the text from this file, or from standard input with -.")
        var file: String?

        @Option(name: .customLong("attach"), parsing: .upToNextOption, help: "Files to attach (up to 16).")
        var attachments: [String] = []

        @Flag(
            help:
                "Write the update in your editor (VISUAL or EDITOR, else nano or vi), on a file kept in memory and erased afterwards."
        )
        var editor = false

        @Flag(
            help:
                "Send images and documents untouched, with their metadata (GPS, camera; a PDF's or office file's author and edit history), as evidence."
        )
        var keepOriginal = false

        func run() async throws {
            var body = text ?? ""
            if text != nil && !InteractiveShell.isRunning {
                // Other users of the machine see a command line in `ps`; the shell keeps it.
                FileHandle.standardError.write(
                    Data((Catalogue.text("send.argv-warning", options.language) + "\n").utf8))
            }
            if file == "-" {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                guard let contents = String(data: data, encoding: .utf8) else {
                    throw CommandError("error.unreadable-file", ["-"], code: CommandError.input)
                }
                body = body.isEmpty ? contents : body + "\n\n" + contents
            } else if let file {
                guard FileManager.default.fileExists(atPath: file) else {
                    throw CommandError("error.missing-file", [file], code: CommandError.input)
                }
                guard let data = FileManager.default.contents(atPath: file),
                    let contents = String(data: data, encoding: .utf8)
                else { throw CommandError("error.unreadable-file", [file], code: CommandError.input) }
                body = body.isEmpty ? contents : body + "\n\n" + contents
            }
            var files: [OutgoingFile] = []
            for path in attachments {
                guard FileManager.default.fileExists(atPath: path) else {
                    throw CommandError("error.missing-file", [path], code: CommandError.input)
                }
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                guard !isDirectory.boolValue, RegularFile.isRegular(path) else {
                    throw CommandError("error.not-a-file", [path], code: CommandError.input)
                }
                guard let handle = RegularFile.openForReading(URL(fileURLWithPath: path)) else {
                    throw CommandError("error.unreadable-file", [path], code: CommandError.input)
                }
                try? handle.close()
                files.append(OutgoingFile(url: URL(fileURLWithPath: path), keepOriginal: keepOriginal))
            }
            if editor {
                guard text == nil && file == nil else {
                    throw CommandError("error.editor-and-text", code: CommandError.usage)
                }
                guard let written = Terminal.editText(limit: Payload.maximumTextByteCount) else {
                    throw CommandError("error.editor", code: CommandError.input)
                }
                body = written.trimmingCharacters(in: .whitespacesAndNewlines)
            } else if text == nil && file == nil && isatty(STDIN_FILENO) == 1 {
                // Asked for on the terminal, before the passphrase.
                guard
                    let typed = Terminal.readText(
                        Catalogue.text("send.prompt", options.language), limit: Payload.maximumTextByteCount)
                else { throw CommandError("error.too-large", code: CommandError.data) }
                body = typed.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard !body.isEmpty || !files.isEmpty else {
                throw CommandError("error.nothing-to-send", code: CommandError.usage)
            }
            let account = try options.open()
            if Terminal.showsProgress {
                await account.observeTransfers { progress in
                    Terminal.drawProgress(name: progress.fileName, done: progress.done, total: progress.total)
                }
            }
            let message = try await account.sendCaseUpdate(body, attachments: files)
            // Said before anything else: what left each document (it went, or is queued, clean).
            for attachment in message.attachments {
                if let removed = attachment.removedMetadata, !removed.isEmpty {
                    options.say(
                        "send.cleaned",
                        [
                            attachment.fileName,
                            removed.map { Listing.metadataField($0, options.language) }.joined(separator: ", "),
                        ])
                }
            }
            let queued = (try? await account.queuedCount()) ?? 0
            if message.deliveryState == .queued {
                options.say("queued", [String(queued)])
                // The profile's own Tor could not connect: said as a network failure (69), with
                // the update kept; nothing went any other way.
                if let failure = account.managedTor?.failure {
                    throw CommandError("error.tor", [String(failure.percent)], code: CommandError.network)
                }
                throw ExitCode(CommandError.queued)
            } else {
                options.say("sent", [String(message.deliveries.count), String(message.idText.prefix(8))])
            }
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send what is queued and fetch what has arrived; --watch keeps doing it.")

        @OptionGroup var options: ProfileOptions

        @Flag(help: "Keep running: wait for news from the relay and sync again (Ctrl-C to stop).")
        var watch = false

        func run() async throws {
            let account = try options.open()
            if Terminal.showsProgress {
                await account.observeTransfers { progress in
                    Terminal.drawProgress(name: progress.fileName, done: progress.done, total: progress.total)
                }
            }
            var failures = 0
            var random = SystemRandomNumberGenerator()
            repeat {
                let summary: SyncSummary
                do {
                    summary = try await account.sync()
                } catch .transport(let error) where watch && error.isTransient {
                    // Watching is for exactly the hours the relay or the link is down: say so,
                    // wait a jittered, growing while (a relay's Retry-After at least), try again.
                    failures += 1
                    var retryAfter: Duration?
                    if case .rateLimited(let seconds) = error { retryAfter = .seconds(max(0, seconds)) }
                    let wait = Backoff().delay(afterFailures: failures, retryAfter: retryAfter, using: &random)
                    let seconds = max(1, Int((wait / .seconds(1)).rounded(.up)))
                    let next = Date().addingTimeInterval(TimeInterval(seconds))
                    options.say("watch.down", [Listing.time(next, options.language), String(seconds)])
                    try await Task.sleep(for: .seconds(seconds))
                    continue
                } catch {
                    throw CommandError(error, profile: options.directory.path)
                }
                if failures > 0 { options.say("watch.back") }
                failures = 0
                options.say("synced", [String(summary.received), String(summary.sent), String(summary.queued)])
                if summary.undecryptable > 0 { options.say("synced.undecryptable", [String(summary.undecryptable)]) }
                if summary.expiredUnread > 0 { options.say("synced.expired", [String(summary.expiredUnread)]) }
                if summary.sessionsReset > 0 { options.say("synced.reset", [String(summary.sessionsReset)]) }
                if summary.unconfirmed > 0 { options.say("synced.unconfirmed", [String(summary.unconfirmed)]) }
                if summary.moreWaiting { options.say("synced.more") }
                if watch {
                    // Long-poll; on failure, wait a randomised while so polling does not mark the time.
                    if (try? await account.waitForNews(timeout: 30)) == nil {
                        try await Task.sleep(for: .seconds(Double.random(in: 20...60)))
                    }
                }
            } while watch
        }
    }

    struct Inbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List messages, with what you sent and how far it got.")

        @OptionGroup var options: ProfileOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let account = try options.open()
            let messages = try await account.messages()
            if json {
                print(try Listing.json(messages))
                return
            }
            if messages.isEmpty { options.say("inbox.empty") }
            let retention = await account.retentionSeconds
            let now = UInt64(Date().timeIntervalSince1970)
            for message in messages {
                print(
                    Listing.line(
                        message, options.language,
                        unconfirmed: !message.unconfirmedDeliveries(now: now, retention: retention).isEmpty))
            }
        }
    }

    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one message and mark it read.")

        @OptionGroup var options: ProfileOptions

        @Argument(help: "The message id (or its first characters) from `amanat inbox`.")
        var id: String

        func run() async throws {
            let account = try options.open()
            let messages = try await account.messages()
            let matches = messages.filter { $0.idText.hasPrefix(id.lowercased()) }
            guard !id.isEmpty, matches.count == 1, let message = matches.first else {
                throw CommandError("error.unknown-message", [id], code: CommandError.data)
            }
            print(Listing.line(message, options.language))
            print()
            print(VisibleText.of(Listing.text(message, options.language)))
            for (index, attachment) in message.attachments.enumerated() {
                options.say(
                    "attachment",
                    [
                        "\(message.idText.prefix(8))-\(index + 1)", attachment.fileName, String(attachment.size),
                        Catalogue.text("file." + attachment.state.rawValue, options.language),
                    ])
            }
            if message.direction == .incoming {
                try await account.markRead(message.id)
            }
        }
    }

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decrypt an attachment to a file.")

        @OptionGroup var options: ProfileOptions

        @Argument(help: "The attachment id from `amanat read` (message id, a dash, its number).")
        var attachment: String

        @Argument(help: "Where to write it.")
        var path: String

        func run() async throws {
            let account = try options.open()
            try await options.saveAttachment(attachment, of: account, to: path)
            options.say("saved", [path])
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Relay reachable, Tor on or off, queued items, roster.")

        @OptionGroup var options: ProfileOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let account = try options.open()
            let connection = await account.connection
            let reachable = await account.relayIsReachable()
            let queued = (try? await account.queuedCount()) ?? 0
            let experts = (try? await account.roster().count) ?? 0
            // Asked after the relay was: the address that answered is the one in use.
            let inUse = await account.connection.relay
            let bridges = await account.bridges.count
            let ownTor = await account.runsOwnTor
            if json {
                let object: [String: Any] = [
                    "profile": options.directory.path, "relay": inUse, "reachable": reachable,
                    "addresses": connection.addresses, "torOnly": connection.onionOnly, "bridges": bridges,
                    "tor": ownTor ? "auto" : connection.proxy == nil ? "off" : "proxy",
                    "pinMismatch": account.pinMismatchAddress ?? NSNull(),
                    "proxy": connection.proxy ?? NSNull(), "queued": queued, "experts": experts,
                ]
                try JSONOutput.print(object)
                return
            }
            options.say("status.profile", [options.directory.path])
            options.say(
                "status.relay",
                [inUse, Catalogue.text(reachable ? "status.reachable" : "status.unreachable", options.language)])
            let others = connection.addresses.filter { $0 != inUse }
            if !others.isEmpty { options.say("status.other-addresses", [others.joined(separator: ", ")]) }
            if ownTor {
                options.say("status.tor.auto", [String(bridges)])
            } else if let proxy = connection.proxy {
                options.say("status.proxy", [proxy])
            } else {
                options.say("status.proxy.none")
            }
            if connection.onionOnly { options.say("status.tor-only.on") }
            if let intercepted = account.pinMismatchAddress { options.say("status.pin-mismatch", [intercepted]) }
            if bridges > 0 && !ownTor { options.say("status.bridges", [String(bridges)]) }
            options.say("status.queued", [String(queued)])
            options.say("status.roster", [String(experts)])
        }
    }

    struct Experts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The organisation's experts with their safety numbers, to compare in person.")

        @OptionGroup var options: ProfileOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let account = try options.open()
            let roster = try await account.roster()
            if json {
                let list = roster.map {
                    ["name": $0.name, "safetyNumber": $0.safetyNumber.digits, "verified": $0.isVerified]
                        as [String: Any]
                }
                try JSONOutput.print(list)
                return
            }
            if roster.isEmpty { options.say("experts.empty") }
            for (index, device) in roster.enumerated() {
                let verified = Catalogue.text(
                    device.isVerified ? "experts.verified" : "experts.unverified", options.language)
                options.say(
                    "experts.line",
                    ["\(index + 1). \(device.name) (\(verified))", device.safetyNumber.groups.joined(separator: " ")])
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark an expert verified after comparing safety numbers with them in person.")

        @OptionGroup var options: ProfileOptions

        @Argument(help: "The expert's number in `amanat experts`, or their name.")
        var expert: String

        @OptionGroup var safety: SafetyInput

        func run() async throws {
            let account = try options.open()
            let roster = try await account.roster()
            let matches = roster.enumerated().filter { String($0.offset + 1) == expert || $0.element.name == expert }
            guard matches.count == 1, let device = matches.first?.element else {
                throw CommandError("error.unknown-expert", [expert], code: CommandError.data)
            }
            let typed = try safety.typed()
            guard SafetyText.matches(typed, device.safetyNumber) else {
                throw CommandError("error.safety-mismatch", [device.name], code: CommandError.security)
            }
            try await account.markVerified(device.identity)
            options.say("verified", [device.name])
        }
    }

    struct Passphrase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change the passphrase, or set a duress passphrase that opens an empty decoy profile.")

        @OptionGroup var options: ProfileOptions

        @Flag(help: "Set the duress passphrase instead.")
        var duress = false

        func run() async throws {
            guard ProfileStore.exists(at: options.directory) else {
                throw CommandError("error.no-profile", [options.directory.path], code: CommandError.authentication)
            }
            let current = try options.passphrase()
            let account: Account
            do {
                account = try Account.open(at: options.directory, passphrase: current)
            } catch {
                throw CommandError(error, profile: options.directory.path)
            }
            let new = try options.newPassphrase(prompt: duress ? "passphrase.duress" : "passphrase.new")
            if duress {
                // The same answer from the decoy, where it replaces the real profile (SECURITY.md).
                try await account.setDuressPassphrase(new, authorisedBy: current)
                options.say("passphrase.duress-set")
            } else {
                let store = await account.store
                do {
                    try store.changePassphrase(from: current, to: new)
                } catch {
                    throw CommandError(.store(error), profile: options.directory.path)
                }
                options.say("passphrase.changed")
            }
        }
    }

    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Show or change the relay's address, the proxy (Tor), the language, read receipts, remote wipe and how long messages are kept."
        )

        @OptionGroup var options: ProfileOptions

        @Option(help: "Use this SOCKS proxy from now on, e.g. socks5h://127.0.0.1:9050; \"none\" for none.")
        var proxy: String?

        @Option(help: "The relay's new address (the same relay: a new domain or its .onion address).")
        var relay: String?

        @Option(help: "The relay's TLS pin (sha256//…) for the new address, if it has one.")
        var pin: String?

        @Option(help: "Use only the relay's .onion addresses, always through the proxy: on or off.")
        var torOnly: String?

        @Option(help: "auto: amanat runs a Tor of its own for this profile (through its bridges); off: it does not.")
        var tor: String?

        @Option(
            name: .customLong("bridge"),
            help: "Tor bridge lines to use before the invite's, replacing those given before; \"none\" for none.")
        var bridges: [String] = []

        @Option(help: "The language for this profile from now on: en or ru.")
        var language: String?

        @Option(help: "Tell the expert when you have opened their reply: on (the default) or off.")
        var readReceipts: String?

        @Option(
            help:
                "Let the organisation erase this profile if you report the device lost or seized: on (the default) or off."
        )
        var remoteWipe: String?

        @Option(help: "Keep messages on this device for this many days (1-10000), or \"forever\" (the default).")
        var keep: String?

        @Option(help: "Delete the case updates you sent once every expert has them: on or off (the default).")
        var deleteSent: String?

        func run() async throws {
            var keepDays: Int??
            if let keep {
                if keep == "forever" {
                    keepDays = .some(nil)
                } else if let days = Int(keep), (1...RetentionPolicy.maximumKeepDays).contains(days) {
                    keepDays = days
                } else {
                    throw CommandError("error.keep-value", code: CommandError.usage)
                }
            }
            if let deleteSent, !["on", "off"].contains(deleteSent) {
                throw CommandError("error.delete-sent-value", code: CommandError.usage)
            }
            if let readReceipts, !["on", "off"].contains(readReceipts) {
                throw CommandError("error.read-receipts-value", code: CommandError.usage)
            }
            if let remoteWipe, !["on", "off"].contains(remoteWipe) {
                throw CommandError("error.remote-wipe-value", code: CommandError.usage)
            }
            if let torOnly, !["on", "off"].contains(torOnly) {
                throw CommandError("error.tor-only-value", code: CommandError.usage)
            }
            let ownBridges = bridges == ["none"] ? [] : bridges
            _ = try TorChoice.check(tor: tor, bridges: ownBridges, proxy: proxy == "none" ? nil : proxy, allowOff: true)
            let account = try options.open()
            if tor == "off" { try await account.setManagedTor(false, bridges: bridges.isEmpty ? nil : ownBridges) }
            if let readReceipts {
                try await account.setReadReceipts(readReceipts == "on")
            }
            if let remoteWipe {
                try await account.setRemoteWipe(remoteWipe == "on")
            }
            if keepDays != nil || deleteSent != nil {
                var policy = try await account.retention
                if let keepDays { policy.keepDays = keepDays }
                if let deleteSent { policy.deleteSentOnceDelivered = deleteSent == "on" }
                try await account.setRetention(policy)
            }
            if torOnly == "off" { try await account.setOnionOnly(false) }
            if let proxy {
                do {
                    try await account.setProxy(proxy == "none" ? nil : proxy)
                } catch {
                    // Removing the proxy of a Tor-only profile.
                    guard proxy == "none", case .transport(.invalidConfiguration) = error else { throw error }
                    throw CommandError("error.tor-only-proxy", code: CommandError.usage)
                }
            }
            if pin != nil && relay == nil {
                throw CommandError("error.pin-without-relay", code: CommandError.usage)
            }
            if let relay {
                let pinBytes: [UInt8]?
                do {
                    pinBytes = try pin.map { text throws(ProtocolError) in try Invite.pin(fromText: text) }
                } catch {
                    throw CommandError("error.invalid-pin", code: CommandError.usage)
                }
                do {
                    try await account.setRelay(relay, pin: pinBytes)
                } catch {
                    // Not an onion address for a Tor-only profile.
                    guard case .transport(.invalidConfiguration) = error else { throw error }
                    throw CommandError("error.tor-only-onion", code: CommandError.usage)
                }
            }
            if tor == "auto" {
                try await account.setManagedTor(true, bridges: bridges.isEmpty ? nil : ownBridges)
            } else if tor == nil && !bridges.isEmpty {
                try await account.setManagedTor(await account.runsOwnTor, bridges: ownBridges)
            }
            if torOnly == "on" {
                do {
                    try await account.setOnionOnly(true)
                } catch {
                    guard case .transport(.invalidConfiguration) = error else { throw error }
                    // Which of the two is missing: a proxy, or an onion address.
                    let connection = await account.connection
                    let proxyNow = proxy.map { $0 == "none" ? nil : $0 } ?? connection.proxy
                    throw CommandError(
                        proxyNow == nil ? "error.tor-only-proxy" : "error.tor-only-onion", code: CommandError.usage)
                }
            }
            if let language {
                guard let chosen = Language(rawValue: language) else {
                    throw CommandError("error.language-value", code: CommandError.usage)
                }
                try await account.setPreferredLanguage(chosen.rawValue)
                setenv(Language.profileLanguageVariable, chosen.rawValue, 1)
            }
            let connection = await account.connection
            options.say("config.relay", [relay ?? connection.relay])
            let proxyNow = proxy.map { $0 == "none" ? nil : $0 } ?? connection.proxy
            if await account.runsOwnTor {
                options.say("status.tor.auto", [String(await account.bridges.count)])
            } else if let proxyNow {
                options.say("status.proxy", [proxyNow])
            } else {
                options.say("status.proxy.none")
            }
            if torOnly.map({ $0 == "on" }) ?? connection.onionOnly { options.say("status.tor-only.on") }
            options.say("status.language", [options.language.rawValue])
            let receipts = try await account.sendsReadReceipts
            options.say(receipts ? "status.read-receipts.on" : "status.read-receipts.off")
            options.say(try await account.allowsRemoteWipe ? "status.remote-wipe.on" : "status.remote-wipe.off")
            let policy = try await account.retention
            if let days = policy.keepDays {
                options.say("status.keep.days", [String(days)])
            } else {
                options.say("status.keep.forever")
            }
            options.say(policy.deleteSentOnceDelivered ? "status.delete-sent.on" : "status.delete-sent.off")
        }
    }

    struct Shell: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unlock once, then type commands without the passphrase; locks when idle and on Ctrl-D.")

        @OptionGroup var options: ProfileOptions
        @OptionGroup var shell: ShellOptions

        func run() async throws {
            let settings = InteractiveShell.Settings(
                root: AmanatCommand.self, profileFolder: ProfileOptions.defenderFolder, text: Catalogue.text,
                refused: ["shell", "enroll"],
                idleSeconds: try shell.idleSeconds(), help: HelpCatalogue.russian)
            try await InteractiveShell.run(settings, options: options, directory: options.directory)
        }
    }

    struct Wipe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Destroy this profile at once: keys first, then every file. Cannot be undone.")

        @OptionGroup var options: ProfileOptions

        @Flag(help: "Do not ask.")
        var yes = false

        func run() async throws {
            guard ProfileStore.exists(at: options.directory) else {
                throw CommandError("error.no-profile", [options.directory.path], code: CommandError.authentication)
            }
            let word = Catalogue.text("wipe.word", options.language)
            guard yes || Terminal.confirm(Catalogue.text("wipe.confirm", options.language, [word]), word: word) else {
                options.say("wipe.cancelled")
                return
            }
            ProfileStore.wipe(at: options.directory)
            options.say("wipe.done")
        }
    }
}

/// How messages are listed.
enum Listing {
    /// A metadata field mat2 removed, as the user reads it: the common ones by what they hold
    /// (in Russian; `author` stays as it is in English), any other by its name, as typed.
    static func metadataField(_ field: String, _ language: Language) -> String {
        guard language != .english else { return field }
        let known: [String: String] = [
            "author": "автор", "creator": "создатель", "producer": "программа, создавшая файл",
            "metadata": "встроенные метаданные", "lastmodifiedby": "кто изменял последним",
            "revision": "номер правки", "initial-creator": "первый автор", "title": "название", "subject": "тема",
            "keywords": "ключевые слова", "creationdate": "дата создания", "creation-date": "дата создания",
            "moddate": "дата изменения", "modified": "дата изменения", "created": "дата создания",
            "lastprinted": "дата печати", "description": "описание", "comments": "комментарии",
            "company": "организация", "manager": "руководитель", "generator": "программа, создавшая файл",
        ]
        return known[field.lowercased()] ?? "`\(field)`"
    }

    /// A local time of day with its zone, as a person reads it (`14:05:09 MSK`).
    static func time(_ date: Date, _ language: Language) -> String {
        LocalTime.timeOfDay(date, language)
    }

    static func line(_ message: Message, _ language: Language, unconfirmed: Bool = false) -> String {
        let id = String(message.idText.prefix(8))
        let date = LocalTime.text(message.sentAt, language)
        let preview = VisibleText.of(String(text(message, language).prefix(60)), multiline: false)
        if unconfirmed {
            return Catalogue.text("inbox.out", language, [id, date, Catalogue.text("state.unconfirmed", language)])
                + "\n    " + preview
        }
        switch message.direction {
        case .incoming:
            let read = message.isRead ? "" : Catalogue.text("unread", language)
            return Catalogue.text("inbox.in", language, [id, VisibleText.of(message.senderName ?? "?"), date, read])
                + "\n    "
                + preview
        case .outgoing:
            let state = message.deliveryState.map { Catalogue.text("state.\($0.rawValue)", language) } ?? ""
            return Catalogue.text("inbox.out", language, [id, date, state]) + "\n    " + preview
        }
    }

    /// The text to show: a notice in the user's language, else the message's own text.
    static func text(_ message: Message, _ language: Language) -> String {
        guard message.kind == .notice else { return message.text }
        return Catalogue.text(message.text, language, [message.senderName ?? "?"])
    }

    static func json(_ messages: [Message]) throws -> String {
        let list: [[String: Any]] = messages.map { message in
            [
                "id": message.idText, "direction": message.direction.rawValue, "kind": message.kind.rawValue,
                "from": message.senderName ?? NSNull(), "text": message.text, "sentAt": message.sentAt,
                "read": message.isRead, "state": message.deliveryState?.rawValue ?? NSNull(),
                "attachments": message.attachments.enumerated().map { index, attachment in
                    [
                        "id": "\(message.idText.prefix(8))-\(index + 1)", "name": attachment.fileName,
                        "size": attachment.size, "state": attachment.state.rawValue,
                    ] as [String: Any]
                },
            ]
        }
        return try JSONOutput.text(list)
    }
}

/// The checks of `--tor` and `--bridge` before anything is opened or sent.
enum TorChoice {
    /// Whether the client is to run its own Tor (`--tor auto`).
    ///
    /// - Throws: ``CommandError`` for another value, `--bridge` without `--tor auto` (where that
    ///   is required), a malformed bridge line, `--tor auto` with `--proxy`, or no Tor installed.
    static func check(tor: String?, bridges: [String], proxy: String?, allowOff: Bool) throws -> Bool {
        let values = allowOff ? ["auto", "off"] : ["auto"]
        if let tor, !values.contains(tor) {
            throw CommandError(allowOff ? "error.tor-value" : "error.tor-value-enroll", code: CommandError.usage)
        }
        guard bridges.count <= 8, bridges.allSatisfy(Invite.isValidBridge) else {
            throw CommandError("error.bridge-line", code: CommandError.usage)
        }
        if !allowOff && !bridges.isEmpty && tor == nil {
            throw CommandError("error.bridge-without-tor", code: CommandError.usage)
        }
        if tor == "auto" && proxy != nil { throw CommandError("error.tor-and-proxy", code: CommandError.usage) }
        if tor == "auto" && !ManagedTor.isInstalled {
            throw CommandError("error.tor-missing", code: CommandError.network)
        }
        return tor == "auto"
    }
}
