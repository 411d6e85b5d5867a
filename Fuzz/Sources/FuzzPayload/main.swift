// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol

/// Payload decoding; whatever decodes must encode back to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPayload(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    if let payload = try? Payload(decoding: bytes) {
        precondition((try? payload.encoded()) == bytes, "a decoded payload does not re-encode to its bytes")
    }
    return 0
}
