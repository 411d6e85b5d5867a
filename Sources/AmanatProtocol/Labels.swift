// SPDX-License-Identifier: AGPL-3.0-or-later

/// Every domain-separation label of the protocol (SPEC.md §3). All are ASCII `amanat/v1/<purpose>`.
enum Label {
    static let identityAgreementKey = "amanat/v1/identity-agreement-key".bytes
    static let prekey = "amanat/v1/prekey".bytes
    static let handshake = "amanat/v1/handshake".bytes
    static let session = "amanat/v1/session".bytes
    static let rootStep = "amanat/v1/ratchet/root".bytes
    static let rootStepPostQuantum = "amanat/v1/ratchet/root-pq".bytes
    static let senderCertificate = "amanat/v1/sender-certificate".bytes
    static let seal = "amanat/v1/seal".bytes
    static let envelope = "amanat/v1/envelope".bytes
    static let depositEnvelope = "amanat/v1/deposit/envelope".bytes
    static let depositBlob = "amanat/v1/deposit/blob".bytes
    static let depositPrekeyClaim = "amanat/v1/deposit/prekey-claim".bytes
    static let prekeyDirectory = "amanat/v1/prekey-directory".bytes
    static let request = "amanat/v1/request".bytes
    static let voucher = "amanat/v1/voucher".bytes
    static let seizureOrder = "amanat/v1/seizure-order".bytes
    static let rosterKey = "amanat/v1/roster-key".bytes
    static let receipt = "amanat/v1/receipt".bytes
    static let receiptLeaf = "amanat/v1/receipt-leaf".bytes
    static let receiptNode = "amanat/v1/receipt-node".bytes
    static let receiptRoot = "amanat/v1/receipt-root".bytes
    static let roster = "amanat/v1/roster".bytes
    static let rosterContent = "amanat/v1/roster-content".bytes
    static let triageEvent = "amanat/v1/triage-event".bytes
    static let caseID = "amanat/v1/case-id".bytes
    static let blobConfirmation = "amanat/v1/blob-confirmation".bytes
    static let invite = "amanat/v1/invite".bytes
    static let inviteCheck = "amanat/v1/invite-check".bytes
    static let evidenceBundle = "amanat/v1/evidence-bundle".bytes
    static let safetyNumber = "amanat/v1/safety-number".bytes
}

/// Protocol-wide sizes and limits (SPEC.md §9).
public enum ProtocolLimits {
    /// The largest ratchet plaintext: what still fits, as an initial message with the largest
    /// header, in the largest envelope bucket. Anything larger goes as an attachment.
    public static let maximumPlaintextByteCount = 60_000
    /// The largest encrypted ratchet header (one with an X-Wing key and a ciphertext).
    public static let maximumEncryptedHeaderByteCount = 4096
}
