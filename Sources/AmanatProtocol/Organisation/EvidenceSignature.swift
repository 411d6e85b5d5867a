// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto

/// The signature over an evidence bundle (SPEC.md §17):
/// `Ed25519(exporter's identity signing key, lp("amanat/v1/evidence-bundle") ‖ lp(content))`,
/// where `content` is every byte of the bundle before the signature.
public enum EvidenceSignature {
    /// What is signed.
    public static func input(_ content: [UInt8]) -> [UInt8] {
        lengthPrefixed(Label.evidenceBundle, content)
    }

    /// Whether `signature` is `signer`'s over `content`.
    public static func isValid(_ signature: [UInt8], of content: [UInt8], by signer: Ed25519.PublicKey) -> Bool {
        signer.isValidSignature(signature, for: input(content))
    }
}
