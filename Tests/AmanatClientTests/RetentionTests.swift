// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatTestSupport
import Foundation
import GRDB
import Testing

@testable import AmanatClient

/// Keeping little on a defender's device (issue #20): what the retention policy lets go leaves
/// every file of the profile (the rows' sealed bytes, the texts, the attachments and their names),
/// and nothing still waiting to be sent is touched.
@Suite("Account: retention on the defender's device", .serialized)
struct RetentionTests {
    /// Every file of the profile, read whole (databases, journals, encrypted attachments).
    func profileBytes(_ directory: URL) throws -> Data {
        var bytes = Data()
        let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        while let file = walker?.nextObject() as? URL {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                bytes += try Data(contentsOf: file)
            }
        }
        return bytes
    }

    /// The sealed `record` of every message row, as a seizer would copy them from the database.
    func sealedRecords(_ account: Account) async throws -> [Data] {
        try await account.store.database.read { db in try Data.fetchAll(db, sql: "SELECT record FROM messages") }
    }

    @Test(
        "with --keep 1, a profile opened two days later holds none of the old texts, file names or sealed rows; a queued update stays",
        .timeLimit(.minutes(2)))
    func keepDays() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let profile = organisation.directory("defender")
        var defender: Account? = try await organisation.enrolDefender("defender")
        let witnesses = organisation.folder.appendingPathComponent("список-свидетелей.txt")
        try Data("Свидетели: Айгуль, Тимур".utf8).write(to: witnesses)
        try await defender?.sendCaseUpdate(
            "OLD-UPDATE обыск у Нурлана", attachments: [OutgoingFile(url: witnesses)])
        #expect(try await expert.sync().received == 1)
        try await expert.reply(to: try await defender!.ownIdentity(), text: "OLD-REPLY адвокат приедет")
        #expect(try await defender?.sync().received == 1)
        try await defender?.setRetention(RetentionPolicy(keepDays: 1))
        #expect(try await defender?.messages().count == 2, "nothing is a day old yet")
        let sealed = try await sealedRecords(defender!)
        #expect(sealed.count == 2)
        let filesFolder = await defender!.store.filesDirectory
        #expect(try FileManager.default.contentsOfDirectory(atPath: filesFolder.path).count == 1)
        defender = nil

        // Two days later, the relay out of reach: opening the profile is enough.
        let later = UInt64(Date().timeIntervalSince1970) + 2 * 86_400
        let reopened = try Account.open(
            at: profile, passphrase: SecureBytes(copying: Array("pass defender".utf8)), proxy: "socks5h://127.0.0.1:9",
            clock: { later })
        #expect(try await reopened.messages().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: filesFolder.path).isEmpty)
        // A case update written now, with the relay out of reach, is queued: it stays.
        let queued = try await reopened.sendCaseUpdate("NEW-UPDATE ещё не отправлено")
        #expect(queued.deliveryState == .queued)
        try await reopened.applyRetention()
        #expect(try await reopened.messages().map(\.text) == ["NEW-UPDATE ещё не отправлено"])

        let files = try profileBytes(profile)
        for text in ["OLD-UPDATE", "OLD-REPLY", "обыск у Нурлана", "список-свидетелей", "Свидетели: Айгуль"] {
            #expect(files.range(of: Data(text.utf8)) == nil, "\(text) is still in the profile's files")
        }
        for record in sealed {
            #expect(files.range(of: record.prefix(64)) == nil, "a deleted message's sealed row is still in the files")
        }
    }

    @Test(
        "with --delete-sent on, a case update is erased on the sync that learns every expert has it; the reply stays",
        .timeLimit(.minutes(2)))
    func deleteSentOnceDelivered() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let defender = try await organisation.enrolDefender("defender")
        try await defender.setRetention(RetentionPolicy(deleteSentOnceDelivered: true))
        try await defender.sendCaseUpdate("SENT-UPDATE задержан брат")
        let sealed = try await sealedRecords(defender)
        #expect(try await defender.messages().count == 1, "not delivered yet: kept")
        #expect(try await expert.sync().received == 1)
        try await expert.reply(to: try await defender.ownIdentity(), text: "REPLY-KEPT позвоните юристу")
        // This sync brings the expert's delivery receipt and the reply.
        #expect(try await defender.sync().received == 1)
        #expect(try await defender.messages().map(\.text) == ["REPLY-KEPT позвоните юристу"])
        let files = try profileBytes(organisation.directory("defender"))
        #expect(files.range(of: Data("SENT-UPDATE".utf8)) == nil)
        #expect(files.range(of: try #require(sealed.first).prefix(64)) == nil)
        #expect(try await defender.retention == RetentionPolicy(deleteSentOnceDelivered: true))
    }
}
