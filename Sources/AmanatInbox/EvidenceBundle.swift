// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation

/// A case exported as one signed file (SPEC.md §17): a JSON manifest (messages, attachments'
/// hashes, relay receipts, triage events), the attachments' decrypted bytes, and the exporting
/// expert device's signature over all of it. ``verify(_:organisationRoot:)`` checks every part.
///
///     bundle = "AMANAT-EVIDENCE\n" ‖ u8 version = 1 ‖ vector32(manifest) ‖ u16 n ‖ vector32(file) × n
///              ‖ [64] signature
public struct EvidenceBundle: Sendable {
    static let magic = Array("AMANAT-EVIDENCE\n".utf8)
    static let version: UInt8 = 1
    /// The most files one bundle holds (a case's attachments).
    static let maximumFiles = 4096

    /// The manifest: what the bundle says, in JSON (keys sorted).
    public struct Manifest: Codable, Sendable, Equatable {
        public struct Exporter: Codable, Sendable, Equatable {
            public var name: String
            /// The device's `IdentityKey` (SPEC.md §4.1), hex.
            public var identity: String
            /// Its organisation-signed sender certificate (SPEC.md §7.1), hex.
            public var certificate: String
        }
        public struct Receipt: Codable, Sendable, Equatable {
            public var recipient: String
            public var mailbox: String
            public var digest: String
            public var time: UInt64
            public var signature: String
            /// For a receipt signed with others (SPEC.md §8.4.1): its proof, hex; absent for one
            /// signed alone.
            public var proof: String? = nil
        }
        public struct Attachment: Codable, Sendable, Equatable {
            /// Its index among the bundle's files, or nil if it was never downloaded.
            public var file: Int?
            public var fileName: String
            public var mimeType: String
            public var size: UInt64
            /// SHA-256 of the decrypted file, hex.
            public var sha256: String?
        }
        public struct Entry: Codable, Sendable, Equatable {
            public var id: String
            public var direction: String
            public var kind: String
            public var from: String?
            public var sentAt: UInt64
            public var storedAt: UInt64
            public var text: String
            public var inReplyTo: String?
            public var attachments: [Attachment]
            public var receipts: [Receipt]
            /// For an outgoing message, the expert who wrote it: the exporter, or a colleague
            /// whose team copy it is (SPEC.md §16.5): roster name and `IdentityKey` (hex).
            public var author: String? = nil
            public var authorIdentity: String? = nil
            /// For an outgoing message, how far it got: queued, submitted, delivered or read.
            public var delivery: String? = nil
        }

        /// `amanat-evidence-2` when a receipt carries a proof (SPEC.md §8.4.1), which a verifier
        /// from before proofs would misread as a forged receipt; `amanat-evidence-1` otherwise.
        public var format = Self.format1
        public static let format1 = "amanat-evidence-1"
        public static let format2 = "amanat-evidence-2"
        public var caseLabel: String
        /// The defender's `IdentityKey`, hex.
        public var defender: String
        public var exportedAt: UInt64
        public var exporter: Exporter
        public var organisationRoot: String
        public var relayKey: String
        public var messages: [Entry]
        /// Every triage event of the case (SPEC.md §16.3), hex.
        public var triage: [String]
    }

    public var manifest: Manifest
    public var files: [[UInt8]]

    public init(manifest: Manifest, files: [[UInt8]]) {
        self.manifest = manifest
        self.files = files
    }

