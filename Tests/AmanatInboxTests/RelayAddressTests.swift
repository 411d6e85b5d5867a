// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatDefender
import AmanatInbox
import AmanatProtocol
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

@Suite("several relay addresses, through the real tools", .serialized)
struct RelayAddressTests {
    @Test(
        "an invite whose first address is dead works at the second, which status shows and the next command starts at; a private bridge travels in it; Tor-only contacts no clearnet address",
        .timeLimit(.minutes(10)))
    func failover() async throws {
        let workspace = try InboxWorkspace("addresses")
        defer { workspace.remove() }
        func inbox(_ arguments: [String], lang: String = "ru") async throws -> Run {
            try await workspace.inbox("aigerim", arguments, lang: lang)
        }
        func say(_ key: String, _ arguments: [String] = []) -> String {
            InboxCatalogue.text(key, .russian, arguments)
        }
        func status(_ defender: String) async throws -> [String: Any] {
            let run = try await workspace.amanat(defender, ["status", "--json"])
            return try #require(
                try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run)")
        }

        // The organisation first reaches its relay through a front address (a pass-through
        // taken down below), then adds the relay's own address after it.
        let created = try await inbox(["org", "init"])
        let line = try #require(created.output.split(separator: "\n").dropFirst().first, "\(created)")
        let root = try Ed25519.PublicKey(rawRepresentation: try #require(Base64URL.decode(String(line))))
        let relay = try LiveRelay(organisationRoot: root)
        try await relay.start()
        defer { relay.kill() }
        let counter = workspace.folder.appendingPathComponent("front-connections")
        let (front, frontPort) = try startProxyFixture("counting_proxy.py", [String(relay.port), counter.path])
        let frontURL = "http://127.0.0.1:\(frontPort)"
        let connected = try await inbox(["org", "connect", "--relay", frontURL, "--name", "Айгерим"])
        #expect(connected.status == 0, "\(connected)")
        let added = try await inbox(["org", "addresses", "--add", relay.url])
        #expect(
            added.status == 0 && added.output.split(separator: "\n").map(String.init) == [frontURL, relay.url],
            "\(added)")

