// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatDefender
import AmanatProtocol
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

/// Runs the real `amanat` binary (see ``runTool(_:_:input:environment:)``).
func amanat(_ arguments: [String], input: String = "", environment: [String: String] = [:]) async throws -> Run {
    try await runTool("amanat", arguments, input: input, environment: environment)
}

/// A defender enrolled with `amanat` in Russian, from a fresh invite of `organisation`, as
/// profile `defender`: the options every later command takes, and the passphrase to give it.
func enrolRussianDefender(in organisation: TestOrganisation) async throws -> (common: [String], passphrase: String) {
    let profile = organisation.directory("defender")
    let common = ["--profile", profile.path, "--passphrase-fd", "0", "--lang", "ru"]
    let passphrase = "пароль правозащитника\n"
    let inviteFile = organisation.folder.appendingPathComponent("invite.txt")
    try Data((try organisation.invite().text + "\n").utf8).write(to: inviteFile)
    let enrolled = try await amanat(["enroll", inviteFile.path] + common, input: passphrase)
    #expect(enrolled.status == 0, "\(enrolled)")
    return (common, passphrase)
}

@Suite("amanat, the defender's CLI, end to end", .serialized)
struct AmanatCLITests {
    @Test(
        "enroll, send with a photo whose GPS is gone on arrival, receive the reply, read, wipe",
        .timeLimit(.minutes(10)), arguments: [Language.english, Language.russian])
    func endToEnd(language: Language) async throws {
        let (organisation, expert) = try await TestOrganisation.started(expertName: "Expert Айгерим")
        defer { organisation.remove() }
        let relay = organisation.relay
        let profile = organisation.directory("cli-\(language.rawValue)")
        let common = ["--profile", profile.path, "--passphrase-fd", "0", "--lang", language.rawValue]
        let passphrase = "a long enough passphrase\n"
        func say(_ key: String, _ arguments: [String] = []) -> String { Catalogue.text(key, language, arguments) }

        let inviteFile = organisation.folder.appendingPathComponent("invite-\(language.rawValue).txt")
        let invite = try organisation.invite()
        try Data((invite.text + "\n").utf8).write(to: inviteFile)
        let enrolled = try await amanat(["enroll", inviteFile.path] + common, input: passphrase)
        #expect(enrolled.status == 0, "\(enrolled.error)")
        #expect(enrolled.output.contains(say("enrolled", [invite.relay, "1"])))

        let photo = fixtures.appendingPathComponent("court-paper-gps.jpg")
        let sent = try await amanat(
            ["send", "Суд перенесён на 3 декабря", "--attach", photo.path] + common, input: passphrase)
        #expect(sent.status == 0, "\(sent.error)")
        #expect(sent.output.contains(say("sent", ["1", ""]).components(separatedBy: ".").first!))

        #expect(try await expert.sync().downloaded == 1)
        let update = try #require(try await expert.messages().first)
        #expect(update.text == "Суд перенесён на 3 декабря")
        let arrived = organisation.folder.appendingPathComponent("arrived-\(language.rawValue).jpg")
        try await expert.saveAttachment(of: update.id, index: 0, to: arrived)
        let arrivedBytes = try Data(contentsOf: arrived)
        #expect(arrivedBytes.range(of: Data("Exif".utf8)) == nil && arrivedBytes.range(of: Data("GPS".utf8)) == nil)
        #expect(arrivedBytes.range(of: Data("MARKERCAM".utf8)) == nil && arrivedBytes.starts(with: [0xFF, 0xD8]))
        _ = try await expert.reply(
            to: try IdentityKey(decoding: Array(try #require(update.sender))), text: "Мы на связи / we are here",
            inReplyTo: update.id)

        let synced = try await amanat(["sync"] + common, input: passphrase)
        #expect(synced.status == 0, "\(synced.error)")
        #expect(synced.output.contains(say("synced", ["1", "1", "0"])))  // the reply in, its receipt out
        let inbox = try await amanat(["inbox"] + common, input: passphrase)
        #expect(inbox.output.contains(say("state.delivered")) && inbox.output.contains(say("unread")))
        let listing = try await amanat(["inbox", "--json"] + common, input: passphrase)
        let messages = try #require(
            try JSONSerialization.jsonObject(with: Data(listing.output.utf8)) as? [[String: Any]])
        #expect(messages.count == 2)
        let replyId = try #require(messages.last?["id"] as? String)
        let read = try await amanat(["read", String(replyId.prefix(8))] + common, input: passphrase)
        #expect(read.status == 0 && read.output.contains("Мы на связи / we are here"), "\(read)")
        #expect(read.output.contains("Expert Айгерим"))
        #expect(!(try await amanat(["inbox"] + common, input: passphrase).output.contains(say("unread"))))

        // The profile keeps a language of its own, and can move to another address of its relay.
        let plain = ["--profile", profile.path, "--passphrase-fd", "0"]
        let configured = try await amanat(
            ["config", "--language", "ru", "--relay", "http://localhost:\(relay.port)"] + plain, input: passphrase)
        #expect(configured.status == 0, "\(configured)")
        let inRussian = try await amanat(["inbox"] + plain, input: passphrase)
        #expect(inRussian.output.contains(Catalogue.text("state.delivered", .russian)), "\(inRussian)")
        let moved = try await amanat(["status", "--json"] + plain, input: passphrase)
        #expect(moved.output.contains("localhost:\(relay.port)") && moved.output.contains("\"reachable\":true"))
        #expect(try await amanat(["config", "--relay", "ftp://x"] + plain, input: passphrase).status == 64)
        // An address without its scheme is told how to write it, not "something went wrong".
        let bare = try await amanat(["config", "--relay", "relay.example.org"] + plain, input: passphrase)
        #expect(bare.status == 64 && bare.error.contains("https://relay.example.org"), "\(bare)")
        #expect(!bare.error.contains(Catalogue.text("error.internal", .russian, [""]).prefix(10)))
        let experts = try await amanat(["experts"] + common, input: passphrase)
        #expect(experts.output.contains("Expert Айгерим"))
        let wiped = try await amanat(["wipe", "--yes"] + common)
        #expect(wiped.status == 0 && wiped.output.contains(say("wipe.done")))
        #expect(!FileManager.default.fileExists(atPath: profile.path))
        let after = try await amanat(["inbox"] + common, input: passphrase)
        #expect(after.status == 77 && after.error.contains(say("error.no-profile", [profile.path])))
    }

    @Test("bad input: each gets its message in the user's language and its exit code", .timeLimit(.minutes(10)))
    func badInput() async throws {
        let (organisation, expert) = try await TestOrganisation.started(relayArguments: [
            "--limit", "blobBytes=1000000",
        ])
        defer { organisation.remove() }
        let relay = organisation.relay
        let passphrase = "a long enough passphrase\n"
        let profile = organisation.directory("defender")
        let common = ["--profile", profile.path, "--passphrase-fd", "0"]
        func check(_ run: Run, _ key: String, _ arguments: [String] = [], code: Int32, _ language: Language = .english)
        {
            #expect(run.status == code, "\(key): \(run.error)")
            #expect(run.error.contains(Catalogue.text(key, language, arguments)), "\(key): \(run.error)")
        }

        let unknown = try await amanat(["frobnicate"])
        #expect(unknown.status == 64 && unknown.error.contains("frobnicate"))
        check(
            try await amanat(["enroll", "amanat://invite/AAAA"] + common, input: passphrase), "error.invalid-invite",
            code: 65
        )
        check(
            try await amanat(["enroll", "amanat://invite/AAAA", "--lang", "ru"] + common, input: passphrase),
            "error.invalid-invite", code: 65, .russian)
        let expired = try organisation.invite(expiresIn: 0)
        check(try await amanat(["enroll", expired.text] + common, input: passphrase), "error.expired-invite", code: 65)
        check(
            try await amanat(["enroll", "/nonexistent/invite.txt"] + common, input: passphrase), "error.missing-file",
            ["/nonexistent/invite.txt"], code: 66)
        #expect(!FileManager.default.fileExists(atPath: profile.path))

        // A relay behind TLS whose key is not the invite's pin: refused before anything is sent.
        let tlsRelay = try LiveRelay()
        let (certificate, key) = try makeSelfSignedCertificate(in: tlsRelay.directory)
        try await tlsRelay.start(tls: (certificate, key))
        var intercepted = try TestOrganisation(relay: tlsRelay)
        defer { intercepted.remove() }
        intercepted.url = "https://127.0.0.1:\(tlsRelay.port)"
        intercepted.pin = SecureRandom.bytes(count: 32)
        check(
            try await amanat(["enroll", try intercepted.invite().text] + common, input: passphrase), "error.pin",
            code: 76)
        check(
            try await amanat(["enroll", try intercepted.invite().text, "--lang", "ru"] + common, input: passphrase),
            "error.pin", code: 76, .russian)
        #expect(!FileManager.default.fileExists(atPath: profile.path))

        let enrolled = try await amanat(["enroll", try organisation.invite().text] + common, input: passphrase)
        #expect(enrolled.status == 0, "\(enrolled.error)")
        check(
            try await amanat(["enroll", try organisation.invite().text] + common, input: passphrase),
            "error.profile-exists",
            [profile.path], code: 73)
        check(try await amanat(["inbox"] + common, input: "the wrong passphrase\n"), "error.wrong-passphrase", code: 77)
        check(
            try await amanat(["send", "x", "--attach", "/nonexistent/photo.jpg"] + common, input: passphrase),
            "error.missing-file", ["/nonexistent/photo.jpg"], code: 66)
        let unreadable = organisation.folder.appendingPathComponent("secret.pdf")
        try Data("x".utf8).write(to: unreadable)
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: unreadable.path)
        if getuid() != 0 {  // root reads anything
            check(
                try await amanat(["send", "x", "--attach", unreadable.path] + common, input: passphrase),
                "error.unreadable-file", [unreadable.path], code: 66)
        }
        // A directory is not a file to attach.
        check(
            try await amanat(["send", "x", "--attach", organisation.folder.path] + common, input: passphrase),
            "error.not-a-file", [organisation.folder.path], code: 66)
        let big = organisation.folder.appendingPathComponent("big.bin")
        try Data(count: 2_000_000).write(to: big)
        check(
            try await amanat(["send", "x", "--attach", big.path] + common, input: passphrase), "error.too-large",
            code: 65)
        let huge = String(repeating: "я", count: 30_000)  // 60,000 bytes of UTF-8
        check(try await amanat(["send", huge] + common, input: passphrase), "error.too-large", code: 65)
        check(try await amanat(["send"] + common, input: passphrase), "error.nothing-to-send", code: 64)
        check(
            try await amanat(["read", "ffffffff"] + common, input: passphrase), "error.unknown-message", ["ffffffff"],
            code: 65)

        relay.kill()
        check(try await amanat(["sync"] + common, input: passphrase), "error.unreachable", code: 69)
        check(
            try await amanat(["sync", "--lang", "ru"] + common, input: passphrase), "error.unreachable", code: 69,
            .russian)
        // A send while the relay is down is kept and says so; it goes out on the next sync.
        let queued = try await amanat(["send", "kept for later"] + common, input: passphrase)
        #expect(queued.status == 75 && queued.output.contains(Catalogue.text("queued", .english, ["1"])), "\(queued)")
        try await relay.start()
        let synced = try await amanat(["sync"] + common, input: passphrase)
        // The contact card and the update go out.
        #expect(synced.status == 0 && synced.output.contains(Catalogue.text("synced", .english, ["0", "2", "0"])))
        #expect(try await expert.sync().received == 1)
    }

