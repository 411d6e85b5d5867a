// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// Helpers the test targets share for driving real processes on loopback.

/// Runs a program to completion, optionally feeding `input` on its standard input; its trimmed
/// standard output and exit status (standard error is discarded).
@discardableResult
public func runProgram(_ program: String, _ arguments: [String], input: Data? = nil) throws -> (String, Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    let inputPipe = Pipe()
    if input != nil { process.standardInput = inputPipe }
    try process.run()
    if let input {
        inputPipe.fileHandleForWriting.write(input)
        try inputPipe.fileHandleForWriting.close()
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
        String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
        process.terminationStatus
    )
}

/// A loopback TCP port nobody listens on now.
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { throw LoopbackError.noFreePort }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// No loopback port could be had.
public enum LoopbackError: Error {
    case noFreePort
}

/// Makes a self-signed P-256 certificate and its key with OpenSSL in `directory`, valid for two
/// days: what the TLS tests serve. Returns the two PEM files' paths.
public func makeSelfSignedCertificate(in directory: URL) throws -> (certificate: String, key: String) {
    let certificate = directory.appendingPathComponent("cert.pem").path
    let key = directory.appendingPathComponent("key.pem").path
    let (_, status) = try runProgram(
        "/usr/bin/openssl",
        [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
            "-out", certificate, "-days", "2", "-subj", "/CN=relay.test",
        ])
    guard status == 0 else { throw CertificateError.opensslFailed }
    return (certificate, key)
}

/// OpenSSL could not make the test certificate.
public enum CertificateError: Error {
    case opensslFailed
}
