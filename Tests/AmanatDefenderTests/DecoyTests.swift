// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatDefender
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

/// The decoy the duress passphrase opens, as someone who compares commands meets it (issue #16):
/// it must answer every command as a real profile enrolled with the same relay, before the
/// organisation has published its list of experts, would.
@Suite("amanat's decoy profile holds up under every command", .serialized)
struct DecoyTests {
    /// The real passphrase and the duress one, each a line for `--passphrase-fd 0`.
    static let real = "настоящая парольная фраза\n"
    static let duress = "фраза под принуждением\n"

    /// Runs `arguments` on the profile at `profile`, with `passphrase` first on standard input.
    static func run(_ arguments: [String], _ profile: URL, _ passphrase: String, more: String = "") async throws -> Run
    {
        try await runTool(
            "amanat", arguments + ["--profile", profile.path, "--passphrase-fd", "0"], input: passphrase + more)
    }

    /// Every command a coercer could try that leaves the profile as it is, and one that changes a
    /// setting (then run in both, so both stay alike).
    static let commands: [[String]] = [
        ["status"], ["status", "--json"], ["inbox"], ["inbox", "--json"], ["experts"], ["experts", "--json"],
        ["sync"], ["send", "Тестовое сообщение"], ["read", "0a1b2c3d"], ["save", "0a1b2c3d-1", "/dev/null"],
        ["verify", "1", "--digits", String(repeating: "0", count: 60)], ["config"],
        ["config", "--read-receipts", "on"], ["config"], ["status", "--lang", "en"],
    ]

    @Test(
        "every command says the same, byte for byte, with the real passphrase and the duress one; so do a relay outage, a passphrase change and a wipe; a duress passphrase set from the decoy behaves as on a real profile",
        .timeLimit(.minutes(12)))
    func indistinguishable() async throws {
        let relay = try LiveRelay()
        try await relay.start()
        let organisation = try TestOrganisation(relay: relay)
        defer {
            relay.kill()
            organisation.remove()
        }
        let profile = organisation.directory("defender")
        let enrolled = try await Self.run(["enroll", try organisation.invite().text], profile, Self.real)
        #expect(enrolled.status == 0, "\(enrolled)")
        // Choices made before the duress passphrase is set are the decoy's too.
        #expect(try await Self.run(["config", "--language", "ru"], profile, Self.real).status == 0)
        #expect(try await Self.run(["config", "--read-receipts", "off"], profile, Self.real).status == 0)
        let chosen = try await Self.run(
            ["config", "--remote-wipe", "off", "--keep", "30", "--delete-sent", "on"], profile, Self.real)
        #expect(chosen.status == 0, "\(chosen)")
        #expect(chosen.output.contains(Catalogue.text("status.keep.days", .russian, ["30"])), "\(chosen)")
        #expect(try await Self.run(["config", "--keep", "0"], profile, Self.real).status == 64)
        let set = try await Self.run(["passphrase", "--duress"], profile, Self.real, more: Self.duress)
        #expect(set.status == 0, "\(set)")

        func compare(_ arguments: [String], at directory: URL = profile, more: String = "") async throws {
            let withReal = try await Self.run(arguments, directory, Self.real, more: more)
            let withDuress = try await Self.run(arguments, directory, Self.duress, more: more)
            #expect(withReal.status == withDuress.status, "\(arguments): \(withReal) / \(withDuress)")
            #expect(withReal.output == withDuress.output, "\(arguments): \(withReal.output) / \(withDuress.output)")
            #expect(withReal.error == withDuress.error, "\(arguments): \(withReal.error) / \(withDuress.error)")
            #expect(!(withDuress.output + withDuress.error).contains("127.0.0.1:9"), "\(arguments)")
            #expect(withDuress.status != 70, "\(arguments): \(withDuress)")
        }
        for arguments in Self.commands { try await compare(arguments) }
        // In Russian, as chosen before the duress passphrase was set, and with the same relay.
        let status = try await Self.run(["status"], profile, Self.duress)
        #expect(status.output.contains(relay.url) && status.output.contains("Ретранслятор"), "\(status)")

        // A relay that is down is down for both.
        relay.kill()
        for arguments in [["status"], ["sync"], ["send", "ещё одно"]] { try await compare(arguments) }
        try await relay.start()

        // Changing the passphrase, and wiping, from each: on copies, one per passphrase.
        let copies = (real: organisation.directory("copy-real"), duress: organisation.directory("copy-duress"))
        for copy in [copies.real, copies.duress] { try FileManager.default.copyItem(at: profile, to: copy) }
        let changedReal = try await Self.run(["passphrase"], copies.real, Self.real, more: "новая фраза один\n")
        let changedDuress = try await Self.run(["passphrase"], copies.duress, Self.duress, more: "новая фраза один\n")
        #expect(
            changedReal.status == 0 && changedReal.output == changedDuress.output, "\(changedReal) / \(changedDuress)")
        #expect(changedReal.error == changedDuress.error)
        let wipedReal = try await Self.run(["wipe", "--yes"], copies.real, "")
        let wipedDuress = try await Self.run(["wipe", "--yes"], copies.duress, "")
        #expect(wipedReal.status == 0 && wipedReal.output == wipedDuress.output, "\(wipedReal) / \(wipedDuress)")

        // From the decoy, a duress passphrase of the coercer's own: said the same way, and then
        // the decoy's passphrase still opens it and the new one opens a profile like it; the
        // real profile is gone for good.
        let third = "третья фраза\n"
        let fromDecoy = try await Self.run(["passphrase", "--duress"], profile, Self.duress, more: third)
        #expect(fromDecoy.status == set.status && fromDecoy.output == set.output, "\(fromDecoy) / \(set)")
        let decoyStatus = try await Self.run(["status"], profile, Self.duress)
        let thirdStatus = try await Self.run(["status"], profile, third)
        #expect(decoyStatus.status == 0 && decoyStatus.output == thirdStatus.output, "\(decoyStatus) / \(thirdStatus)")
        let gone = try await Self.run(["status"], profile, Self.real)
        #expect(gone.status == 77, "\(gone)")
    }
}
