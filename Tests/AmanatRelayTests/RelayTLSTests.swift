// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatTestSupport
import Foundation
import Testing

@testable import AmanatRelay

@Suite("The relay's own TLS", .serialized)
struct RelayTLSTests {
    @Test(
        "serves HTTPS with the given certificate; its pin matches OpenSSL's and libcurl's pinning",
        .timeLimit(.minutes(3)))
    func tls() async throws {
        let relay = try RelayProcess()
        let (certificate, key) = try makeSelfSignedCertificate(in: relay.directory)
        // The reference pin, computed by OpenSSL: SHA-256 of the DER SubjectPublicKeyInfo, base64.
        let (publicKey, _) = try runProgram("/usr/bin/openssl", ["x509", "-in", certificate, "-pubkey", "-noout"])
        let derFile = relay.directory.appendingPathComponent("spki.der").path
        try runProgram(
            "/usr/bin/openssl", ["pkey", "-pubin", "-in", "/dev/stdin", "-outform", "DER", "-out", derFile],
            input: Data((publicKey + "\n").utf8))
        let expected =
            "sha256//"
            + Data(SHA256Hash.hash(Array(try Data(contentsOf: URL(fileURLWithPath: derFile))))).base64EncodedString()

        let tls = try RelayTLS(certificatePath: certificate, keyPath: key)
        #expect(tls.pin == expected)
        let (printed, status) = try runProgram(
            RelayProcess.binary.path,
            ["fingerprint", "--data", relay.directory.path, "--tls-cert", certificate, "--tls-key", key])
        #expect(status == 0 && printed.split(separator: "\n").last.map(String.init) == expected)

        try await relay.start(tls: (certificate, key))
        let url = "https://127.0.0.1:\(relay.port)/healthz"
        // libcurl's pinning (what AmanatClient uses): the right pin connects, a wrong one is refused.
        let (body, ok) = try runProgram("/usr/bin/curl", ["-sS", "-k", "--pinnedpubkey", expected, url])
        #expect(ok == 0 && body == "ok")
        let wrong = "sha256//" + Data(SecureRandom.bytes(count: 32)).base64EncodedString()
        let (_, refused) = try runProgram("/usr/bin/curl", ["-sS", "-k", "--pinnedpubkey", wrong, url])
        #expect(refused == 90)
        // Plain HTTP on the TLS port gets nothing useful.
        let (_, plain) = try runProgram(
            "/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(relay.port)/healthz"])
        #expect(plain != 0)
        #expect(relay.interrupt() == 0)
        let log = try String(contentsOf: relay.logURL, encoding: .utf8)
        #expect(log.contains("TLS pin for invites: \(expected)"))

        // A missing or unreadable key is a clear setup error (exit 2).
        let (_, bad) = try runProgram(
            RelayProcess.binary.path,
            ["serve", "--data", relay.directory.path, "--tls-cert", certificate, "--tls-key", "/nonexistent.pem"])
        #expect(bad == 2)
    }
}
