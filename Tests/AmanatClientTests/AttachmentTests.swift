// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatProtocolVectors
import AmanatTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

@testable import AmanatClient

/// A file of `count` pseudo-random bytes (seeded, so a failure can be repeated) with `marker`
/// written at the start, the middle and the end.
func makeFile(_ url: URL, count: Int, marker: String, seed: UInt64 = 1) throws {
    var generator = SplitMix(seed: seed)
    var bytes = [UInt8](repeating: 0, count: count)
    for index in stride(from: 0, to: count, by: 8) {
        let value = generator.next()
        for offset in 0..<min(8, count - index) {
            bytes[index + offset] = UInt8(truncatingIfNeeded: value >> (8 * offset))
        }
    }
    let mark = Array(marker.utf8)
    for start in [0, count / 2, count - mark.count] where count >= mark.count {
        bytes.replaceSubrange(start..<(start + mark.count), with: mark)
    }
    try Data(bytes).write(to: url)
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Attachments")
struct AttachmentTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-attach-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    @Test("padding buckets are about 5 % apart and the stream size follows from the padded size")
    func buckets() {
        #expect(AttachmentCipher.paddedSize(0) == 256 && AttachmentCipher.paddedSize(256) == 256)
        #expect(AttachmentCipher.paddedSize(257) == 256 + 13)
        var previous: UInt64 = 0
        for size: UInt64 in [1, 1000, 65_536, 1 << 20, 20 << 20, 1 << 30] {
            let padded = AttachmentCipher.paddedSize(size)
            #expect(padded >= size && Double(padded) <= Double(max(size, 256)) * 1.05 + 1)
            #expect(padded >= previous)
            previous = padded
        }
        #expect(AttachmentCipher.encryptedSize(padded: 256) == 24 + 256 + 17)
        #expect(AttachmentCipher.encryptedSize(padded: 65_536 * 2) == 24 + 65_536 * 2 + 2 * 17)
    }

    @Test("Protocol/vectors/attachments.json: padded sizes, the recorded streams decrypt, download confirmations")
    func vectors() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Protocol/vectors/attachments.json")
        let file = try JSONDecoder().decode(AttachmentVectors.self, from: Data(contentsOf: url))
        #expect(file.padding.count >= 10 && file.streams.count == 2)
        for vector in file.padding {
            #expect(AttachmentCipher.paddedSize(vector.size) == vector.paddedSize, "\(vector.size)")
            #expect(AttachmentCipher.encryptedSize(padded: vector.paddedSize) == vector.encryptedSize)
        }
        for vector in file.streams {
            let stream = try #require(bytes(hex: vector.stream))
            let plain = try #require(bytes(hex: vector.file))
            #expect(try BLAKE2b.hash(stream) == bytes(hex: vector.digest))
            #expect(
                UInt64(stream.count)
                    == AttachmentCipher.encryptedSize(padded: AttachmentCipher.paddedSize(UInt64(plain.count))))
            let sealed = folder.appendingPathComponent("stream")
            let output = folder.appendingPathComponent("file")
            try Data(stream).write(to: sealed)
            try AttachmentCipher.decrypt(
                sealed, to: output, key: SecureBytes(copying: try #require(bytes(hex: vector.key))),
                size: UInt64(plain.count))
            #expect(try Data(contentsOf: output) == Data(plain), "\(vector.comment)")
        }
        // Download confirmations (§9.4), one per file and recipient device.
        #expect(file.confirmations.count == 4)
        for vector in file.confirmations {
            let identity = try IdentityKey(decoding: try #require(bytes(hex: vector.identityKey)))
            #expect(identity == VectorDevice(vector.recipient).identity.publicKey)
            let fileKey = SecureBytes(copying: try #require(bytes(hex: vector.key)))
            let key = try DownloadConfirmation.key(fileKey: fileKey, recipient: identity)
            #expect(key.withUnsafeBytes { Array($0) } == bytes(hex: vector.confirmationKey))
            #expect(try DownloadConfirmation.digest(of: key) == bytes(hex: vector.confirmation))
            #expect(try DownloadConfirmation.digests(fileKey: fileKey, recipients: [identity, identity]).count == 1)
        }
    }

    @Test(
        "files round-trip through the cipher at every chunk boundary; tampering and truncation fail",
        arguments: [0, 1, 255, 65_535, 65_536, 65_537, 200_000])
    func roundTrip(size: Int) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in")
        let sealed = folder.appendingPathComponent("sealed")
        let output = folder.appendingPathComponent("out")
        try makeFile(input, count: size, marker: size >= 6 ? "MARKER" : "")
        let encrypted = try AttachmentCipher.encrypt(input, to: sealed)
        #expect(encrypted.size == UInt64(size))
        let sealedBytes = try Data(contentsOf: sealed)
        #expect(UInt64(sealedBytes.count) == encrypted.encryptedSize)
        #expect(sealedBytes.range(of: Data("MARKER".utf8)) == nil)
        try AttachmentCipher.decrypt(sealed, to: output, key: encrypted.key, size: encrypted.size)
        #expect(try Data(contentsOf: output) == Data(contentsOf: input))
        try FileManager.default.removeItem(at: output)
        for position in [0, 30, sealedBytes.count - 1] {
            var tampered = sealedBytes
            tampered[position] ^= 1
            try tampered.write(to: sealed)
            #expect(throws: AttachmentError.integrityFailure) {
                try AttachmentCipher.decrypt(sealed, to: output, key: encrypted.key, size: encrypted.size)
            }
            #expect(!FileManager.default.fileExists(atPath: output.path))
        }
        try sealedBytes.dropLast(17).write(to: sealed)
        #expect(throws: AttachmentError.integrityFailure) {
            try AttachmentCipher.decrypt(sealed, to: output, key: encrypted.key, size: encrypted.size)
        }
        try (sealedBytes + Data([0])).write(to: sealed)
        #expect(throws: AttachmentError.integrityFailure) {
            try AttachmentCipher.decrypt(sealed, to: output, key: encrypted.key, size: encrypted.size)
        }
        try sealedBytes.write(to: sealed)
        #expect(throws: AttachmentError.integrityFailure) {
            try AttachmentCipher.decrypt(sealed, to: output, key: SecretStream.generateKey(), size: encrypted.size)
        }
        // A size from another padding bucket is refused too.
        #expect(throws: AttachmentError.integrityFailure) {
            try AttachmentCipher.decrypt(
                sealed, to: output, key: encrypted.key, size: AttachmentCipher.paddedSize(encrypted.size) + 1)
        }
        #expect(throws: AttachmentError.unreadable) {
            try AttachmentCipher.encrypt(folder.appendingPathComponent("missing"), to: sealed)
        }
    }

    @Test(
        "a 20 MiB attachment goes from defender to expert and another back, intact and encrypted at rest",
        .timeLimit(.minutes(8)))
    func exchange() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let defender = try await organisation.enrolDefender("defender")

        let evidence = folder.appendingPathComponent("court-papers.pdf")
        try makeFile(evidence, count: 20 << 20, marker: "EVIDENCE-MARKER", seed: 7)
        let sent = try await defender.sendCaseUpdate("papers attached", attachments: [OutgoingFile(url: evidence)])
        #expect(sent.attachments.map(\.fileName) == ["court-papers.pdf"] && sent.deliveryState == .submitted)
        let summary = try await expert.sync()
        #expect(summary.received == 1 && summary.downloaded == 1)
        let received = try #require(try await expert.messages().first)
        #expect(received.attachments.first?.state == .stored && received.attachments.first?.size == 20 << 20)
        #expect(received.attachments.first?.mimeType == "application/pdf")
        let saved = folder.appendingPathComponent("saved.pdf")
        try await expert.saveAttachment(of: received.id, index: 0, to: saved)
        #expect(try Data(contentsOf: saved) == Data(contentsOf: evidence))

        let answer = folder.appendingPathComponent("answer.bin")
        try makeFile(answer, count: 20 << 20, marker: "ANSWER-MARKER", seed: 8)
        let defenderIdentity = try await defender.identityKey
        _ = try await expert.reply(to: defenderIdentity, text: "see file", attachments: [OutgoingFile(url: answer)])
        #expect(try await defender.sync().downloaded == 1)
        let reply = try #require(try await defender.messages().last)
        let savedAnswer = folder.appendingPathComponent("saved-answer")
        try await defender.saveAttachment(of: reply.id, index: 0, to: savedAnswer)
        #expect(try Data(contentsOf: savedAnswer) == Data(contentsOf: answer))

        // A photo with GPS in its EXIF arrives without it (and with it only when asked).
        let photo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/court-paper-gps.jpg")
        let original = try Data(contentsOf: photo)
        #expect(original.range(of: Data("MARKERCAM".utf8)) != nil && original.range(of: Data("Exif".utf8)) != nil)
        try await defender.sendCaseUpdate(
            "photos",
            attachments: [
                OutgoingFile(url: photo), OutgoingFile(url: photo, fileName: "as-is.jpg", keepOriginal: true),
            ])
        #expect(try await expert.sync().downloaded == 2)
        let photos = try #require(try await expert.messages().last)
        let cleaned = folder.appendingPathComponent("cleaned.jpg")
        let kept = folder.appendingPathComponent("kept.jpg")
        try await expert.saveAttachment(of: photos.id, index: 0, to: cleaned)
        try await expert.saveAttachment(of: photos.id, index: 1, to: kept)
        let cleanedBytes = try Data(contentsOf: cleaned)
        for marker in ["Exif", "MARKERCAM", "XMPMARKER", "COMMENT-XYZ", "GPS"] {
            #expect(cleanedBytes.range(of: Data(marker.utf8)) == nil, "\(marker)")
        }
        #expect(cleanedBytes.starts(with: [0xFF, 0xD8]) && cleanedBytes.suffix(2) == Data([0xFF, 0xD9]))
        #expect(try Data(contentsOf: kept) == original)

        // At rest, in both profiles, neither the content, nor the file names, nor the keys.
        for name in ["defender", "expert"] {
            for (url, data) in filesBelow(organisation.directory(name)) {
                for needle in ["EVIDENCE-MARKER", "ANSWER-MARKER", "court-papers", "answer.bin"] {
                    #expect(data.range(of: Data(needle.utf8)) == nil, "\(needle) in \(url.lastPathComponent)")
                }
            }
        }
    }
}

