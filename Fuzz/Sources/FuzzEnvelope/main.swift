// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol

/// The relay's check of an envelope, and the parser of an opened envelope's padded content.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelope(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    _ = try? SealedEnvelope.bucket(of: bytes)
    if let opened = try? SealedEnvelope.decodeContent(bytes) {
        precondition(opened.message.kind == opened.kind, "kinds disagree")
    }
    return 0
}