    /// The bytes the signature covers.
    public func content() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var writer = ByteWriter(capacity: files.reduce(4096) { $0 + 4 + $1.count })
        writer.fixed(Self.magic)
        writer.u8(Self.version)
        writer.vector32(Array(try encoder.encode(manifest)))
        writer.u16(UInt16(files.count))
        for file in files { writer.vector32(file) }
        return writer.bytes
    }

    /// What ``verify(_:organisationRoot:)`` found.
    public struct Report: Sendable {
        public let manifest: Manifest
        public let files: [[UInt8]]
        public let receiptsChecked: Int
        public let triageEventsChecked: Int
    }

    /// The part of a bundle that does not check, for the user's message (each has a sentence
    /// `bundle.part.<name>` in the inbox's catalogue).
    public enum Part: Equatable, Sendable {
        case signature, organisationRoot, exporterCertificate, defender, relayKey, unlistedFile, triageEvent
        /// An attachment, by its file name.
        case attachment(String)
        /// The relay receipt of a message, by the message's id.
        case receipt(String)

        /// The catalogue keys of every part's name.
        public static let allNames: [String] = [
            Part.signature, .organisationRoot, .exporterCertificate, .defender, .relayKey, .unlistedFile, .triageEvent,
            .attachment(""), .receipt(""),
        ].map(\.key.name)

        /// The catalogue key of the part's name, and what fills it.
        public var key: (name: String, arguments: [String]) {
            switch self {
            case .signature: ("bundle.part.signature", [])
            case .organisationRoot: ("bundle.part.organisation-root", [])
            case .exporterCertificate: ("bundle.part.exporter-certificate", [])
            case .defender: ("bundle.part.defender", [])
            case .relayKey: ("bundle.part.relay-key", [])
            case .unlistedFile: ("bundle.part.unlisted-file", [])
            case .triageEvent: ("bundle.part.triage-event", [])
            case .attachment(let name): ("bundle.part.attachment", [name])
            case .receipt(let id): ("bundle.part.receipt", [id])
            }
        }
    }

    /// Why a bundle is refused.
    public enum Failure: Error, Equatable, Sendable {
        /// Not a bundle, or cut short or extended.
        case malformed
        /// The signature, a certificate, a receipt, a triage event or a file hash does not check.
        case invalid(Part)
        /// Signed under another organisation than the one given.
        case otherOrganisation
        /// A manifest format this verifier does not know: made by a newer version.
        case unsupportedFormat
    }

    /// Checks a bundle: its structure, the exporter's signature over every byte before it, the
    /// exporter's certificate under the organisation root (and that root against
    /// `organisationRoot` when given), every file's size and SHA-256, every relay receipt under
    /// the relay key, and every triage event's signature and case.
    public static func verify(
        _ bytes: [UInt8], organisationRoot expected: Ed25519.PublicKey? = nil
    ) throws(Failure) -> Report {
        guard bytes.count > magic.count + 64, Array(bytes.prefix(magic.count)) == magic else { throw .malformed }
        let content = Array(bytes.dropLast(64))
        let signature = Array(bytes.suffix(64))
        var reader = ByteReader(Array(content.dropFirst(magic.count)))
        let manifest: Manifest
        var files: [[UInt8]] = []
        do {
            try reader.version(version)
            let manifestBytes = try reader.vector32(maximum: 64 << 20)
            let count = Int(try reader.u16())
            guard count <= maximumFiles else { throw Failure.malformed }
            for _ in 0..<count { files.append(try reader.vector32(maximum: Int(UInt32.max))) }
            try reader.finish()
            manifest = try JSONDecoder().decode(Manifest.self, from: Data(manifestBytes))
        } catch {
            throw .malformed
        }
        guard [Manifest.format1, Manifest.format2].contains(manifest.format) else { throw .unsupportedFormat }
        func hexBytes(_ text: String, _ what: Part) throws(Failure) -> [UInt8] {
            guard let bytes = Hex.decode(text) else { throw .invalid(what) }
            return bytes
        }
        guard let exporter = try? IdentityKey(decoding: try hexBytes(manifest.exporter.identity, .signature)),
            EvidenceSignature.isValid(signature, of: content, by: exporter.signingKey)
        else { throw .invalid(.signature) }
        guard
            let root = try? Ed25519.PublicKey(
                rawRepresentation: try hexBytes(manifest.organisationRoot, .organisationRoot))
        else { throw .invalid(.organisationRoot) }
        if let expected, expected != root { throw .otherOrganisation }
        guard
            let certificate = try? SenderCertificate(
                decoding: try hexBytes(manifest.exporter.certificate, .exporterCertificate)),
            certificate.signer == .organisation, certificate.sender == exporter,
            // Expiry is not checked: a bundle outlives its exporter's certificate.
            (try? certificate.verify(now: 0, organisationRoot: root)) != nil
        else { throw .invalid(.exporterCertificate) }
        guard let defender = try? IdentityKey(decoding: try hexBytes(manifest.defender, .defender)) else {
            throw .invalid(.defender)
        }
        guard let relayKey = try? Ed25519.PublicKey(rawRepresentation: try hexBytes(manifest.relayKey, .relayKey))
        else { throw .invalid(.relayKey) }
        var receipts = 0
        var referenced = Set<Int>()
        for entry in manifest.messages {
            for attachment in entry.attachments {
                guard let index = attachment.file else { continue }
                guard files.indices.contains(index), referenced.insert(index).inserted,
                    UInt64(files[index].count) == attachment.size,
                    let digest = attachment.sha256, Hex.decode(digest) == SHA256Hash.hash(files[index])
                else { throw .invalid(.attachment(attachment.fileName)) }
            }
            for receipt in entry.receipts {
                guard let mailbox = MailboxID(try hexBytes(receipt.mailbox, .receipt(entry.id))),
                    let digest = EnvelopeDigest(try hexBytes(receipt.digest, .receipt(entry.id)))
                else { throw .invalid(.receipt(entry.id)) }
                var proof: DepositReceipt.Proof?
                // Format 1 has no proofs: a key it does not define is ignored (SPEC.md §17).
                if manifest.format != Manifest.format1, let text = receipt.proof {
                    guard let decoded = DepositReceipt.Proof(encoded: try hexBytes(text, .receipt(entry.id))) else {
                        throw .invalid(.receipt(entry.id))
                    }
                    proof = decoded
                }
                let parsed = DepositReceipt(
                    mailbox: mailbox, digest: digest, time: receipt.time,
                    signature: try hexBytes(receipt.signature, .receipt(entry.id)), proof: proof)
                guard parsed.isValid(relayKey: relayKey) else { throw .invalid(.receipt(entry.id)) }
                receipts += 1
            }
        }
        guard referenced.count == files.count else { throw .invalid(.unlistedFile) }
        for text in manifest.triage {
            guard let event = try? TriageEvent(decoding: try hexBytes(text, .triageEvent)),
                event.caseKey == defender.signingKey.rawRepresentation, (try? event.verify()) != nil
            else { throw .invalid(.triageEvent) }
        }
        return Report(
            manifest: manifest, files: files, receiptsChecked: receipts, triageEventsChecked: manifest.triage.count)
    }
}