    @Test("help for every command, and shell completion scripts")
    func helpAndCompletions() async throws {
        let help = try await amanat(["--help"])
        #expect(help.status == 0 && help.output.contains("Exit codes") && help.output.contains("75"))
        for command in [
            "enroll", "send", "sync", "inbox", "read", "save", "status", "experts", "verify", "passphrase", "config",
            "wipe",
        ] {
            let run = try await amanat(["help", command])
            #expect(run.status == 0 && run.output.contains("USAGE: amanat \(command)"), "\(command)")
        }
        for shell in ["bash", "zsh", "fish"] {
            let script = try await amanat(["--generate-completion-script", shell])
            #expect(script.status == 0 && script.output.contains("enroll") && script.output.contains("passphrase-fd"))
        }
    }

    @Test("the catalogue has every sentence in both languages with the same marks")
    func catalogue() {
        #expect(Set(Catalogue.english.keys) == Set(Catalogue.russian.keys))
        for (key, english) in Catalogue.english {
            let russian = Catalogue.russian[key] ?? ""
            #expect(
                english.components(separatedBy: "%@").count == russian.components(separatedBy: "%@").count, "\(key)")
            #expect(russian != english, "\(key) is not translated")
        }
        #expect(Language.choose(nil, environment: ["LANG": "ru_RU.UTF-8"]) == .russian)
        #expect(Language.choose("en", environment: ["LANG": "ru_RU.UTF-8"]) == .english)
        #expect(Language.choose(nil, environment: ["LANG": "C"]) == .english)
        #expect(Language.choose(nil, environment: [:]) == .english)
    }
}

