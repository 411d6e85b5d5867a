// SPDX-License-Identifier: AGPL-3.0-or-later

import ArgumentParser

/// What both tools' `shell` command takes besides the profile: how long it may sit idle before it
/// locks.
public struct ShellOptions: ParsableArguments {
    @Option(help: "Lock after this long without input: 90s, 5m (the default), 1h.")
    public var lockAfter = "5m"

    public init() {}

    /// The idle time in seconds.
    ///
    /// - Throws: a usage ``CommandError`` (`error.lock-after`) unless it is a time between 1 second
    ///   and 24 hours.
    public func idleSeconds() throws -> Double {
        guard let seconds = InteractiveShell.idleSeconds(lockAfter) else {
            throw CommandError("error.lock-after", code: CommandError.usage)
        }
        return seconds
    }
}
