// SPDX-License-Identifier: AGPL-3.0-or-later

/// This release's version, as every tool's `--version` prints it. The Debian packages carry the
/// same one: scripts/package refuses to build when deploy/debian/changelog says another.
public enum AmanatVersion {
    public static let current = "0.9.0"
}
