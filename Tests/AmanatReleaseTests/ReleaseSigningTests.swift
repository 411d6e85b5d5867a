// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatRelease
import Foundation
import Testing

/// A key and a signed manifest made by signify itself (`signify-openbsd` 30 from Debian 12:
/// `signify-openbsd -G -n -c "amanat release test vector key" -p vec.pub -s vec.sec`, then
/// `signify-openbsd -S -e -s vec.sec -m SHA256SUMS -x SHA256SUMS.sig`): our files must be the
/// same bytes, so that a defender can check a release with signify as well as with our tool.
enum SignifyVector {
    static let publicKey = """
        untrusted comment: amanat release test vector key public key
        RWQ6d2nv9dlxNwjcT35fOfOJwKXDapo4DXVxyidKRQGYdWOYfTEcGGoB

        """
    /// signify's secret key file without a passphrase (`-n`): "Ed" ‖ "BK" ‖ rounds 0 ‖ salt[16] ‖
    /// checksum[8] ‖ key id[8] ‖ seed[32] ‖ public key[32].
    static let secretKeyLine =
        "RWRCSwAAAAA6kq6qavkTNjS6V09qgGfd6a0U2MjCYLM6d2nv9dlxN3E9snhrFR7AwsQUpzAkIhxfduz8+XlnBgc/Q1lMu9soCNxPfl8584nApcNqmjgNdXHKJ0pFAZh1Y5h9MRwYagE="
    static let manifest =
        "SHA256 (amanat_0.1.0_amd64.deb) = 2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\n"
    static let signature = """
        untrusted comment: verify with vec.pub
        RWQ6d2nv9dlxN1nlhmOP8/HiTdupyaMvuvjYg1bWfP7NVgNFGXMN1QpbLRJFCl5CqN/0iCtMDvInK1XyLHqvv6iKp6CGDThCMwE=

        """ + manifest

    static func secretKey() throws -> ReleaseSecretKey {
        let blob = Array(Data(base64Encoded: secretKeyLine)!)
        return try ReleaseSecretKey(keyNumber: Array(blob[32..<40]), seed: SecureBytes(copying: blob[40..<72]))
    }
}

@Suite("Release signing")
struct ReleaseSigningTests {
    @Test("our key and signature files are signify's, byte for byte, and signify's verify with ours")
    func signifyInterop() throws {
        let publicKey = try ReleasePublicKey(file: Array(SignifyVector.publicKey.utf8))
        #expect(publicKey.line == "RWQ6d2nv9dlxNwjcT35fOfOJwKXDapo4DXVxyidKRQGYdWOYfTEcGGoB")
        #expect(publicKey.keyID == "3a7769eff5d97137")
        let secretKey = try SignifyVector.secretKey()
        #expect(secretKey.publicKey == publicKey)
        #expect(
            publicKey.file(comment: "amanat release test vector key public key") == Array(SignifyVector.publicKey.utf8))

