// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// Every file of `Protocol/vectors/`, computed by the current code.
public enum VectorFiles {
    /// File name → contents. Recorded randomness (X-Wing encapsulations, HPKE envelopes) is taken
    /// from the files already in `directory` when they are there, so that regenerating changes a
    /// file only when the code's output changes; `fresh` records it anew.
    public static func generate(reusingFrom directory: URL?, fresh: Bool = false) throws -> [String: Data] {
        // A file that is there but no longer decodes (a field was added) is an error, not a reason
        // to record its randomness anew: that would change every recorded value silently. Add
        // the field as optional, regenerate, then make it required.
        func previous<Value: Decodable>(_ name: String, as type: Value.Type) throws -> Value? {
            guard !fresh, let directory,
                let data = try? Data(contentsOf: directory.appendingPathComponent(name))
            else { return nil }
            do {
                return try JSONDecoder().decode(Value.self, from: data)
            } catch {
                throw VectorFileError.undecodable(name)
            }
        }
        let handshake = try previous("handshake.json", as: HandshakeVectors.self)
        let transcript = try previous("ratchet-transcript.json", as: TranscriptVectors.self)
        let envelopes = try previous("sealed-envelopes.json", as: EnvelopeVectors.self)
        let attachments = try previous("attachments.json", as: AttachmentVectors.self)
        let ratchetErrors = try previous("ratchet-errors.json", as: RatchetErrorVectors.self)
        let localState = try previous("local-state.json", as: LocalStateVectors.self)
        return [
            "seeded-entropy.json": try encodeVectorFile(SeededEntropyVectors.generate()),
            "prekey-bundles.json": try encodeVectorFile(PrekeyBundleVectors.generate()),
            "prekey-directory.json": try encodeVectorFile(PrekeyDirectoryVectors.generate()),
            "handshake.json": try encodeVectorFile(
                HandshakeVectors.generate(replaying: handshake.map { $0.tests.map(\.encapsulation) })),
            "ratchet-transcript.json": try encodeVectorFile(
                TranscriptVectors.generate(replaying: transcript?.encapsulations)),
            "sealed-envelopes.json": try encodeVectorFile(EnvelopeVectors.generate(previous: envelopes)),
            "payloads.json": try encodeVectorFile(PayloadVectors.generate()),
            "safety-numbers.json": try encodeVectorFile(SafetyNumberVectors.generate()),
            "case-ids.json": try encodeVectorFile(CaseIDVectors.generate()),
            "relay-authorisation.json": try encodeVectorFile(RelayAuthorisationVectors.generate()),
            "organisation.json": try encodeVectorFile(OrganisationVectors.generate()),
            "seizure-orders.json": try encodeVectorFile(SeizureOrderVectors.generate()),
            "receipts.json": try encodeVectorFile(ReceiptVectors.generate()),
            "attachments.json": try encodeVectorFile(AttachmentVectors.generate(previous: attachments)),
            "ratchet-errors.json": try encodeVectorFile(RatchetErrorVectors.generate(previous: ratchetErrors)),
            "local-state.json": try encodeVectorFile(LocalStateVectors.generate(previous: localState)),
        ]
    }
}

/// Why the vectors could not be regenerated.
public enum VectorFileError: Error, CustomStringConvertible {
    /// A file with recorded randomness is there but does not decode as the current type.
    case undecodable(String)

    public var description: String {
        switch self {
        case .undecodable(let name):
            "\(name) does not decode as the current vector type: make new fields optional, regenerate, then make them required (or regenerate with --fresh to record anew)"
        }
    }
}
