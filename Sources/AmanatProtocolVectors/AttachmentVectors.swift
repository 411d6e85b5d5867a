// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

// MARK: - attachments.json

/// Attachment padding and encryption (SPEC.md §9.4). libsodium draws the secretstream header at
/// random, so the stream is recorded (and kept on regeneration) and checked by decrypting.
public struct AttachmentVectors: Codable, Equatable, Sendable {
    public struct Padding: Codable, Equatable, Sendable {
        public let size: UInt64
        public let paddedSize: UInt64
        public let encryptedSize: UInt64
    }
    public struct Stream: Codable, Equatable, Sendable {
        public let comment: String
        public let key: String
        /// The file's bytes.
        public let file: String
        /// The recorded stream: header, then the padded file as one FINAL chunk.
        public let stream: String
        /// BLAKE2b-256 of the stream (the pointer's digest).
        public let digest: String
    }
    /// One recipient device's download confirmation of one file (§9.4).
    public struct Confirmation: Codable, Equatable, Sendable {
        /// The file's key (that of the stream with the same index).
        public let key: String
        /// The recipient device's name among the vector devices (§15).
        public let recipient: String
        /// Its 128-byte `IdentityKey`.
        public let identityKey: String
        public let confirmationKey: String
        /// BLAKE2b-256 of the confirmation key, what the uploader registers.
        public let confirmation: String
    }
    public let source: String
    public let padding: [Padding]
    public let streams: [Stream]
    public let confirmations: [Confirmation]

    /// The bucket rule of §9.4, written out independently of the client's code.
    static func padded(_ size: UInt64) -> UInt64 {
        var bucket: UInt64 = 256
        while bucket < size { bucket += (bucket + 19) / 20 }
        return bucket
    }

    static func encrypted(_ padded: UInt64) -> UInt64 {
        24 + padded + max(1, (padded + 65_535) / 65_536) * 17
    }

    public static func generate(previous: AttachmentVectors?) -> Self {
        let sizes: [UInt64] = [0, 1, 256, 257, 300, 1000, 65_536, 65_537, 1 << 20, 20 << 20, 1 << 30]
        let files: [(String, [UInt8])] = [
            ("an empty file: 256 zero bytes of padding", []),
            (
                "300 bytes: padded to 313",
                Array(seed("attachment-file").prefix(30)).flatMap { Array(repeating: $0, count: 10) }
            ),
        ]
        let streams = files.enumerated().map { index, item in
            let (comment, file) = item
            let key = SecureBytes(copying: seed("attachment-key-\(index)"))
            let stream: [UInt8]
            if let recorded = previous?.streams.first(where: { $0.comment == comment }),
                let bytes = bytes(hex: recorded.stream)
            {
                stream = bytes
            } else {
                var encryptor = try! SecretStream.Encryptor(key: key)
                let padded = file + [UInt8](repeating: 0, count: Int(padded(UInt64(file.count))) - file.count)
                stream = encryptor.header + (try! encryptor.encrypt(padded, isFinal: true))
            }
            return Stream(
                comment: comment, key: hex(key), file: hex(file), stream: hex(stream),
                digest: hex(try! BLAKE2b.hash(stream)))
        }
        // Written out from the spec's formula, not through DownloadConfirmation.
        let confirmations = streams.indices.flatMap { index in
            ["alice", "bob"].map { name in
                let key = SecureBytes(copying: seed("attachment-key-\(index)"))
                let identity = VectorDevice(name).identity.publicKey.encoded
                let label = Array("amanat/v1/blob-confirmation".utf8)
                let confirmationKey = try! BLAKE2b.hash(specLengthPrefixed(label, identity), key: key)
                return Confirmation(
                    key: hex(key), recipient: name, identityKey: hex(identity), confirmationKey: hex(confirmationKey),
                    confirmation: hex(try! BLAKE2b.hash(confirmationKey)))
            }
        }
        return Self(
            source: "SPEC.md §9.4; keys are BLAKE2b-256(\"amanat/v1/test-vector-seed/attachment-key-<i>\")",
            padding: sizes.map { Padding(size: $0, paddedSize: padded($0), encryptedSize: encrypted(padded($0))) },
            streams: streams, confirmations: confirmations)
    }
}
