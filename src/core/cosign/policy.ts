import { CoreError } from "../errors.js";
import { toHex } from "../encoding/index.js";
import { type Cosigner, verifyCosignature } from "./cosignature.js";

/**
 * A witness policy: at least `quorum` of `cosigners` must have cosigned a checkpoint before it
 * is trusted (the k-of-n policies of C2SP tlog-cosignature's introduction: "Log clients can
 * verify a quorum of cosignatures to prevent split-view attacks").
 */
export interface WitnessPolicy {
  cosigners: Cosigner[];
  quorum: number;
}

export interface PolicyResult {
  met: boolean;
  quorum: number;
  /** Names of the cosigners whose cosignature verified, with its time (POSIX seconds). */
  cosigned: { name: string; time: number }[];
  /** Names of the configured cosigners with no valid cosignature on the note. */
  missing: string[];
}

/** INVALID_ARGUMENT unless 1 ≤ quorum ≤ number of cosigners, all with distinct names. */
export function witnessPolicy(cosigners: Cosigner[], quorum = cosigners.length): WitnessPolicy {
  if (!Number.isSafeInteger(quorum) || quorum < 1 || quorum > cosigners.length) {
    throw new CoreError("INVALID_ARGUMENT", `quorum: got ${quorum}, want 1 to ${cosigners.length} (the number of witnesses)`);
  }
  // Two keys of one name would let one witness count twice.
  if (new Set(cosigners.map((c) => c.name)).size !== cosigners.length) {
    throw new CoreError("INVALID_ARGUMENT", "witnesses: two keys share a name");
  }
  return { cosigners, quorum };
}

/** Counts the policy's cosigners that cosigned `note` (a checkpoint note with its cosignature lines). */
export function checkPolicy(note: string, policy: WitnessPolicy): PolicyResult {
  const cosigned: PolicyResult["cosigned"] = [];
  const missing: string[] = [];
  for (const c of policy.cosigners) {
    const time = verifyCosignature(note, c);
    if (time === undefined) missing.push(c.name);
    else cosigned.push({ name: c.name, time: Number(time) });
  }
  return { met: cosigned.length >= policy.quorum, quorum: policy.quorum, cosigned, missing };
}

export interface StoredPolicyResult {
  met: boolean;
  quorum: number;
  /** Names of the configured witnesses whose stored line verifies. */
  cosigned: string[];
  /** Names of the configured witnesses with no stored line. */
  missing: string[];
  /** Names of the configured witnesses whose stored line does not verify over the note. */
  invalid: string[];
}

/**
 * The policy held against the cosignature lines stored for a checkpoint `note` (as the
 * log signed it). A line is matched to a witness by its name and key id (C2SP signed-note:
 * "verifiers … identify the signature by the key name and key ID"); lines of other keys are
 * ignored. Unlike checkPolicy, a line that is there but fails is told apart from one that is
 * not: the first means the stored record was altered or a witness answered garbage.
 */
export function checkStoredPolicy(note: string, stored: readonly { witness: string; keyId: string; line: string }[], policy: WitnessPolicy): StoredPolicyResult {
  const result: StoredPolicyResult = { met: false, quorum: policy.quorum, cosigned: [], missing: [], invalid: [] };
  for (const c of policy.cosigners) {
    const lines = stored.filter((s) => s.witness === c.name && s.keyId === toHex(c.keyId));
    if (lines.length === 0) {
      result.missing.push(c.name);
      continue;
    }
    const valid = lines.some((s) => {
      try {
        return verifyCosignature(note + s.line, c) !== undefined;
      } catch {
        return false;
      }
    });
    (valid ? result.cosigned : result.invalid).push(c.name);
  }
  result.met = result.cosigned.length >= policy.quorum;
  return result;
}
