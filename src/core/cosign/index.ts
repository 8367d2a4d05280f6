/**
 * Witness cosignatures on checkpoints: C2SP tlog-cosignature (Ed25519, cosignature/v1) lines,
 * the cosigners' type-0x04 verifier keys, and k-of-n witness policies over them.
 */
export { COSIGNATURE_TYPE_ED25519, type Cosigner, cosignatureLine, cosignedMessage, cosignerKeyId, cosignerVkey, parseCosignerVkey, verifyCosignature } from "./cosignature.js";
export { checkPolicy, checkStoredPolicy, type PolicyResult, type StoredPolicyResult, type WitnessPolicy, witnessPolicy } from "./policy.js";
