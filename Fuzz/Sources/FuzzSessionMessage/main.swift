// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol

/// Every input goes through the initial-message decoder and through a live session's `decrypt`,
/// which parses the message and tries its header keys.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSessionMessage(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    _ = try? InitialMessage(decoding: bytes)
    var copy = session
    _ = try? copy.decrypt(bytes, now: 2)
    return 0
}
