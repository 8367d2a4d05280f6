/**
 * C2SP signed notes and tlog-checkpoints: Ed25519 keys, signers and verifier keys, signing and
 * opening notes, formatting, signing and verifying checkpoints, when a checkpoint is due, and
 * the names of checkpoint copies kept by a witness outside the database.
 */
export { type Checkpoint, formatCheckpoint, MAX_TREE_SIZE, parseCheckpoint, signCheckpoint, verifyCheckpoint } from "./checkpoint.js";
export { checkpointDue, type CheckpointPolicy, DEFAULT_CHECKPOINT_POLICY } from "./checkpoint-policy.js";
export { privateKeyFromPem, privateKeyFromSeed, publicKeyFromPem, publicKeyObject, publicKeyToPem, rawPublicKey } from "./keys.js";
export { ed25519Signer, ed25519Verifier, isValidKeyName, keyId, MAX_SIGNATURES, openNote, parseVerifierKey, type Signer, signNote, verifierFromVkey, vkeyString } from "./note.js";
export { formatTlogProof, parseTlogProof, type TlogProof } from "./tlog-proof.js";
export { witnessFileName, witnessFileSize, witnessFolder, witnessIndexLine } from "./witness-copy.js";
