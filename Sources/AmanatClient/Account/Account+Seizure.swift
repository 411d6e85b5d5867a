// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import Foundation

/// What the device does when the relay says its mailbox is frozen (SPEC.md §8.8; issue #20).
extension Account {
    static let remoteWipeName = "remote-wipe"

    /// Whether a verified seizure order may wipe this profile (on unless turned off).
    public var allowsRemoteWipe: Bool {
        get throws(AccountError) { try isOn(Self.remoteWipeName) }
    }

    /// Allows or forbids remote wiping on the organisation's seizure order.
    public func setRemoteWipe(_ on: Bool) throws(AccountError) {
        try setOn(Self.remoteWipeName, on)
    }

    /// The account error for a failed owner request: a frozen mailbox is acted on here, every
    /// other failure passes through as ``AccountError/transport(_:)``.
    ///
    /// An order that verifies under the invite's organisation root, for this device's mailbox,
    /// before its expiry by this device's clock, wipes the profile when it asks to and remote
    /// wiping is allowed (``AccountError/wipedBySeizureOrder``), and otherwise gives
    /// ``AccountError/mailboxFrozen``. An order that does not verify (a relay lying, or a forged
    /// or stale order) wipes nothing: ``AccountError/protocolFailure(_:)``.
    func ownerRequestFailed(_ error: TransportError) -> AccountError {
        guard case .mailboxFrozen(let bytes) = error else { return .transport(error) }
        let order: SeizureOrder
        do {
            guard let state = try loadState() else { return .notEnrolled }
            let mailbox = try loadKeys().mailbox.id
            let root = try Ed25519.PublicKey(rawRepresentation: [UInt8](state.organisationRoot))
            order = try SeizureOrder(decoding: bytes)
            try order.verify(root: root, mailbox: mailbox, now: clock())
        } catch let error as ProtocolError {
            return .protocolFailure(error)
        } catch let error as AccountError {
            return error
        } catch {
            return .protocolFailure(.authenticationFailure)
        }
        guard order.wipe, (try? allowsRemoteWipe) ?? true else { return .mailboxFrozen }
        // The profile's own Tor first, so that it writes nothing into the folder afterwards.
        managedTor?.killNow()
        ProfileStore.wipe(at: store.directory)
        return .wipedBySeizureOrder
    }

    // MARK: - Reporting (experts)

    /// What ``reportSeized(_:since:wipe:)`` did.
    public struct SeizureReport: Sendable, Equatable {
        /// The relay froze the defender's mailbox on this device's order (it holds the root).
        public let frozen: Bool
        /// The report reached every other expert device (else the next sync sends it).
        public let sent: Bool
    }

    /// Reports the device of the defender `defender` lost or seized since `since` (SPEC.md §8.8):
    /// records and sends the report as a triage change (field 8), which every expert device shows;
    /// and on the administrator's device, which holds the organisation root, signs a seizure
    /// order (valid ``SeizureOrder/defaultValidity``) and hands it to the relay, which freezes the
    /// defender's mailbox. On another expert's device nothing is frozen until the administrator
    /// confirms: one stolen expert device must not be able to shut out or wipe every defender.
    ///
    /// - Throws: ``AccountError/unknownContact`` for a defender this device has no card of.
    public func reportSeized(
        _ defender: IdentityKey, since: UInt64, wipe: Bool
    ) async throws(AccountError) -> SeizureReport {
        guard try loadState()?.role == .expert else { throw .notPermitted }
        guard let contact = try perform({ db in try store.contact(defender, in: db) }),
            let route = Self.route(contact)
        else { throw .unknownContact }
        // Flagged first: committed here whatever happens next, and sent (or queued) to every
        // expert, so a relay out of reach cannot keep the others from being warned.
        let (_, sent) = try await changeTriage(of: defender.signingKey.rawRepresentation, .seized(since))
        var frozen = false
        if let root = try? organisationRootKey() {
            let now = clock()
            let order = SeizureOrder(
                mailbox: route.mailbox, issuedAt: now, expiresAt: now + SeizureOrder.defaultValidity, wipe: wipe,
                signedBy: root)
            do {
                try await api.freeze(order)
            } catch {
                throw .transport(error)
            }
            frozen = true
        }
        return SeizureReport(frozen: frozen, sent: sent)
    }
}
