// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol

/// Encrypts a profile's sensitive columns (DESIGN §5): each value is sealed with
/// XChaCha20-Poly1305 under a key derived from the store key, with a fresh random nonce, and bound
/// to its table, column and row so that no sealed value can be moved to another place and still
/// open. Lookups use keyed hashes, so an index never holds a clear identity, id or digest.
///
///     columnKey = BLAKE2b-256(key = storeKey, "amanat/v1/store/columns")
///     lookupKey = BLAKE2b-256(key = storeKey, "amanat/v1/store/lookup")
///     sealed    = [24] nonce ‖ AEAD(columnKey, nonce, value, lp("amanat/v1/store") ‖ lp(place) ‖ lp(row))
///     lookup    = BLAKE2b-256(key = lookupKey, lp(kind) ‖ lp(value))
struct StoreCipher: Sendable {
    private let columnKey: SecureBytes
    private let lookupKey: SecureBytes

    init(storeKey: SecureBytes) throws(StoreError) {
        func derive(_ label: String) throws(StoreError) -> SecureBytes {
            guard var bytes = try? BLAKE2b.hash(Array(label.utf8), key: storeKey) else { throw .corrupted }
            return SecureBytes(moving: &bytes)
        }
        columnKey = try derive("amanat/v1/store/columns")
        lookupKey = try derive("amanat/v1/store/lookup")
    }

    /// Seals `value` for `place` (table and column, e.g. `"messages.record"`) in row `row`.
    func seal(_ value: some ContiguousBytesView, place: String, row: [UInt8]) throws(StoreError) -> [UInt8] {
        guard
            let sealed = try? XChaCha20Poly1305.sealCombined(
                value, key: columnKey, associatedData: Self.associatedData(place: place, row: row))
        else { throw .corrupted }
        return sealed
    }

    /// Opens what ``seal(_:place:row:)`` made for the same place and row.
    ///
    /// - Throws: ``StoreError/corrupted`` for anything altered, moved or sealed under another key.
    func open(_ sealed: [UInt8], place: String, row: [UInt8]) throws(StoreError) -> [UInt8] {
        guard
            let value = try? XChaCha20Poly1305.openCombined(
                sealed, key: columnKey, associatedData: Self.associatedData(place: place, row: row))
        else { throw .corrupted }
        return value
    }

    /// Opens a sealed secret straight into secret memory.
    func openSecret(_ sealed: [UInt8], place: String, row: [UInt8]) throws(StoreError) -> SecureBytes {
        let nonceCount = XChaCha20Poly1305.nonceByteCount
        guard sealed.count >= nonceCount + XChaCha20Poly1305.tagByteCount,
            let value = try? XChaCha20Poly1305.openSecret(
                Array(sealed[nonceCount...]), key: columnKey, nonce: Array(sealed[..<nonceCount]),
                associatedData: Self.associatedData(place: place, row: row))
        else { throw .corrupted }
        return value
    }

    /// The keyed hash that stands for `value` of `kind` in an index.
    func lookup(_ kind: String, _ value: [UInt8]) -> [UInt8] {
        (try? BLAKE2b.hash(lengthPrefixed(Array(kind.utf8), value), key: lookupKey)) ?? []
    }

    private static func associatedData(place: String, row: [UInt8]) -> [UInt8] {
        lengthPrefixed(Array("amanat/v1/store".utf8), Array(place.utf8), row)
    }
}
