// SPDX-License-Identifier: AGPL-3.0-or-later

// `amanat-release`: the release key, and signing and checking a release directory's manifest.
// scripts/release-sign and scripts/release-verify run it; see README ("Checking a package").

import AmanatCrypto
import AmanatRelease
import AmanatTerminal
import ArgumentParser
import Foundation

@main
struct AmanatReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amanat-release",
        abstract: "Sign and check Amanat releases: SHA256SUMS signed with an Ed25519 release key (signify format).",
        discussion: """
            Exit codes: 0 checked or written; 64 usage; 65 a malformed key, signature or manifest; \
            66 a missing file; 73 a file that cannot be written (nothing is overwritten); 76 a signature \
            or checksum that does not verify, or a package the manifest does not list; 77 wrong passphrase.
            """,
        subcommands: [KeyGeneration.self, Sign.self, Verify.self])

    static func fail(_ error: ReleaseError) -> ExitCode {
        FileHandle.standardError.write(Data("amanat-release: \(error)\n".utf8))
        return ExitCode(error.exitCode)
    }

    static func read(_ path: String) throws(ReleaseError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .missing(path) }
        return Array(data)
    }

    /// Writes `bytes` to a new file at `path` (never over an existing one) with `mode`.
    static func create(_ path: String, _ bytes: [UInt8], mode: Int) throws(ReleaseError) {
        guard
            FileManager.default.createFile(
                atPath: path, contents: nil, attributes: [.posixPermissions: mode]),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw .cannotWrite(path) }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: bytes)
            try handle.synchronize()
        } catch { throw .cannotWrite(path) }
    }
}

/// Where a passphrase comes from: the terminal, or a file descriptor for scripts.
struct PassphraseOptions: ParsableArguments {
    @Option(help: "Read the passphrase from this file descriptor instead of the terminal (one line).")
    var passphraseFd: Int32?

    func passphrase(_ prompt: String) throws(ExitCode) -> SecureBytes {
        let passphrase =
            passphraseFd.flatMap(Terminal.readLine(fd:)) ?? (passphraseFd == nil ? Terminal.prompt(prompt) : nil)
        guard let passphrase, passphrase.count > 0 else {
            throw AmanatReleaseCommand.fail(.missing("a passphrase (no terminal, or nothing on --passphrase-fd)"))
        }
        return passphrase
    }
}

extension AmanatReleaseCommand {
    struct KeyGeneration: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen", abstract: "Make a release key pair; the secret key is sealed under a passphrase.")

        @Option(help: "The public key file to write (publish it; README prints its key line).")
        var publicKey: String
        @Option(help: "The secret key file to write (mode 0600; keep it offline).")
        var secretKey: String
        @Option(help: "The comment in the key files.")
        var comment = "amanat release key"
        @OptionGroup var passphrase: PassphraseOptions

        func run() throws {
            let first = try passphrase.passphrase("Passphrase for the new release key: ")
            if passphrase.passphraseFd == nil {
                guard let again = Terminal.prompt("The same passphrase again: "), again == first else {
                    throw AmanatReleaseCommand.fail(.wrongPassphrase)
                }
            }
            let key = ReleaseSecretKey.generate()
            do throws(ReleaseError) {
                let sealed = try key.file(passphrase: first, comment: comment + " secret key")
                try AmanatReleaseCommand.create(secretKey, sealed, mode: 0o600)
                try AmanatReleaseCommand.create(
                    publicKey, key.publicKey.file(comment: comment + " public key"), mode: 0o644)
            } catch { throw AmanatReleaseCommand.fail(error) }
            print(key.publicKey.line)
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write SHA256SUMS and SHA256SUMS.sig for the files in a release directory.",
            discussion: "Every regular file in the directory is listed, except SHA256SUMS, SHA256SUMS.sig and "
                + "hidden files. Existing SHA256SUMS files are refused, not overwritten.")

        @Option(help: "The secret key file.")
        var secretKey: String
        @Option(help: "The public key file's name, written into the signature's comment.")
        var publicKeyName = "amanat-release.pub"
        @OptionGroup var passphrase: PassphraseOptions
        @Argument(help: "The release directory.")
        var directory: String

        func run() throws {
            let folder = URL(fileURLWithPath: directory, isDirectory: true)
            do {
                let file = try AmanatReleaseCommand.read(secretKey)
                let key = try ReleaseSecretKey(
                    file: file, passphrase: try passphrase.passphrase("Release key passphrase: "))
                let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { name in
                    var isDirectory: ObjCBool = false
                    return !name.hasPrefix(".")
                        && ![SignedRelease.manifestName, SignedRelease.signatureName].contains(name)
                        && FileManager.default.fileExists(
                            atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
                        && !isDirectory.boolValue
                }
                let manifest = try ReleaseManifest(hashing: names, in: folder)
                try AmanatReleaseCommand.create(
                    folder.appendingPathComponent(SignedRelease.manifestName).path, manifest.text, mode: 0o644)
                try AmanatReleaseCommand.create(
                    folder.appendingPathComponent(SignedRelease.signatureName).path,
                    SignedRelease.signatureFile(for: manifest, key: key, publicKeyName: publicKeyName), mode: 0o644)
                print("Signed \(manifest.entries.count) files with key \(key.publicKey.keyID)")
            } catch let error as ReleaseError {
                throw AmanatReleaseCommand.fail(error)
            } catch let error as ExitCode {
                throw error
            } catch {
                throw AmanatReleaseCommand.fail(.missing(directory))
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a release directory against its signed manifest before installing anything from it.",
            discussion: "Checks SHA256SUMS.sig with the release public key, that SHA256SUMS (if present) is the "
                + "signed text, every listed file's SHA-256, and that no .deb in the directory is left out.")

        @Option(help: "The release public key file.")
        var publicKey: String
        @Argument(help: "The release directory.")
        var directory: String

        func run() throws {
            do throws(ReleaseError) {
                let key = try ReleasePublicKey(file: try AmanatReleaseCommand.read(publicKey))
                let manifest = try SignedRelease.check(
                    directory: URL(fileURLWithPath: directory, isDirectory: true), key: key,
                    keyFileName: URL(fileURLWithPath: publicKey).lastPathComponent
                ) { print("OK  \($0)") }
                print("All \(manifest.entries.count) files match the manifest signed by release key \(key.keyID).")
            } catch { throw AmanatReleaseCommand.fail(error) }
        }
    }
}
