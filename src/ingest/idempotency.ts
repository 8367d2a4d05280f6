/**
 * Idempotency keys of events that came without one. A key made from the job id and the
 * event's index is the same on every attempt of the job, so a retried or recovered job
 * appends nothing twice. Sources may not use the prefix (validate-event.ts).
 */
export const DERIVED_KEY_PREFIX = "ingest:";

/** Precondition: `jobId` is at most MAX_JOB_ID_LENGTH characters, so the key fits LIMITS.idempotencyKey. */
export function derivedKey(jobId: string, index: number): string {
  return `${DERIVED_KEY_PREFIX}${jobId}:${index}`;
}

export const MAX_JOB_ID_LENGTH = 128;
