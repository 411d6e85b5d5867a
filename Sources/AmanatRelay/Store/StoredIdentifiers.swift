// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import Foundation
import NIOCore

// MARK: - Typed identifiers in and out of the stores

extension Data {
    /// An identifier's bytes as a SQLite blob argument.
    init<Kind>(_ identifier: ByteIdentifier<Kind>) {
        self.init(identifier.bytes)
    }
}

extension ByteIdentifier {
    /// An identifier read back from a store's column; the schema keeps these at 32 bytes, so
    /// anything else is a damaged store.
    ///
    /// - Throws: ``RelayError/storageFailure`` unless `bytes` are 32.
    init(stored bytes: [UInt8]) throws(RelayError) {
        guard let value = Self(bytes) else { throw .storageFailure }
        self = value
    }
}

extension StoredEnvelopeKey {
    /// An envelope's mailbox and digest as a store's columns hold them.
    ///
    /// - Throws: ``RelayError/storageFailure`` unless both are 32 bytes.
    init(stored mailbox: [UInt8], _ digest: [UInt8]) throws(RelayError) {
        self.init(mailbox: try MailboxID(stored: mailbox), digest: try EnvelopeDigest(stored: digest))
    }
}

extension PostgresMailboxStore {
    /// An identifier as a `bytea` argument.
    static func bytea<Kind>(_ identifier: ByteIdentifier<Kind>) -> ByteBuffer { ByteBuffer(bytes: identifier.bytes) }
}