@Suite("amanat send --editor", .serialized)
struct EditorTests {
    @Test(
        "the update is written in the user's editor on a file in memory, sent, and the file is erased with what the editor left beside it",
        .timeLimit(.minutes(2)))
    func editor() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let folder = organisation.folder
        let (common, passphrase) = try await enrolRussianDefender(in: organisation)

        // An "editor" that writes two lines, leaves a backup file beside them (as editors do),
        // and notes where it was asked to write.
        let seen = folder.appendingPathComponent("editor-saw")
        let editor = folder.appendingPathComponent("editor.sh")
        try Data(
            """
            #!/bin/sh
            printf 'Обыск в офисе.\\nИзъяли ноутбук и телефон.\\n' > "$1"
            cp "$1" "$1~"
            stat -c '%a %n' "$(dirname "$1")" "$1" > \(seen.path)

            """.utf8
        ).write(to: editor)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: editor.path)
        let sent = try await amanat(
            ["send", "--editor"] + common, input: passphrase, environment: ["EDITOR": editor.path])
        #expect(sent.status == 0, "\(sent)")
        #expect(try await expert.sync().received == 1)
        #expect(try await expert.messages().first?.text == "Обыск в офисе.\nИзъяли ноутбук и телефон.")
        let lines = try String(contentsOf: seen, encoding: .utf8).split(separator: "\n")
        #expect(
            lines.count == 2 && lines[0].hasPrefix("700 /dev/shm/") && lines[1].hasPrefix("600 /dev/shm/"), "\(lines)")
        let directory = String(lines[0].split(separator: " ")[1])
        #expect(!FileManager.default.fileExists(atPath: directory), "the editor's directory is gone")

        // An editor that fails sends nothing; text and --editor together is a usage error.
        let failed = try await amanat(
            ["send", "--editor"] + common, input: passphrase, environment: ["EDITOR": "/bin/false"])
        #expect(failed.status == 66 && failed.error.contains("EDITOR"), "\(failed)")
        let both = try await amanat(["send", "текст", "--editor"] + common, input: passphrase)
        #expect(both.status == 64, "\(both)")
        #expect(try await expert.sync().received == 0)
    }
}
