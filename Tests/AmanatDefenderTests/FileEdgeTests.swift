// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatDefender
import AmanatTerminal
import AmanatTestSupport
import Foundation
import Testing

/// What a person may point the tools at by mistake (issue #18, item 12): pipes, devices,
/// special destinations, a damaged key file. Each is a clear error at once, never a hang.
@Suite("amanat with pipes, devices and damaged files", .serialized)
struct FileEdgeTests {
    @Test(
        "a pipe or a device as an attachment, --pin without --relay, a key file asking for endless work",
        .timeLimit(.minutes(8)))
    func edges() async throws {
        let (organisation, _) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let profile = organisation.directory("defender")
        let common = ["--profile", profile.path, "--passphrase-fd", "0"]
        let passphrase = "a long enough passphrase\n"
        #expect(
            try await runTool("amanat", ["enroll", try organisation.invite().text] + common, input: passphrase).status
                == 0)

        let fifo = organisation.folder.appendingPathComponent("pipe")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        for path in [fifo.path, "/dev/zero"] {
            let run = try await runTool("amanat", ["send", "x", "--attach", path] + common, input: passphrase)
            #expect(run.status == 66, "\(path): \(run)")
            #expect(run.error.contains(Catalogue.text("error.not-a-file", .english, [path])), "\(run)")
        }
        // The library refuses them too, whoever calls it.
        #expect(
            RegularFile.openForReading(fifo) == nil
                && RegularFile.openForReading(URL(fileURLWithPath: "/dev/zero")) == nil)
        let pinOnly = try await runTool("amanat", ["config", "--pin", "sha256//AAAA"] + common, input: passphrase)
        #expect(pinOnly.status == 64 && pinOnly.error.contains(Catalogue.text("error.pin-without-relay", .english)))

        // Clear text never lands on a special file, and is 0600.
        #expect(throws: AttachmentError.unwritable) { try RegularFile.write([1, 2, 3], to: fifo) }
        var status = stat()
        #expect(stat(fifo.path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFIFO)
        let plain = organisation.folder.appendingPathComponent("clear.bin")
        try RegularFile.write([1, 2, 3], to: plain)
        #expect((try FileManager.default.attributesOfItem(atPath: plain.path)[.posixPermissions] as? Int) == 0o600)

        // A key file whose header asks for 2³²−1 Argon2id passes: refused at once as damaged.
        let keyslots = profile.appendingPathComponent("keyslots")
        var bytes = [UInt8](try Data(contentsOf: keyslots))
        bytes.replaceSubrange(6..<10, with: [0xFF, 0xFF, 0xFF, 0xFF])
        try Data(bytes).write(to: keyslots)
        let damaged = try await runTool("amanat", ["status"] + common, input: passphrase)
        #expect(damaged.status == 65, "\(damaged)")
    }
}
