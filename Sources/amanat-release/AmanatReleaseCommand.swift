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
            or checksum that does not verify, or a file the manifest does not list; 77 wrong passphrase.
            """,
        subcommands: [KeyGeneration.self, Sign.self, Verify.self])

    static func fail(_ error: ReleaseError) -> ExitCode {
        FileHandle.standardError.write(Data("amanat-release: \(error)\n".utf8))
        return ExitCode(error.exitCode)
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
            let first = try passphrase.passphrase("Passphrase for the new release key (12 characters or more): ")
            guard first.count >= 12 else {
                throw AmanatReleaseCommand.fail(.malformed("a release key's passphrase has 12 characters or more"))
            }
            if passphrase.passphraseFd == nil {
                guard let again = Terminal.prompt("The same passphrase again: "), again == first else {
                    throw AmanatReleaseCommand.fail(.wrongPassphrase)
                }
            }
            let key = ReleaseSecretKey.generate()
            do throws(ReleaseError) {
                let sealed = try key.file(passphrase: first, comment: comment + " secret key")
                try ReleaseFiles.create(secretKey, sealed, mode: 0o600)
                try ReleaseFiles.create(
                    publicKey, key.publicKey.file(comment: comment + " public key"), mode: 0o644)
            } catch { throw AmanatReleaseCommand.fail(error) }
            print(key.publicKey.line)
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write SHA256SUMS and SHA256SUMS.sig for the files in a release directory.",
            discussion: "Every file in the directory is listed, except SHA256SUMS and SHA256SUMS.sig, which must "
                + "not exist yet: nothing is overwritten.")

        @Option(help: "The secret key file.")
        var secretKey: String
        @OptionGroup var passphrase: PassphraseOptions
        @Argument(help: "The release directory.")
        var directory: String

        func run() throws {
            let folder = URL(fileURLWithPath: directory, isDirectory: true)
            do {
                let file = try ReleaseFiles.read(secretKey)
                let key = try ReleaseSecretKey(
                    file: file, passphrase: try passphrase.passphrase("Release key passphrase: "))
                // Everything in the folder, as verify expects (a link, a pipe or a folder is refused).
                let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
                    ![SignedRelease.manifestName, SignedRelease.signatureName].contains($0)
                }
                let manifest = try ReleaseManifest(hashing: names, in: folder)
                for name in [SignedRelease.manifestName, SignedRelease.signatureName]
                where FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) {
                    throw ReleaseError.cannotWrite(folder.appendingPathComponent(name).path)
                }
                try ReleaseFiles.create(
                    folder.appendingPathComponent(SignedRelease.manifestName).path, manifest.text, mode: 0o644)
                try ReleaseFiles.create(
                    folder.appendingPathComponent(SignedRelease.signatureName).path,
                    SignedRelease.signatureFile(for: manifest, key: key), mode: 0o644)
                print("Signed \(manifest.entries.count) files with the key \(key.publicKey.line)")
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
                + "signed text, that the directory holds nothing the manifest leaves out, and every listed file's "
                + "SHA-256. Copy the folder to your own disk first and check the copy: a USB stick can show "
                + "different bytes on a second read.")

        @Option(help: "The release public key file.")
        var publicKey: String
        @Argument(help: "The release directory.")
        var directory: String

        func run() throws {
            do throws(ReleaseError) {
                let key = try ReleasePublicKey(file: try ReleaseFiles.read(publicKey))
                let manifest = try SignedRelease.check(
                    directory: URL(fileURLWithPath: directory, isDirectory: true), key: key
                ) { print("OK  \($0)") }
                // The whole key, not its id: signify's key id is chosen by whoever makes a key.
                print("All \(manifest.entries.count) files match the manifest signed by the key \(key.line).")
                print("Install only the files listed OK above, and only if that is the release key you trust.")
            } catch { throw AmanatReleaseCommand.fail(error) }
        }
    }
}
