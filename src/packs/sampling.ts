/**
 * How a pack samples: where its seed comes from, so that the company cannot choose its sample
 * after the fact (the ranks are SHA-256(seed, origin, seq): whoever picks the seed picks the
 * sample), and how many entries each control's sample holds. Pure.
 *
 * The seed, in order: the one the auditor gave (--seed); else the root of the checkpoint of the
 * first subject log (by name) that covers an entry recorded after the period ended — that
 * checkpoint was signed after the period ended, and its root was unknown to anyone until then;
 * the builder takes the smallest stored checkpoint covering that entry, so a rebuild draws the
 * same sample. When no log has an entry after the period yet there is no such root, and the
 * pack is refused (NO_SEED): any other default (the pack id, the request time) is a value the
 * requester can move until the sample suits.
 */
import { PackError } from "./pack-error.js";

export type SeedSource = "auditor" | "checkpoint";

/** How often the control operates, which sets its sample size (SAMPLE_SIZES). */
export const CONTROL_FREQUENCIES = ["annual", "quarterly", "monthly", "weekly", "daily", "many-times-daily"] as const;
export type ControlFrequency = (typeof CONTROL_FREQUENCIES)[number];

/**
 * Sample sizes for tests of controls by how often the control operates: annual 1, quarterly 2,
 * monthly 2–5, weekly 5–15 (the small-population table of the AICPA Audit Guide *Audit
 * Sampling*), daily 20–40 and many times a day 25–60 (the ranges in common use for SOC
 * examinations; ours to choose, and said so). Figures only; no text of the guide is shipped.
 */
export const SAMPLE_SIZES: Record<ControlFrequency, readonly [number, number]> = {
  annual: [1, 1],
  quarterly: [2, 2],
  monthly: [2, 5],
  weekly: [5, 15],
  daily: [20, 40],
  "many-times-daily": [25, 60],
};

/** Where in its range a sample lies: the low end up to a population of 250 (a daily control's year), the high end from 2,500, linear between. */
export const RANGE_LOW_UP_TO = 250;
export const RANGE_HIGH_FROM = 2500;

/** The most entries any sample may hold: what a selector keeps while the population streams, before its size is known. */
export function sampleCapacity(fixed: number | undefined): number {
  return fixed ?? Math.max(...Object.values(SAMPLE_SIZES).map(([, high]) => high));
}

/** A control's sample size for its population: the auditor's fixed size, else the table's; never more than the population. */
export function sampleSizeFor(frequency: ControlFrequency, population: number, fixed: number | undefined): number {
  if (fixed !== undefined) return Math.min(fixed, population);
  const [low, high] = SAMPLE_SIZES[frequency];
  const share = Math.min(1, Math.max(0, (population - RANGE_LOW_UP_TO) / (RANGE_HIGH_FROM - RANGE_LOW_UP_TO)));
  return Math.min(population, low + Math.ceil((high - low) * share));
}

/** The sample size rule in words, as a control states it. */
export function sampleBasis(frequency: ControlFrequency, population: number, fixed: number | undefined): string {
  const size = sampleSizeFor(frequency, population, fixed);
  if (fixed !== undefined) return `${size} of ${population}: the auditor's fixed size ${fixed} (--sample-size)${size < fixed ? ", capped at the population" : ""}`;
  const [low, high] = SAMPLE_SIZES[frequency];
  const range = low === high ? `${low}` : `${low}–${high}`;
  return `${size} of ${population}: a control operating ${frequency.replace(/-/g, " ")} is sampled ${range} by the table${size === population && population < low ? " (the whole population, smaller than that)" : ""}`;
}

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

const TABLE_WORDS = `the sample size follows the control's frequency (annual 1, quarterly 2, monthly 2–5, weekly 5–15: the AICPA Audit Guide Audit Sampling's small-population table; daily 20–40, many times a day 25–60: ranges in common use, ours), at the low end of its range for a population up to ${RANGE_LOW_UP_TO} and the high end from ${RANGE_HIGH_FROM}, linear between, and never more than the population`;

export function samplingOf(requestSeed: string | undefined, fixedSize: number | undefined, subjects: readonly SeedCandidate[], to: string): Sampling {
  const sizes = fixedSize === undefined ? TABLE_WORDS : `every control's sample holds the auditor's fixed ${fixedSize} entries (--sample-size), or the whole population when smaller`;
  const rank = `an entry's rank is SHA-256("<seed>\\n<origin>\\n<seq>") in hex; each control's sample is the entries of lowest rank in its population; ${sizes}`;
  if (requestSeed !== undefined) return { seed: requestSeed, source: "auditor", log: null, method: `Seed given by the auditor (--seed); ${rank}.` };
  const after = subjects.find((s) => s.checkpoint.size > s.endSeq);
  if (!after) {
    throw new PackError("NO_SEED", `no log of the pack has an entry recorded after the period (to ${to}) under a signed checkpoint, so no seed exists yet that the company could not have chosen: give the auditor's seed (--seed), or build the pack once an entry after the period is recorded and checkpointed`);
  }
  return {
    seed: after.checkpoint.root, source: "checkpoint", log: after.name,
    method: `Seed: the root of ${after.checkpointFile}, the checkpoint of ${after.name} that covers entry ${after.endSeq}, recorded after the period ended, so it was signed after the period ended and its root could not be chosen before; ${rank}.`,
  };
}
