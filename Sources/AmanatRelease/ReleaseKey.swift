// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation

/// What checking or signing a release can refuse, with the exit code (sysexits.h) the tool gives.
public enum ReleaseError: Error, Equatable, CustomStringConvertible {
    /// A key, signature or manifest file that is not in its format (the reason says where).
    case malformed(String)
    /// A file that should be there is not, or cannot be read.
    case missing(String)
    /// The signature was made by another key than the one given.
    case otherKey(expected: String, found: String)
    /// The signature does not verify: the signed text or the signature was changed.
    case badSignature
    /// A file's SHA-256 differs from the signed manifest's.
    case checksumMismatch(String)
    /// A package in the directory that the signed manifest does not list.
    case unlisted(String)
    /// A plain SHA256SUMS beside the signature that differs from the signed copy.
    case manifestDiffers
    /// The passphrase does not open the secret key (or the key file was changed).
    case wrongPassphrase
    /// A file could not be written (or exists already and is kept).
    case cannotWrite(String)

    /// The refusal in a sentence; names from a release folder are shown with their control
    /// characters escaped, so that none can redraw the terminal.
    public var description: String {
        switch self {
        case .malformed(let what): "malformed: \(visible(what))"
        case .missing(let name): "missing, unreadable or not a regular file: \(visible(name))"
        case .otherKey(let expected, let found):
            "signed by another key (key id \(found)), not the release key given (key id \(expected))"
        case .badSignature: "the signature does not verify: the manifest or its signature was changed"
        case .checksumMismatch(let name):
            "\(visible(name)): its SHA-256 differs from the signed manifest; do not install it"
        case .unlisted(let name):
            "\(visible(name)) is not in the signed manifest; do not use it (a release folder holds only what it lists)"
        case .manifestDiffers: "SHA256SUMS differs from the signed copy in SHA256SUMS.sig"
        case .wrongPassphrase: "the passphrase does not open this secret key"
        case .cannotWrite(let name): "cannot write \(visible(name)) (something is there already, or no access)"
        }
    }

    /// The exit code for this refusal.
    public var exitCode: Int32 {
        switch self {
        case .malformed: 65
        case .missing: 66
        case .otherKey, .badSignature, .checksumMismatch, .unlisted, .manifestDiffers: 76
        case .wrongPassphrase: 77
        case .cannotWrite: 73
        }
    }
}

/// The text files release keys and signatures live in, as signify (OpenBSD) writes them, so that
/// `signify-openbsd` from Debian checks our releases too: an "untrusted comment: " line, then one
/// line of standard base64, then (for a signature with its message embedded) the message.
enum SignifyFile {
    static let commentPrefix = "untrusted comment: "
    /// "Ed": the Ed25519 algorithm tag that starts every signify blob.
    static let algorithm: [UInt8] = [0x45, 0x64]
    static let keyNumberByteCount = 8
    static let maximumByteCount = ReleaseFiles.smallFileLimit

    /// Splits `bytes` into the comment, the decoded blob (exactly `blobByteCount` bytes, starting
    /// with `algorithm`) and the rest (an embedded message, or nothing).
    static func read(
        _ bytes: [UInt8], blobByteCount: Int, what: String, algorithm: [UInt8] = SignifyFile.algorithm
    ) throws(ReleaseError) -> (comment: String, blob: [UInt8], rest: ArraySlice<UInt8>) {
        guard bytes.count <= maximumByteCount else { throw .malformed("\(what) is too large") }
        guard let first = bytes.firstIndex(of: 0x0A),
            let second = bytes[(first + 1)...].firstIndex(of: 0x0A),
            let commentLine = String(bytes: bytes[..<first], encoding: .utf8),
            commentLine.hasPrefix(commentPrefix)
        else { throw .malformed("\(what) does not start with an 'untrusted comment:' line and a key line") }
        guard let text = String(bytes: bytes[(first + 1)..<second], encoding: .ascii),
            let blob = Data(base64Encoded: text).map(Array.init),
            // Only the one encoding of the blob: base64's spare bits and padding can change nothing.
            Data(blob).base64EncodedString() == text,
            blob.count == blobByteCount, Array(blob.prefix(algorithm.count)) == algorithm
        else { throw .malformed("\(what) file does not hold one in base64 on its second line") }
        return (String(commentLine.dropFirst(commentPrefix.count)), blob, bytes[(second + 1)...])
    }

    static func write(comment: String, blob: [UInt8]) -> [UInt8] {
        Array((commentPrefix + comment + "\n" + Data(blob).base64EncodedString() + "\n").utf8)
    }

    /// A single line of comment: no line breaks or other control characters.
    static func cleanComment(_ comment: String) -> String {
        String(comment.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }
}

/// A release public key: signify's format (`Ed` ‖ 8-byte key id ‖ 32-byte Ed25519 public key).
public struct ReleasePublicKey: Equatable, Sendable {
    /// The key id signify writes into each signature, to tell keys apart; not secret.
    public let keyNumber: [UInt8]
    public let key: Ed25519.PublicKey

    /// signify's blob: `Ed` ‖ key id ‖ public key.
    var blob: [UInt8] { SignifyFile.algorithm + keyNumber + key.rawRepresentation }

    /// The key line of the public key file: what README and SECURITY.md print as the key.
    public var line: String { Data(blob).base64EncodedString() }

    /// The key id in hex, as refusals name it.
    public var keyID: String { Hex.encode(keyNumber) }

    public init(keyNumber: [UInt8], key: Ed25519.PublicKey) {
        self.keyNumber = keyNumber
        self.key = key
    }

