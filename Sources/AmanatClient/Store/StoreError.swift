// SPDX-License-Identifier: AGPL-3.0-or-later

/// Why a profile could not be created, opened or changed. The descriptions say what happened and
/// never include a key, a passphrase or stored content.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No profile exists at that place.
    case notFound
    /// A profile exists there already.
    case exists
    /// No profile opens with that passphrase.
    case wrongPassphrase
    /// The duress passphrase cannot change passphrases (it opens the decoy profile).
    case notPermitted
    /// A file of the profile is damaged, truncated or not what it should be.
    case corrupted
    /// The profile cannot be written (permissions, disk full).
    case unwritable

    public var description: String {
        switch self {
        case .notFound: "there is no profile here"
        case .exists: "a profile exists here already"
        case .wrongPassphrase: "the passphrase is wrong"
        case .notPermitted: "this passphrase cannot do that"
        case .corrupted: "the profile's files are damaged"
        case .unwritable: "the profile cannot be written"
        }
    }

    init(_ error: KeyslotError) {
        switch error {
        case .wrongPassphrase: self = .wrongPassphrase
        case .corrupted: self = .corrupted
        case .exists: self = .exists
        case .unwritable: self = .unwritable
        }
    }
}
