import { CoreError } from "../errors.js";
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
