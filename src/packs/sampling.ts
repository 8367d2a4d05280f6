/**
 * Where a pack's sampling seed comes from, so that the company cannot choose its sample after
 * the fact (the ranks are SHA-256(seed, origin, seq): whoever picks the seed picks the sample).
 * In order: the seed the auditor gave (--seed); else the root of the checkpoint of the first
 * subject log (by name) that covers an entry recorded after the period ended — that checkpoint
 * was signed after the period ended, and its root was unknown to anyone until then; else, when
 * no log has an entry after the period yet, the pack id (and the method says so). Pure.
 */
export type SeedSource = "auditor" | "checkpoint" | "pack-id";

export interface Sampling {
  seed: string;
  source: SeedSource;
  /** With source "checkpoint": the log whose checkpoint's root is the seed. */
  log: string | null;
  /** The method, in words, as the pack prints it. */
  method: string;
}

export interface SeedCandidate {
  name: string;
  checkpointFile: string;
  endSeq: number;
  checkpoint: { size: number; root: string };
}

export function samplingOf(requestSeed: string | undefined, sampleSize: number, subjects: readonly SeedCandidate[], packId: string): Sampling {
  const rank = `an entry's rank is SHA-256("<seed>\\n<origin>\\n<seq>") in hex; each control's sample is the ${sampleSize} entries of lowest rank in its population (all of them when fewer)`;
  if (requestSeed !== undefined) return { seed: requestSeed, source: "auditor", log: null, method: `Seed given by the auditor (--seed); ${rank}.` };
  const after = subjects.find((s) => s.checkpoint.size > s.endSeq);
  if (after) {
    return {
      seed: after.checkpoint.root, source: "checkpoint", log: after.name,
      method: `Seed: the root of ${after.checkpointFile}, the checkpoint of ${after.name} that covers entry ${after.endSeq}, recorded after the period ended, so it was signed after the period ended and its root could not be chosen before; ${rank}.`,
    };
  }
  return { seed: packId, source: "pack-id", log: null, method: `Seed: the pack id, since no log has an entry after the period yet (give --seed to choose it as the auditor); ${rank}.` };
}
