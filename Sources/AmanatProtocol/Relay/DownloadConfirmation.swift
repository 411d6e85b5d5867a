// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// The capability with which one recipient device confirms that it has downloaded an attachment
/// blob (SPEC.md §9.4), so that only a holder of the file's key can count a download, and each
/// recipient device only once:
///
///     confirmationKey = BLAKE2b-256(key = fileKey, lp("amanat/v1/blob-confirmation") ‖ lp(IdentityKey))
///     confirmation    = BLAKE2b-256(confirmationKey)
///
/// `IdentityKey` is the recipient device's 128-byte encoding. The uploader registers the
/// `confirmation` of every recipient device when it creates the blob, in bytewise ascending
/// order; a recipient presents its `confirmationKey` after its download. The relay learns neither
/// the file key nor which device a confirmation belongs to.
public enum DownloadConfirmation {
    /// The key `recipient` presents to confirm its download of the file encrypted under `fileKey`.
    ///
    /// - Throws: ``ProtocolError/malformed`` unless `fileKey` is a secretstream key.
    public static func key(fileKey: SecureBytes, recipient: IdentityKey) throws(ProtocolError) -> SecureBytes {
        guard fileKey.count == SecretStream.keyByteCount,
            let key = try? BLAKE2b.hash(lengthPrefixed(Label.blobConfirmation, recipient.encoded), key: fileKey)
        else { throw .malformed }
        return SecureBytes(copying: key)
    }

    /// What the relay keeps of a confirmation key: its BLAKE2b-256.
    ///
    /// - Throws: ``ProtocolError/malformed`` unless `key` is 32 bytes.
    public static func digest(of key: SecureBytes) throws(ProtocolError) -> [UInt8] {
        guard key.count == byteCount, let digest = try? BLAKE2b.hash(key) else { throw .malformed }
        return digest
    }

    /// The confirmations to register for a blob whose recipient devices are `recipients`: one per
    /// distinct device, in bytewise ascending order (so their order says nothing of the
    /// recipients').
    ///
    /// - Throws: ``ProtocolError/malformed`` unless `fileKey` is a secretstream key.
    public static func digests(fileKey: SecureBytes, recipients: [IdentityKey]) throws(ProtocolError) -> [[UInt8]] {
        var digests = Set<[UInt8]>()
        for recipient in recipients {
            digests.insert(try digest(of: try key(fileKey: fileKey, recipient: recipient)))
        }
        return digests.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// The size of a confirmation key and of its digest.
    public static let byteCount = 32
}