        let manifest = try ReleaseManifest(text: Array(SignifyVector.manifest.utf8)[...])
        #expect(manifest.text == Array(SignifyVector.manifest.utf8))
        let signed = SignedRelease.signatureFile(for: manifest, key: secretKey, keyName: "vec.pub")
        #expect(signed == Array(SignifyVector.signature.utf8))
        #expect(
            try SignedRelease.verifiedManifest(
                Array(SignifyVector.signature.utf8), key: publicKey, keyName: "vec.pub")
                == manifest)
    }

    @Test("a signature file with any one byte changed is refused, whichever byte and however changed")
    func everyByteCounts() throws {
        let publicKey = try ReleasePublicKey(file: Array(SignifyVector.publicKey.utf8))
        let original = Array(SignifyVector.signature.utf8)
        var refusals: [String: Int] = [:]
        for index in original.indices {
            for change: UInt8 in [0x01, 0x20, 0x80] {
                var changed = original
                changed[index] ^= change
                do {
                    _ = try SignedRelease.verifiedManifest(changed, key: publicKey, keyName: "vec.pub")
                    Issue.record("byte \(index) ^ \(change) was accepted")
                } catch {
                    refusals[String(describing: error).prefix(12).description, default: 0] += 1
                }
            }
        }
        // Each kind of refusal shows up: the comment, the encoding, the key id, the signature.
        #expect(refusals.keys.contains { $0.hasPrefix("malformed") })
        #expect(refusals.keys.contains { $0.hasPrefix("the signatur") })
        #expect(refusals.keys.contains { $0.hasPrefix("signed by an") })
        // A byte cut off or added at the end is refused too.
        #expect(throws: ReleaseError.self) {
            try SignedRelease.verifiedManifest(original.dropLast(), key: publicKey, keyName: "vec.pub")
        }
        #expect(throws: ReleaseError.self) {
            try SignedRelease.verifiedManifest(original + [0x0A], key: publicKey, keyName: "vec.pub")
        }
    }

    @Test("another key's signature is refused by key id; a forged one with the right id does not verify")
    func otherKeys() throws {
        let publicKey = try ReleasePublicKey(file: Array(SignifyVector.publicKey.utf8))
        let manifest = try ReleaseManifest(text: Array(SignifyVector.manifest.utf8)[...])
        let stranger = ReleaseSecretKey.generate()
        let foreign = SignedRelease.signatureFile(for: manifest, key: stranger, keyName: "vec.pub")
        #expect(throws: ReleaseError.otherKey(expected: "3a7769eff5d97137", found: stranger.publicKey.keyID)) {
            try SignedRelease.verifiedManifest(foreign, key: publicKey, keyName: "vec.pub")
        }
        let impostor = try ReleaseSecretKey(keyNumber: publicKey.keyNumber, seed: SecureBytes.random(count: 32))
        let forged = SignedRelease.signatureFile(for: manifest, key: impostor, keyName: "vec.pub")
        #expect(throws: ReleaseError.badSignature) {
            try SignedRelease.verifiedManifest(forged, key: publicKey, keyName: "vec.pub")
        }
    }

    @Test("the secret key file opens with its passphrase only, and says nothing of the key")
    func secretKeyFile() throws {
        let key = ReleaseSecretKey.generate()
        let passphrase = SecureBytes(copying: Array("correct horse battery staple".utf8))
        let file = try key.file(passphrase: passphrase, cost: .interactive, comment: "test secret key")
        let opened = try ReleaseSecretKey(file: file, passphrase: passphrase)
        #expect(opened.publicKey == key.publicKey)
        #expect(!String(describing: key).contains(key.publicKey.line))
        #expect(throws: ReleaseError.wrongPassphrase) {
            try ReleaseSecretKey(file: file, passphrase: SecureBytes(copying: Array("wrong".utf8)))
        }
        var changed = file
        changed[changed.count - 5] ^= 0x01
        #expect(throws: ReleaseError.self) { try ReleaseSecretKey(file: changed, passphrase: passphrase) }
        #expect(throws: ReleaseError.self) { try ReleaseSecretKey(file: Array("garbage".utf8), passphrase: passphrase) }
    }

    @Test("a release directory: files checked, a changed, missing or extra package refused")
    func directory() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("release-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = ["amanat_1.0.0_amd64.deb", "amanat-relay_1.0.0_amd64.deb"]
        for (index, name) in names.enumerated() {
            try Data(repeating: UInt8(index), count: 3_000_000 + index).write(to: folder.appendingPathComponent(name))
        }
        let key = ReleaseSecretKey.generate()
        let manifest = try ReleaseManifest(hashing: names, in: folder)
        #expect(manifest.entries.map(\.name) == names.sorted())
        try Data(manifest.text).write(to: folder.appendingPathComponent(SignedRelease.manifestName))
        try Data(SignedRelease.signatureFile(for: manifest, key: key, keyName: "k.pub")).write(
            to: folder.appendingPathComponent(SignedRelease.signatureName))

        var checked: [String] = []
        try SignedRelease.check(directory: folder, key: key.publicKey, keyName: "k.pub") { checked.append($0) }
        #expect(checked == names.sorted())

        // One byte of a package changed.
        let package = folder.appendingPathComponent(names[1])
        var bytes = try Data(contentsOf: package)
        bytes[1_500_000] ^= 0x01
        try bytes.write(to: package)
        #expect(throws: ReleaseError.checksumMismatch(names[1])) {
            try SignedRelease.check(directory: folder, key: key.publicKey, keyName: "k.pub")
        }
        bytes[1_500_000] ^= 0x01
        try bytes.write(to: package)

        // The plain manifest changed (the signed copy is what counts, and they must agree).
        let plain = folder.appendingPathComponent(SignedRelease.manifestName)
        var text = try Data(contentsOf: plain)
        text[10] ^= 0x01
        try text.write(to: plain)
        #expect(throws: ReleaseError.manifestDiffers) {
            try SignedRelease.check(directory: folder, key: key.publicKey, keyName: "k.pub")
        }
        try FileManager.default.removeItem(at: plain)
        try SignedRelease.check(directory: folder, key: key.publicKey, keyName: "k.pub")

        // Anything slipped in beside the signed files: a package, a script, a name that only looks
        // like a listed one (another byte sequence for the same characters).
        let lookalike = "amanat_1.0.0_amd64.deb".replacingOccurrences(of: "a", with: "a\u{301}")
        for stray in ["amanat-inbox_1.0.0_amd64.deb", "install.sh", "X.DEB", lookalike] {
            try Data([1, 2, 3]).write(to: folder.appendingPathComponent(stray))
            #expect(throws: ReleaseError.unlisted(stray)) {
                try SignedRelease.check(directory: folder, key: key.publicKey, keyName: "k.pub")
            }
            try FileManager.default.removeItem(at: folder.appendingPathComponent(stray))
        }
        // A listed name that is a link or a pipe instead of a file is not read.
        try FileManager.default.moveItem(at: package, to: folder.appendingPathComponent("moved"))
        try FileManager.default.createSymbolicLink(
            at: package, withDestinationURL: folder.appendingPathComponent("moved"))
        #expect(throws: ReleaseError.missing(names[1])) {
            try ReleaseManifest(text: manifest.text[...]).check(in: folder)
        }
        try FileManager.default.removeItem(at: package)
        #expect(mkfifo(package.path, 0o600) == 0)
        #expect(throws: ReleaseError.missing(names[1])) {
            try ReleaseManifest(text: manifest.text[...]).check(in: folder)
        }
        try FileManager.default.removeItem(at: package)
        try FileManager.default.moveItem(at: folder.appendingPathComponent("moved"), to: package)
        try SignedRelease.check(directory: folder, key: key.publicKey, keyName: "k.pub")
        try FileManager.default.removeItem(at: package)
        #expect(throws: ReleaseError.missing(names[1])) {
            try SignedRelease.check(directory: folder, key: key.publicKey, keyName: "k.pub")
        }
    }

    @Test("files are created, never written over, and read only when regular and small")
    func files() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("release-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("k.sec").path
        try ReleaseFiles.create(path, [1, 2, 3], mode: 0o600)
        #expect(try ReleaseFiles.read(path) == [1, 2, 3])
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        #expect(throws: ReleaseError.cannotWrite(path)) { try ReleaseFiles.create(path, [4], mode: 0o600) }
        #expect(try ReleaseFiles.read(path) == [1, 2, 3])
        let link = folder.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        #expect(throws: ReleaseError.cannotWrite(link)) { try ReleaseFiles.create(link, [4], mode: 0o600) }
        #expect(throws: ReleaseError.missing(link)) { try ReleaseFiles.read(link) }
        #expect(throws: ReleaseError.self) { try ReleaseFiles.read(path, limit: 2) }
        #expect(throws: ReleaseError.missing("/dev/zero")) { try ReleaseFiles.read("/dev/zero") }
    }

    @Test("a name or text from a release folder cannot redraw the terminal")
    func visibleRefusals() {
        let name = "a.deb\r\u{1B}[2KAll 3 files match"
        let refusal = String(describing: ReleaseError.unlisted(name))
        #expect(!refusal.contains("\u{1B}") && !refusal.contains("\r"))
        #expect(refusal.contains("\\u{1b}[2KAll 3 files match"))
    }

    @Test("manifests with folders, control characters, duplicates or bad digests are refused")
    func malformedManifests() {
        let digest = String(repeating: "ab", count: 32)
        for text in [
            "SHA256 (../etc/passwd) = \(digest)\n", "SHA256 (a\u{1B}[2Jb.deb) = \(digest)\n",
            "SHA256 (x/\u{301}y.deb) = \(digest)\n", "SHA256 (a\u{85}.deb) = \(digest)\n",
            "SHA256 (a.deb) = \(digest)\nSHA256 (a.deb) = \(digest)\n", "SHA256 (a.deb) = \(digest.dropLast())\n",
            "SHA256 (a.deb) = \(digest.uppercased())\n", "SHA512 (a.deb) = \(digest)\n", "SHA256 (a.deb) = \(digest)",
            "", "\n",
        ] {
            #expect(throws: ReleaseError.self, "\(text)") { try ReleaseManifest(text: Array(text.utf8)[...]) }
        }
    }
}
