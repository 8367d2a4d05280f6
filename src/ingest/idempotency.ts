/**
 * Idempotency keys of events that came without one. A key made from the job id and the
 * event's index is the same on every attempt of the job, so a retried or recovered job
 * appends nothing twice. Sources may not use the prefix (validate-event.ts).
 */
export const DERIVED_KEY_PREFIX = "ingest:";

export const MAX_JOB_ID_LENGTH = 128;

/** Precondition: `jobId` has at most MAX_JOB_ID_LENGTH characters, so the key fits LIMITS.idempotencyKey. */
export function derivedKey(jobId: string, index: number): string {
  return `${jobKeyPrefix(jobId)}${index}`;
}

/** The key an event of a job goes by: the one its source gave, or one derived from the job id and its index. */
export function eventKey(input: unknown, jobId: string, index: number): string {
  const given = (input as { idempotencyKey?: unknown } | null)?.idempotencyKey;
  return typeof given === "string" && given !== "" ? given : derivedKey(jobId, index);
}

/** The start of every key derived from `jobId`. */
export function jobKeyPrefix(jobId: string): string {
  return `${DERIVED_KEY_PREFIX}${jobId}:`;
}