        // What is refused, in Russian, and changes nothing.
        let clearHTTP = try await inbox(["org", "addresses", "--add", "http://relay.example.org"])
        #expect(clearHTTP.status == 64 && clearHTTP.error.contains(say("error.address", ["http://relay.example.org"])))
        let again = try await inbox(["org", "addresses", "--add", relay.url])
        #expect(again.status == 64, "\(again)")
        let lonePin = try await inbox([
            "org", "addresses", "--pin", "sha256//" + String(repeating: "A", count: 43) + "=",
        ])
        #expect(lonePin.status == 64 && lonePin.error.contains(say("error.pin-without-address")), "\(lonePin)")
        let unknown = try await inbox(["org", "addresses", "--remove", "https://nowhere.example"])
        #expect(
            unknown.status == 64 && unknown.error.contains(say("error.unknown-address", ["https://nowhere.example"])))
        let injected = try await inbox(["org", "invite", "--bridge", "obfs4 192.0.2.7:443\nExitNodes {ru}"])
        #expect(injected.status == 64 && injected.error.contains(say("error.bridge")), "\(injected)")
        #expect(
            try await inbox(["org", "addresses"]).output.split(separator: "\n").map(String.init) == [
                frontURL, relay.url,
            ])

        // An invite with a private bridge for this one defender.
        let bridge =
            "obfs4 192.0.2.7:443 4C4D4E4F505152535455565758595A5B5C5D5E5F cert=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A iat-mode=0"
        let made = try await inbox(["org", "invite", "--no-qr", "--bridge", bridge])
        let inviteText = try #require(made.output.split(separator: "\n").last.map(String.init), "\(made)")
        let invite = try Invite(text: inviteText)
        #expect(invite.addresses.map(\.url) == [frontURL, relay.url] && invite.bridges == [bridge])

        // The front goes down: the defender enrols, writes and reads at the second address.
        front.terminate()
        front.waitUntilExit()
        let enrolled = try await workspace.amanat("dilnoza", ["enroll", inviteText])
        #expect(enrolled.status == 0, "\(enrolled)")
        #expect(enrolled.output.contains(Catalogue.text("enrolled", .russian, [relay.url, "1"])), "\(enrolled)")
        let sent = try await workspace.amanat("dilnoza", ["send", "Суд назначен на понедельник"])
        #expect(sent.status == 0, "\(sent)")
        // The administrator's own first address is the dead one too.
        let synced = try await inbox(["sync"], lang: "en")
        #expect(synced.status == 0, "\(synced)")
        let cases = try InboxWorkspace.list(try await inbox(["cases", "--json"]))
        let label = try #require(cases.first?["case"] as? String)
        #expect(try await inbox(["reply", label, "Будем на заседании"]).status == 0)

        // The next command starts at the address that answered: something listens at the dead
        // one now and would hold any connection there (the sync would then time out).
        // Closed by hand below (once: a second close could hit a descriptor another test opened).
        let (listener, _) = try loopbackSocket(listening: true, port: frontPort, reuseAddress: true)
        let read = try await workspace.amanat("dilnoza", ["sync"])
        #expect(read.status == 0, "\(read)")
        #expect(pendingConnections(listener) == 0)
        let inboxList = try InboxWorkspace.list(try await workspace.amanat("dilnoza", ["inbox", "--json"]))
        #expect(inboxList.contains { ($0["text"] as? String)?.contains("Будем на заседании") == true }, "\(inboxList)")
        let shown = try await status("dilnoza")
        #expect(shown["relay"] as? String == relay.url && shown["reachable"] as? Bool == true, "\(shown)")
        #expect(shown["addresses"] as? [String] == [frontURL, relay.url] && shown["bridges"] as? Int == 1)
        let human = try await workspace.amanat("dilnoza", ["status"])
        #expect(human.output.contains(Catalogue.text("status.other-addresses", .russian, [frontURL])), "\(human)")
        // Tor-only needs a proxy, and an onion address this relay does not have yet.
        let noProxy = try await workspace.amanat("dilnoza", ["config", "--tor-only", "on"])
        #expect(noProxy.status == 64 && noProxy.error.contains(Catalogue.text("error.tor-only-proxy", .russian)))

        // amanat's own Tor: what does not go together is refused before anything is written.
        for (arguments, key) in [
            (["--tor", "auto", "--proxy", "socks5h://127.0.0.1:9050"], "error.tor-and-proxy"),
            (["--bridge", "obfs4 192.0.2.7:443"], "error.bridge-without-tor"),
            (["--tor", "always"], "error.tor-value-enroll"),
            (["--tor", "auto", "--bridge", "obfs4 192.0.2.7:443\nExitNodes {ru}"], "error.bridge-line"),
        ] {
            let refused = try await workspace.amanat("timur", ["enroll", inviteText] + arguments)
            #expect(refused.status == 64 && refused.error.contains(Catalogue.text(key, .russian)), "\(refused)")
        }
        let badBridge = try await workspace.amanat("dilnoza", ["config", "--bridge", "obfs4 1.2.3.4:5\rUseBridges 0"])
        #expect(badBridge.status == 64 && badBridge.error.contains(Catalogue.text("error.bridge-line", .russian)))
        let badTor = try await workspace.amanat("dilnoza", ["config", "--tor", "on"])
        #expect(badTor.status == 64 && badTor.error.contains(Catalogue.text("error.tor-value", .russian)))

        // Tor-only: only the onion address, always through the proxy (microsocks here, which
        // cannot reach an onion). The clearnet addresses, the listener and the live relay, are
        // never contacted: enrolment fails at the proxy and leaves no profile.
        let proxy = try await SocksProxy()
        defer { proxy.stop() }
        let timur = workspace.folder.appendingPathComponent("timur")
        let noOnion = try await workspace.amanat("timur", ["enroll", inviteText, "--tor-only", "--proxy", proxy.url])
        #expect(noOnion.status == 64 && noOnion.error.contains(Catalogue.text("error.tor-only-onion", .russian)))
        let onion = "http://amanatrelayexampleonionaddressxxxxxxxxxxxxxxxxxxxx.onion"
        #expect(try await inbox(["org", "addresses", "--add", onion]).status == 0)
        let torInvite = try #require(
            try await inbox(["org", "invite", "--no-qr"]).output.split(separator: "\n").last.map(String.init))
        #expect(try Invite(text: torInvite).addresses.map(\.url) == [frontURL, relay.url, onion])
        let stranded = try await workspace.amanat("timur", ["enroll", torInvite, "--tor-only", "--proxy", proxy.url])
        #expect(
            stranded.status == 69 && stranded.error.contains(Catalogue.text("error.proxy", .russian)), "\(stranded)")
        #expect(pendingConnections(listener) == 0)
        #expect(!FileManager.default.fileExists(atPath: timur.path))
        // Without Tor-only the same invite and proxy reach the live relay.
        close(listener)
        let reached = try await workspace.amanat("timur", ["enroll", torInvite, "--proxy", proxy.url])
        #expect(reached.status == 0, "\(reached)")
        #expect((try await status("timur"))["relay"] as? String == relay.url)
    }
}
