/**
 * Retention policies (PCI DSS v4.0 10.5.1: audit log history is retained for at least twelve
 * months, with at least the most recent three months immediately available for analysis).
 * A log keeps its entries in the main tables ("hot": searchable, served by the API) for
 * `hotDays`, then they move to the archive, where they still verify against the signed
 * checkpoints; clear values (payloads) are kept for `clearDays`, then shredded.
 */
import { CoreError } from "../errors.js";

export interface RetentionPolicy {
  /** Days an entry stays in the main tables after it was recorded. */
  hotDays: number;
  /** Days an entry's clear values are kept after it was recorded. */
  clearDays: number;
}

/** 10.5.1's floor as the default: three months hot (92 days: any three calendar months), twelve kept (366: a leap year). */
export const DEFAULT_RETENTION: RetentionPolicy = Object.freeze({ hotDays: 92, clearDays: 366 });

/** About 100 years: beyond it a number of days is a typo, not a policy. */
export const MAX_RETENTION_DAYS = 36_600;

const DAY_MS = 86_400_000;

/**
 * A policy from what was given, the rest from `base`; INVALID_ARGUMENT for days that are not
 * whole numbers in [1, MAX_RETENTION_DAYS]. Clear values kept for less time than entries stay
 * hot is allowed (the hot entries then show their values as expired).
 */
export function retentionPolicy(given: Partial<RetentionPolicy>, base: RetentionPolicy = DEFAULT_RETENTION): RetentionPolicy {
  const policy = { hotDays: given.hotDays ?? base.hotDays, clearDays: given.clearDays ?? base.clearDays };
  for (const [name, days] of Object.entries(policy)) {
    if (!Number.isSafeInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) {
      throw new CoreError("INVALID_ARGUMENT", `${name}: got ${String(days)}, want whole days from 1 to ${MAX_RETENTION_DAYS}`);
    }
  }
  return policy;
}

/** Entries recorded before this leave the main tables at `now`. */
export function hotCutoff(policy: RetentionPolicy, now: Date): Date {
  return new Date(now.getTime() - policy.hotDays * DAY_MS);
}

/** Entries recorded before this have their clear values shredded at `now`. */
export function clearCutoff(policy: RetentionPolicy, now: Date): Date {
  return new Date(now.getTime() - policy.clearDays * DAY_MS);
}

/** Whether a policy meets 10.5.1 (twelve months kept, three hot); a weaker one is allowed but reported. */
export function meetsPciRetention(policy: RetentionPolicy): boolean {
  return policy.hotDays >= 92 && policy.clearDays >= 366;
}
