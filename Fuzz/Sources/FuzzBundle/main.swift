// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol

/// Prekey bundles, single prekeys, identities, sender certificates, rosters, invites and contact
/// cards.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBundle(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    if let bundle = try? PrekeyBundle(decoding: bytes) {
        precondition(bundle.encoded == bytes, "a decoded bundle does not re-encode to its bytes")
        _ = try? bundle.verify(now: 1_800_000_000)
    }
    _ = try? SignedPrekey(decoding: bytes)
    _ = try? IdentityKey(decoding: bytes)
    _ = try? SenderCertificate(decoding: bytes)
    if let roster = try? SignedRoster(decoding: bytes) {
        precondition(roster.encoded == bytes, "a decoded roster does not re-encode to its bytes")
    }
    if let invite = try? Invite(decoding: bytes) {
        precondition(invite.encoded == bytes, "a decoded invite does not re-encode to its bytes")
        precondition((try? Invite(text: invite.text)) == invite, "an invite does not survive its text form")
    }
    if let card = try? ContactCard(decoding: bytes) {
        precondition((try? card.encoded) == bytes, "a decoded contact card does not re-encode to its bytes")
    }
    return 0
}
