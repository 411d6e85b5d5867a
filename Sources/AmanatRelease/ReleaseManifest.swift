// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Crypto
import Foundation

/// A release's manifest: one `SHA256 (NAME) = HEX` line per file, sorted by name, in the tagged
/// form `sha256sum --tag` writes and both `sha256sum -c` and `signify -C` read. Names are plain
/// file names in the release directory: no folders, no control characters.
public struct ReleaseManifest: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public let name: String
        /// The file's SHA-256, 32 bytes.
        public let digest: [UInt8]
    }

    public let entries: [Entry]

    /// The manifest's text, the bytes that are signed.
    public var text: [UInt8] {
        Array(entries.map { "SHA256 (\($0.name)) = \(Hex.encode($0.digest))\n" }.joined().utf8)
    }

    /// The manifest of `names` in `directory`, hashing each file.
    public init(hashing names: [String], in directory: URL) throws(ReleaseError) {
        var entries: [Entry] = []
        // Sorted and told apart by their bytes: Swift's String compares canonical equivalents as equal.
        for name in Set(names.map { Array($0.utf8) }).sorted(by: { $0.lexicographicallyPrecedes($1) }).map({
            String(decoding: $0, as: UTF8.self)
        }) {
            try Self.checkName(name)
            entries.append(Entry(name: name, digest: try Self.sha256(of: directory.appendingPathComponent(name))))
        }
        guard !entries.isEmpty else { throw .missing("files to sign in \(directory.path)") }
        self.entries = entries
    }

    /// Reads a manifest's text; refuses anything that is not exactly such lines.
    public init(text bytes: ArraySlice<UInt8>) throws(ReleaseError) {
        guard let text = String(bytes: bytes, encoding: .utf8), text.hasSuffix("\n") else {
            throw .malformed("the manifest is not lines of UTF-8 text")
        }
        var entries: [Entry] = []
        for line in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("SHA256 ("), let close = line.range(of: ") = ", options: .backwards) else {
                throw .malformed("manifest line is not 'SHA256 (NAME) = HEX': \(line.prefix(80))")
            }
            let name = String(line[line.index(line.startIndex, offsetBy: 8)..<close.lowerBound])
            let hexText = line[close.upperBound...]
            try Self.checkName(name)
            // Lowercase only, as written: the one spelling of each digest.
            guard let digest = Hex.decode(String(hexText)), digest.count == 32, Hex.encode(digest) == hexText else {
                throw .malformed("manifest line for \(name) has no SHA-256 in hex")
            }
            guard !entries.contains(where: { Array($0.name.utf8) == Array(name.utf8) }) else {
                throw .malformed("\(name) is listed twice")
            }
            entries.append(Entry(name: name, digest: digest))
        }
        guard !entries.isEmpty else { throw .malformed("the manifest lists no file") }
        self.entries = entries
    }

    /// Checks every listed file in `directory` against its digest, in order, calling `checked` after
    /// each; throws at the first that is missing or differs.
    public func check(in directory: URL, checked: (String) -> Void = { _ in }) throws(ReleaseError) {
        for entry in entries {
            let digest = try Self.sha256(of: directory.appendingPathComponent(entry.name))
            guard ConstantTime.equals(digest, entry.digest) else { throw .checksumMismatch(entry.name) }
            checked(entry.name)
        }
    }

    /// A plain file name: checked on its bytes (a "/" followed by a combining mark is still a "/"
    /// to the file system), no control characters, not "." or "..".
    static func checkName(_ name: String) throws(ReleaseError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes != [0x2E], bytes != [0x2E, 0x2E], !bytes.contains(0x2F),
            name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) })
        else { throw .malformed("'\(name.prefix(80))' is not a plain file name") }
    }

    /// SHA-256 of a regular file (not a link, pipe or device), read in 1 MiB pieces.
    static func sha256(of url: URL) throws(ReleaseError) -> [UInt8] {
        guard ReleaseFiles.regularFileSize(url.path) != nil, let handle = try? FileHandle(forReadingFrom: url) else {
            throw .missing(url.lastPathComponent)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let piece: Data?
            do { piece = try handle.read(upToCount: 1 << 20) } catch { throw .missing(url.lastPathComponent) }
            guard let piece, !piece.isEmpty else { break }
            hasher.update(data: piece)
        }
        return Array(hasher.finalize())
    }
}

/// A signed release: `SHA256SUMS.sig`, signify's signature file with the manifest embedded after it
/// (what `signify -S -e` writes and `signify -C` checks), beside a plain `SHA256SUMS` for
/// `sha256sum -c`.
public enum SignedRelease {
    public static let manifestName = "SHA256SUMS"
    public static let signatureName = "SHA256SUMS.sig"
    /// The name signify's comment gives the key to verify with ("verify with NAME"), whatever the
    /// key file is called where it is checked.
    public static let keyName = "amanat-release.pub"

    /// The signature file's text: the manifest signed by `key`, embedded.
    public static func signatureFile(for manifest: ReleaseManifest, key: ReleaseSecretKey, keyName: String = keyName)
        -> [UInt8]
    {
        let text = manifest.text
        return SignifyFile.write(
            comment: "verify with " + SignifyFile.cleanComment(keyName), blob: key.signatureBlob(for: text)) + text
    }

    /// The manifest in `signatureFile`, once its signature verifies under `key`. signify's comment
    /// line is not signed; it must read "verify with `keyName`" exactly, so that no byte of the
    /// file can change unnoticed. (It is not echoed: it is text from whoever made the file.)
    public static func verifiedManifest(_ signatureFile: [UInt8], key: ReleasePublicKey, keyName: String = keyName)
        throws(ReleaseError) -> ReleaseManifest
    {
        let (comment, blob, message) = try SignifyFile.read(signatureFile, blobByteCount: 74, what: "signature")
        guard comment == "verify with " + keyName else {
            throw .malformed("the signature file's comment line is not 'verify with \(keyName)'")
        }
        let keyNumber = Array(blob[2..<10])
        guard keyNumber == key.keyNumber else { throw .otherKey(expected: key.keyID, found: Hex.encode(keyNumber)) }
        guard key.key.isValidSignature(Array(blob[10...]), for: Array(message)) else { throw .badSignature }
        return try ReleaseManifest(text: message)
    }

    /// Checks a release directory: the signature over the embedded manifest, a plain manifest
    /// beside it (if any) equal to the signed one, nothing else in the directory that the manifest
    /// leaves out (a package, a script, a "read me" with instructions), and every listed file's
    /// SHA-256. Returns the manifest.
    @discardableResult
    public static func check(
        directory: URL, key: ReleasePublicKey, keyName: String = keyName, checked: (String) -> Void = { _ in }
    ) throws(ReleaseError) -> ReleaseManifest {
        let signature = try ReleaseFiles.read(directory.appendingPathComponent(signatureName).path)
        let manifest = try verifiedManifest(signature, key: key, keyName: keyName)
        let plainPath = directory.appendingPathComponent(manifestName).path
        if FileManager.default.fileExists(atPath: plainPath), try ReleaseFiles.read(plainPath) != manifest.text {
            throw .manifestDiffers
        }
        // Names compared by their bytes, not as Swift strings (which equate canonical equivalents).
        let expected = Set((manifest.entries.map(\.name) + [manifestName, signatureName]).map { Array($0.utf8) })
        if let stray = try ReleaseFiles.names(in: directory).sorted().first(where: {
            !expected.contains(Array($0.utf8))
        }) {
            throw .unlisted(stray)
        }
        try manifest.check(in: directory, checked: checked)
        return manifest
    }
}
