// SPDX-License-Identifier: AGPL-3.0-or-later

import CSodium

/// libsodium must be initialised once before any other call. A global `let` is initialised
/// lazily and exactly once, from whichever thread touches it first.
private let sodiumInitialisation: Int32 = sodium_init()

/// Makes sure libsodium is initialised. Without it there is no safe randomness, so a failure
/// stops the process rather than carrying on with weak keys.
@inline(__always)
func ensureSodium() {
    precondition(sodiumInitialisation >= 0, "libsodium could not be initialised")
}
