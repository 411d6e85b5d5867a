// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatCrypto
import AmanatProtocol
import AmanatTerminal
import ArgumentParser
import Foundation

extension InboxCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Export a case as a signed evidence bundle: messages, attachments, hashes, relay receipts, triage.",
            discussion: """
                The bundle holds the case in clear (that is its purpose): keep it encrypted, and share it only \
                with whom the defender agreed. Anyone can check it with `amanat-inbox verify-bundle`.
                """)

        @OptionGroup var options: ProfileOptions

        @Argument(help: InboxCommand.caseHelp)
        var label: String

        @Option(help: "Where to write the bundle (default <case>.amanat-evidence).")
        var out: String?

        func run() async throws {
            let account = try options.open()
            let item = try await InboxCase.find(label, account, options)
            let signer = try await account.evidenceSigner()
            let triage = try await account.triage(of: item.caseKey)
            let roster = try await account.roster()
            let destination = URL(fileURLWithPath: out ?? "\(item.id.short).amanat-evidence")
            let name = roster.first { $0.identity == signer.identity }?.name ?? ""
            var files: [[UInt8]] = []
            var entries: [EvidenceBundle.Manifest.Entry] = []
            for message in item.messages {
                var attachments: [EvidenceBundle.Manifest.Attachment] = []
                for (index, attachment) in message.attachments.enumerated() {
                    var entry = EvidenceBundle.Manifest.Attachment(
                        file: nil, fileName: attachment.fileName, mimeType: attachment.mimeType, size: attachment.size,
                        sha256: nil)
                    if attachment.state == .stored {
                        let bytes = try await decrypted(account, message.id, index, next: destination)
                        entry.file = files.count
                        entry.sha256 = Hex.encode(SHA256Hash.hash(bytes))
                        files.append(bytes)
                    }
                    attachments.append(entry)
                }
                let receipts = message.deliveries.compactMap { delivery -> EvidenceBundle.Manifest.Receipt? in
                    guard let signature = delivery.receiptSignature, let mailbox = delivery.receiptMailbox,
                        let digest = delivery.receiptDigest, let time = delivery.submittedAt
                    else { return nil }
                    return EvidenceBundle.Manifest.Receipt(
                        recipient: delivery.name, mailbox: Hex.encode(mailbox), digest: Hex.encode(digest), time: time,
                        signature: Hex.encode(signature), proof: delivery.receiptProof.map { Hex.encode($0) })
                }
                let outgoing = message.direction == .outgoing
                entries.append(
                    EvidenceBundle.Manifest.Entry(
                        id: message.idText, direction: outgoing ? "outgoing" : "incoming", kind: "\(message.kind)",
                        from: outgoing ? nil : item.id.short, sentAt: message.sentAt, storedAt: message.storedAt,
                        text: message.text, inReplyTo: message.inReplyTo.map { Hex.encode($0) },
                        attachments: attachments, receipts: receipts,
                        author: outgoing ? message.authorName ?? name : nil,
                        authorIdentity: outgoing ? Hex.encode(message.author ?? Data(signer.identity.encoded)) : nil,
                        delivery: outgoing ? (message.deliveryState ?? .queued).rawValue : nil))
            }
            var manifest = EvidenceBundle.Manifest(
                caseLabel: item.id.short, defender: Hex.encode(item.identity.encoded),
                exportedAt: UInt64(Date().timeIntervalSince1970),
                exporter: .init(
                    name: name, identity: Hex.encode(signer.identity.encoded),
                    certificate: Hex.encode(signer.certificate.encoded)),
                organisationRoot: Hex.encode(signer.organisationRoot.rawRepresentation),
                relayKey: Hex.encode(signer.relayKey.rawRepresentation), messages: entries,
                triage: triage.events.map { Hex.encode($0.encoded) })
            if entries.contains(where: { $0.receipts.contains { $0.proof != nil } }) {
                manifest.format = EvidenceBundle.Manifest.format2
            }
            let bundle = EvidenceBundle(manifest: manifest, files: files)
            let content = try bundle.content()
            let signature = try await account.signEvidence(content)
            do {
                // The bundle is clear text: mode 0600, and never written over a special file.
                try RegularFile.write(content + signature, to: destination)
            } catch {
                throw CommandError("error.export-unwritable", [destination.path], code: CommandError.cannotCreate)
            }
            options.say("exported", [label, destination.path, String(entries.count), String(files.count)])
        }

        /// Attachment `index` of message `id`, decrypted through a temporary file beside the
        /// bundle (the bundle is plaintext anyway), removed at once.
        func decrypted(_ account: Account, _ id: Data, _ index: Int, next destination: URL) async throws -> [UInt8] {
            let temporary = destination.deletingLastPathComponent().appendingPathComponent(
                ".\(destination.lastPathComponent).part-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: temporary) }
            try await account.saveAttachment(of: id, index: index, to: temporary)
            return Array(try Data(contentsOf: temporary))
        }
    }

    struct VerifyBundle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-bundle",
            abstract: "Check an evidence bundle: signature, certificate, files, relay receipts, triage events.",
            discussion: "Needs no profile. Exit 0 when every check holds, 65 when one fails.")

        @Argument(help: "The bundle file.")
        var path: String

        @Option(
            help: "The organisation root public key, base64url, to require (write --organisation-root=KEY).")
        var organisationRoot: String?

        @Option(help: "Write the attachments into this directory after a successful check.")
        var extract: String?

        @Option(name: .customLong("lang"), help: "Language: en or ru (default from LANG).")
        var language: String?

        func run() async throws {
            let language = Language.choose(language)
            func say(_ key: String, _ arguments: [String] = []) {
                print(InboxCatalogue.text(key, language, arguments.map { VisibleText.of($0) }))
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandError("error.missing-file", [path], code: CommandError.input)
            }
            var root: Ed25519.PublicKey?
            if let organisationRoot {
                guard
                    let key = Base64URL.decode(organisationRoot).flatMap({
                        try? Ed25519.PublicKey(rawRepresentation: $0)
                    })
                else { throw CommandError("error.invalid-root", [], code: CommandError.usage) }
                root = key
            }
            let report: EvidenceBundle.Report
            do {
                report = try EvidenceBundle.verify(Array(data), organisationRoot: root)
            } catch {
                switch error {
                case .malformed: throw CommandError("bundle.malformed", [], code: CommandError.data)
                case .unsupportedFormat: throw CommandError("bundle.newer-format", [], code: CommandError.data)
                case .invalid(let part):
                    // Named in the user's language (the file name in it is shown safely with the rest).
                    let what = InboxCatalogue.text(part.key.name, language, part.key.arguments)
                    throw CommandError("bundle.invalid", [what], code: CommandError.data)
                case .otherOrganisation: throw CommandError("bundle.other-organisation", [], code: CommandError.data)
                }
            }
            let manifest = report.manifest
            say(
                "bundle.verified",
                [
                    manifest.caseLabel, manifest.exporter.name, String(manifest.messages.count),
                    String(report.files.count), String(report.receiptsChecked), String(report.triageEventsChecked),
                ])
            if root == nil {
                say("bundle.root", [Base64URL.encode(Hex.decode(manifest.organisationRoot) ?? [])])
            }
            if let extract {
                let directory = URL(fileURLWithPath: extract, isDirectory: true)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                for entry in manifest.messages {
                    for attachment in entry.attachments {
                        guard let index = attachment.file else { continue }
                        // Only the last path component: a bundle cannot write outside the directory.
                        let name =
                            "\(entry.id.prefix(8))-\(index)-"
                            + URL(fileURLWithPath: attachment.fileName).lastPathComponent
                        let target = directory.appendingPathComponent(name)
                        do {
                            try RegularFile.write(report.files[index], to: target)
                        } catch {
                            throw CommandError(
                                "error.export-unwritable", [target.path], code: CommandError.cannotCreate)
                        }
                    }
                }
            }
        }
    }
}
