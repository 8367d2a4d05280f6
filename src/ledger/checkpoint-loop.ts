/**
 * The checkpointing loop run by the worker: every tick, for every log, sign a checkpoint when
 * the policy says one is due. Stops when the signal aborts, after the tick in hand.
 */
import type { KeyObject } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type CheckpointPolicy, checkpointDue } from "../core/checkpoint-policy.js";
import { checkpointLog, latestCheckpoint } from "./checkpointer.js";
import type { Sql } from "./db.js";
import { listLogs, treeSize } from "./logs.js";

export interface CheckpointTick {
  log: string;
  size: number;
}

/** One pass over every log; returns the checkpoints it signed. */
export async function checkpointDueLogs(sql: Sql, key: KeyObject, policy: CheckpointPolicy, now = Date.now()): Promise<CheckpointTick[]> {
  const signed: CheckpointTick[] = [];
  for (const log of await listLogs(sql)) {
    const last = await latestCheckpoint(sql, log.id);
    const size = await treeSize(sql, log.id);
    if (!checkpointDue(policy, last && { size: last.size, at: last.createdAt.getTime() }, size, now)) continue;
    const { checkpoint, created } = await checkpointLog(sql, log.name, key);
    if (created) signed.push({ log: log.name, size: checkpoint.size });
  }
  return signed;
}

export async function runCheckpointLoop(
  sql: Sql,
  key: KeyObject,
  policy: CheckpointPolicy,
  options: { tickMs: number; signal: AbortSignal; onTick?: (signed: CheckpointTick[]) => void; onError?: (error: unknown) => void },
): Promise<void> {
  while (!options.signal.aborted) {
    try {
      options.onTick?.(await checkpointDueLogs(sql, key, policy));
    } catch (error) {
      options.onError?.(error);
    }
    await sleep(options.tickMs, undefined, { signal: options.signal }).catch(() => {});
  }
}
