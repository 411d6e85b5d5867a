// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import AmanatProtocolVectors
import Foundation

/// `Protocol/vectors/` in the source tree.
let vectorDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Protocol/vectors", isDirectory: true)

/// Reads `Protocol/vectors/<name>.json`.
func loadVector<Value: Decodable>(_ name: String, as type: Value.Type = Value.self) throws -> Value {
    try JSONDecoder().decode(Value.self, from: Data(contentsOf: vectorDirectory.appendingPathComponent(name + ".json")))
}

extension Array where Element == UInt8 {
    /// Bytes from hex; nil for anything else.
    init?(hex: String) {
        guard let decoded = bytes(hex: hex) else { return nil }
        self = decoded
    }

    /// Lower-case hex.
    var hex: String { AmanatProtocolVectors.hex(self) }
}

extension ByteIdentifier {
    /// An identifier from hex; nil unless it is hex of the identifier's length.
    init?(hex: String) {
        guard let decoded = [UInt8](hex: hex) else { return nil }
        self.init(decoded)
    }

    /// Lower-case hex.
    var hex: String { bytes.hex }
}
