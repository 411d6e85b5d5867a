// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// What `--json` prints: one line of JSON with sorted keys, so scripts and tests can rely on it.
public enum JSONOutput {
    /// `object` (dictionaries, arrays, strings, numbers, booleans, `NSNull`) as that line.
    public static func text(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Prints `object` as that line.
    public static func print(_ object: Any) throws {
        Swift.print(try text(object))
    }
}
