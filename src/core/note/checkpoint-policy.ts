/**
 * When a log's tree head is due for a new signed checkpoint (DESIGN.md "Checkpoints"): every
 * `every` entries, or every `intervalMs` once the tree has grown at all. A tree that has not
 * grown is never re-signed.
 */
export interface CheckpointPolicy {
  every: number;
  intervalMs: number;
}

export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = { every: 10_000, intervalMs: 60_000 };

export function checkpointDue(
  policy: CheckpointPolicy,
  last: { size: number; at: number } | undefined,
  size: number,
  now: number,
): boolean {
  if (size === 0) return false;
  if (!last) return true;
  if (size <= last.size) return false;
  return size - last.size >= policy.every || now - last.at >= policy.intervalMs;
}
