// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatTestSupport
import Foundation
import Testing

/// PDFs and office documents lose their author's name and edit history before they leave the
/// defender's machine (issue #16), through the real `amanat` and mat2.
@Suite("amanat: a document's author stays behind", .serialized)
struct DocumentMetadataTests {
    static let script = fixtures.appendingPathComponent("documents.py").path

    /// The metadata markers Tests/Fixtures/documents.py finds in `url`.
    static func markers(_ url: URL) async throws -> [String] {
        let found = try await runTool("/usr/bin/python3", [script, "find", url.path])
        #expect(found.status == 0, "\(found)")
        return found.output.split(separator: "\n").map(String.init)
    }

    @Test(
        "a PDF (Info and XMP), a DOCX and an ODT arrive without their authors; without mat2 the send is refused in Russian, nothing queued; --keep-original sends them as they are",
        .timeLimit(.minutes(10)))
    func documents() async throws {
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let folder = organisation.folder
        #expect(try await runTool("/usr/bin/python3", [Self.script, "make", folder.path]).status == 0)
        let documents = ["court.pdf", "letter.docx", "note.odt"].map { folder.appendingPathComponent($0) }
        for document in documents {
            #expect(
                !(try await Self.markers(document)).isEmpty, "the fixture \(document.lastPathComponent) has its marks")
        }
        let (common, passphrase) = try await enrolRussianDefender(in: organisation)

        // Without mat2 nothing is sent, and the defender is told why and what to do.
        let refused = try await amanat(
            ["send", "Документы по делу", "--attach"] + documents.map(\.path) + common, input: passphrase,
            environment: ["AMANAT_MAT2": "/nonexistent/mat2"])
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.error.contains("имя автора") && refused.error.contains("mat2"), "\(refused)")
        #expect(try await expert.sync().received == 0)

        // With it, the files arrive whole and clean.
        let sent = try await amanat(
            ["send", "Документы по делу", "--attach"] + documents.map(\.path) + common, input: passphrase)
        #expect(sent.status == 0, "\(sent)")
        // The defender is told what left each file.
        #expect(
            sent.output.contains(
                "Из court.pdf перед отправкой удалено: автор, создатель, встроенные метаданные, программа, создавшая файл."
            ),
            "\(sent)")
        #expect(
            sent.output.contains(
                "Из letter.docx перед отправкой удалено: кто изменял последним, номер правки, создатель."),
            "\(sent)")
        #expect(sent.output.contains("Из note.odt перед отправкой удалено: создатель, первый автор."), "\(sent)")
        #expect(try await expert.sync().downloaded == 3)
        let update = try #require(try await expert.messages().first { $0.text == "Документы по делу" })
        #expect(update.attachments.map(\.fileName) == ["court.pdf", "letter.docx", "note.odt"])
        for (index, attachment) in update.attachments.enumerated() {
            let arrived = folder.appendingPathComponent("arrived-\(attachment.fileName)")
            try await expert.saveAttachment(of: update.id, index: index, to: arrived)
            #expect(try await Self.markers(arrived) == [], "\(attachment.fileName)")
            let head = Array(try Data(contentsOf: arrived).prefix(5))
            #expect(head == Array("%PDF-".utf8) || head.starts(with: [0x50, 0x4B, 0x03, 0x04]))
        }

        // Evidence that must go as it is, on purpose.
        let kept = try await amanat(
            ["send", "Оригинал", "--attach", documents[0].path, "--keep-original"] + common, input: passphrase)
        #expect(kept.status == 0, "\(kept)")
        #expect(try await expert.sync().downloaded == 1)
        let original = try #require(try await expert.messages().first { $0.text == "Оригинал" })
        let arrived = folder.appendingPathComponent("arrived-original.pdf")
        try await expert.saveAttachment(of: original.id, index: 0, to: arrived)
        #expect(try Data(contentsOf: arrived) == Data(contentsOf: documents[0]))
    }
}