    /// Reads a public key file (`… .pub`).
    public init(file bytes: [UInt8]) throws(ReleaseError) {
        let (_, blob, rest) = try SignifyFile.read(bytes, blobByteCount: 42, what: "public key")
        guard rest.allSatisfy({ $0 == 0x0A }) else { throw .malformed("public key file has text after the key") }
        do {
            self.init(keyNumber: Array(blob[2..<10]), key: try Ed25519.PublicKey(rawRepresentation: Array(blob[10...])))
        } catch {
            throw .malformed("public key is not an Ed25519 key")
        }
    }

    /// The public key file's text.
    public func file(comment: String) -> [UInt8] {
        SignifyFile.write(comment: SignifyFile.cleanComment(comment), blob: blob)
    }
}

/// A release signing key. Its file is ours, not signify's (signify seals with bcrypt_pbkdf and a
/// XOR): the key id and the Ed25519 seed, sealed with XChaCha20-Poly1305 under a key Argon2id
/// derives from the passphrase:
///
///     "untrusted comment: " comment "\n"
///     base64("AmRS" ‖ operations u32 ‖ memory KiB u32 ‖ salt[16] ‖ nonce[24] ‖
///            XChaCha20-Poly1305(key id[8] ‖ seed[32], associated data = everything before it)) "\n"
///
/// The cost is in the file, so a file stays readable if the default cost changes; the default is
/// libsodium's "sensitive" (1 GiB), as for the organisation root key.
public struct ReleaseSecretKey: Sendable, CustomStringConvertible {
    static let magic: [UInt8] = Array("AmRS".utf8)
    static let headerByteCount = 4 + 4 + 4 + 16 + 24
    static let fileBlobByteCount = headerByteCount + 8 + 32 + 16

    public let publicKey: ReleasePublicKey
    let signingKey: Ed25519.PrivateKey

    public var description: String { "ReleaseSecretKey(key id \(publicKey.keyID), redacted)" }

    /// A new key pair with a random key id.
    public static func generate() -> ReleaseSecretKey {
        let signingKey = Ed25519.PrivateKey()
        return ReleaseSecretKey(
            publicKey: ReleasePublicKey(keyNumber: SecureRandom.bytes(count: 8), key: signingKey.publicKey),
            signingKey: signingKey)
    }

    /// The key with this id and seed (the test vectors'; a real key comes from ``generate()``).
    public init(keyNumber: [UInt8], seed: SecureBytes) throws(ReleaseError) {
        guard keyNumber.count == SignifyFile.keyNumberByteCount, let signingKey = try? Ed25519.PrivateKey(seed: seed)
        else { throw .malformed("a key id is 8 bytes and a seed 32") }
        self.init(publicKey: ReleasePublicKey(keyNumber: keyNumber, key: signingKey.publicKey), signingKey: signingKey)
    }

    init(publicKey: ReleasePublicKey, signingKey: Ed25519.PrivateKey) {
        self.publicKey = publicKey
        self.signingKey = signingKey
    }

    /// Opens a secret key file with `passphrase`.
    public init(file bytes: [UInt8], passphrase: SecureBytes) throws(ReleaseError) {
        let (_, blob, rest) = try SignifyFile.read(
            bytes, blobByteCount: Self.fileBlobByteCount, what: "secret key", algorithm: Self.magic)
        guard rest.allSatisfy({ $0 == 0x0A }) else { throw .malformed("secret key file has text after the key") }
        let header = Array(blob[..<Self.headerByteCount])
        let operations = Int(blob[4..<8].reduce(0) { $0 << 8 | UInt32($1) })
        let memoryKiB = Int(blob[8..<12].reduce(0) { $0 << 8 | UInt32($1) })
        guard let cost = try? Argon2id.Cost(operations: operations, memoryByteCount: memoryKiB * 1024) else {
            throw .malformed("secret key names an Argon2id cost out of range")
        }
        let opened: SecureBytes
        do {
            let key = try Argon2id.deriveKey(from: passphrase, salt: blob[12..<28], cost: cost)
            opened = try XChaCha20Poly1305.openSecret(
                blob[(Self.headerByteCount)...], key: key, nonce: blob[28..<52], associatedData: header)
        } catch {
            throw .wrongPassphrase
        }
        let keyNumber = opened.withUnsafeBytes { Array($0.prefix(8)) }
        try self.init(keyNumber: keyNumber, seed: opened.extracting(8..<40))
    }

    /// The secret key file's text, sealed under `passphrase` at `cost`.
    public func file(passphrase: SecureBytes, cost: Argon2id.Cost = .sensitive, comment: String) throws(ReleaseError)
        -> [UInt8]
    {
        func bigEndian(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        let salt = Argon2id.generateSalt()
        let nonce = SecureRandom.bytes(count: XChaCha20Poly1305.nonceByteCount)
        let header = Self.magic + bigEndian(cost.operations) + bigEndian(cost.memoryByteCount / 1024) + salt + nonce
        do {
            let key = try Argon2id.deriveKey(from: passphrase, salt: salt, cost: cost)
            var secret = SecureBytes(copying: publicKey.keyNumber).appending(signingKey.seed)
            defer { secret.wipe() }
            let sealed = try XChaCha20Poly1305.seal(secret, key: key, nonce: nonce, associatedData: header)
            return SignifyFile.write(comment: SignifyFile.cleanComment(comment), blob: header + sealed)
        } catch {
            throw .cannotWrite("the secret key (\(error))")
        }
    }

    /// A signify signature over `message` (`Ed` ‖ key id ‖ Ed25519 signature).
    func signatureBlob(for message: [UInt8]) -> [UInt8] {
        SignifyFile.algorithm + publicKey.keyNumber + signingKey.signature(for: message)
    }
}