/// Counts transfers seen by an observer.
final class TransferLog: Sendable {
    private let state = Mutex<(sent: Int, skipped: Int)>((0, 0))

    func record(_ progress: TransferProgress) -> Int {
        state.withLock { state in
            if progress.transferred { state.sent += 1 } else { state.skipped += 1 }
            return state.sent
        }
    }

    var counts: (sent: Int, skipped: Int) { state.withLock { $0 } }
    func reset() { state.withLock { $0 = (0, 0) } }
}

@Suite("Attachment upload resume")
struct AttachmentResumeTests {
    @Test(
        "an upload cut off by the relay dying resumes after its restart from the chunks it holds, and starts a new blob if the relay deleted the half one",
        .timeLimit(.minutes(8)))
    func resume() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (organisation, expert) = try await TestOrganisation.started()
        defer { organisation.remove() }
        let relay = organisation.relay
        let defender = try await organisation.enrolDefender("defender")
        let evidence = folder.appendingPathComponent("video.mp4")
        try makeFile(evidence, count: 20 << 20, marker: "VIDEO", seed: 9)
        let chunkCount = Int(
            (AttachmentCipher.encryptedSize(padded: AttachmentCipher.paddedSize(20 << 20)) + (256 << 10) - 1)
                / (256 << 10))

