// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import Foundation

/// An invite as a person hands it over: read, decoded and checked before anything else happens
/// (before the passphrase prompt, before the network), so that a mistyped invite costs nothing.
public enum InviteText {
    /// The invite in `text`, checked: its signature, its voucher, its expiry.
    ///
    /// - Throws: ``CommandError`` `error.old-invite`, `error.expired-invite` or
    ///   `error.invalid-invite` (exit 65).
    public static func checked(_ text: String, now: UInt64 = UInt64(Date().timeIntervalSince1970)) throws -> Invite {
        let invite: Invite
        do {
            invite = try Invite(text: text)
            try invite.verify(now: now)
        } catch .unsupportedVersion where isVersion1(text) {
            throw CommandError("error.old-invite", code: CommandError.data)
        } catch .expired {
            throw CommandError("error.expired-invite", code: CommandError.data)
        } catch {
            throw CommandError("error.invalid-invite", code: CommandError.data)
        }
        return invite
    }

    /// Whether `text` is an invite of version 1 (before invites were signed).
    static func isVersion1(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(Invite.uriPrefix) else { return false }
        return Base64URL.decode(String(trimmed.dropFirst(Invite.uriPrefix.count)))?.first == 1
    }
}
