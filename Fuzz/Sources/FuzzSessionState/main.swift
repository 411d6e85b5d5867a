// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

/// Stored session state; whatever decodes must serialise back to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSessionState(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let state = SecureBytes(copying: UnsafeBufferPointer(start: data, count: count))
    if let session = try? RatchetSession(serialized: state) {
        precondition(session.serialized() == state, "a decoded session does not re-encode to its bytes")
    }
    return 0
}