        let log = TransferLog()
        await defender.observeTransfers { progress in
            if progress.direction == .upload, log.record(progress) == 30 { relay.kill() }
        }
        // The relay dies under the upload: the message stays queued, with its attachment.
        let queued = try await defender.sendCaseUpdate("the video", attachments: [OutgoingFile(url: evidence)])
        #expect(queued.deliveryState == .queued && queued.attachments.count == 1)
        // Chunks go up four at a time: the three beside the 30th may have arrived too.
        #expect((30...33).contains(log.counts.sent), "\(log.counts)")
        #expect(try await defender.queuedCount() == 1)
        await #expect(throws: AccountError.transport(.unreachable)) { try await defender.sync() }

        try await relay.start()
        await defender.observeTransfers { progress in _ = log.record(progress) }
        log.reset()
        let summary = try await defender.sync()
        #expect(summary.sent == 2)  // the contact card and the case update
        // What the relay held is skipped (at least the 30 it confirmed), the rest sent, once each.
        #expect(log.counts.skipped >= 30 && log.counts.skipped + log.counts.sent == chunkCount, "\(log.counts)")
        #expect(try await defender.messages().first?.deliveryState == .submitted)

        #expect(try await expert.sync().downloaded == 1)
        let received = try #require(try await expert.messages().first)
        let saved = folder.appendingPathComponent("saved")
        try await expert.saveAttachment(of: received.id, index: 0, to: saved)
        #expect(try Data(contentsOf: saved) == Data(contentsOf: evidence))

        // Cut off again, and away past the upload window: the relay deleted the half blob (done
        // here in its database while it is stopped). The next sync starts a new blob.
        await defender.observeTransfers { progress in
            if progress.direction == .upload, log.record(progress) == 10 { relay.kill() }
        }
        log.reset()
        let second = try await defender.sendCaseUpdate("the video again", attachments: [OutgoingFile(url: evidence)])
        #expect(second.deliveryState == .queued)
        let database = try DatabaseQueue(path: relay.directory.appendingPathComponent("relay.sqlite").path)
        let deleted = try await database.write { db -> Int in
            try db.execute(sql: "DELETE FROM blobs")
            return db.changesCount
        }
        #expect(deleted == 1)
        try database.close()
        try await relay.start()
        await defender.observeTransfers { progress in _ = log.record(progress) }
        log.reset()
        #expect(try await defender.sync().sent == 1)
        #expect(log.counts.skipped == 0 && log.counts.sent == chunkCount)
        #expect(try await expert.sync().downloaded == 1)
    }
}
