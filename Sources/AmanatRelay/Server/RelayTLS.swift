// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation
import NIOSSL

/// The relay's own TLS, for operators who do not put a reverse proxy in front (DESIGN §4): a
/// certificate chain and key in PEM files, and the pin invites carry.
public struct RelayTLS: Sendable {
    let configuration: TLSConfiguration
    /// The public-key pin of the leaf certificate, `sha256//<base64 of SHA-256(SubjectPublicKeyInfo)>`:
    /// the form libcurl's `CURLOPT_PINNEDPUBLICKEY` takes, and what invites carry. It survives
    /// certificate renewals that keep the key.
    public let pin: String

    /// Loads the chain (leaf first) and the private key.
    ///
    /// - Throws: ``RelaySetupError/invalidTLS`` if either cannot be read or parsed.
    public init(certificatePath: String, keyPath: String) throws(RelaySetupError) {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
            guard let leaf = chain.first else { throw RelaySetupError.invalidTLS }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            pin = Self.pin(ofPublicKeyInfo: try leaf.extractPublicKey().toSPKIBytes())
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            self.configuration = configuration
        } catch {
            throw .invalidTLS
        }
    }

    /// `sha256//` and the base64 SHA-256 of a DER SubjectPublicKeyInfo.
    static func pin(ofPublicKeyInfo info: [UInt8]) -> String {
        "sha256//" + Data(SHA256Hash.hash(info)).base64EncodedString()
    }
}
