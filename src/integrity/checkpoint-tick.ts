/**
 * The `checkpoint` job, every few seconds: sign a checkpoint of each log the policy says is
 * due (every N entries or T seconds once the tree grew, core/note/checkpoint-policy.ts), then copy
 * every new checkpoint to the witness store after its consistency check
 * (witness-checkpoints.ts). A log whose checkpoint is refused (its tree no longer extends the
 * signed or witnessed history) raises `checkpoint.refused` and is recorded in its tenant's
 * audit log; a witness store that cannot be written raises `witness.error` (at most one per
 * log and hour). Other logs go on either way.
 */
import type { KeyObject } from "node:crypto";
import { type Alert, type AlertType, alertEvent, alertId } from "../core/sweep/index.js";
import { type CheckpointPolicy, checkpointDue, rawPublicKey } from "../core/note/index.js";
import { checkpointLog, ensureAuditLog, LedgerError, type LedgerStore, type Log } from "../ledger/index.js";
import type { AlertSink } from "./alert-sink.js";
import { SWEEP_ACTOR } from "./sweep-log.js";
import type { Witness } from "./witness.js";
import { WitnessError } from "./witness.js";
import { witnessCheckpoints } from "./witness-checkpoints.js";
import { knownOutside } from "./known-outside.js";
import type { WitnessEndpoint } from "./cosign-checkpoint.js";
import { cosignLog } from "./cosign-log.js";
import { timeStamp, TimeStampError } from "./time-stamp-checkpoint.js";

export interface CheckpointDeps {
  store: LedgerStore;
  key: KeyObject;
  policy: CheckpointPolicy;
  witness: Witness | undefined;
  originPrefix: string;
  alerts: AlertSink;
  /**
   * Per origin, the newest size this process has seen witnessed: a log with no newer
   * checkpoint is not listed in the store again (a folder grows by one copy a minute).
   */
  witnessedUpTo?: Map<string, number>;
  /**
   * Per origin, the newest checkpoint this process signed or read from the witness store: with
   * the witness copies, what a new checkpoint must extend, whatever the database says.
   */
  known?: Map<string, { size: number; root: Uint8Array }>;
  /** Cosigning witnesses (C2SP tlog-witness, SEALTRAIL_WITNESSES) each new checkpoint is submitted to. */
  cosigners?: readonly WitnessEndpoint[];
  /** SEALTRAIL_WITNESS_QUORUM: cosignatures each newest checkpoint must gather (default all witnesses). */
  witnessQuorum?: number;
  /** SEALTRAIL_TSA_URL: the RFC 3161 TSA each new checkpoint is time-stamped by. */
  tsaUrl?: string;
}

export interface CheckpointTickResult {
  signed: { log: string; size: number }[];
  witnessed: { log: string; sizes: number[] }[];
  refused: { log: string; message: string }[];
  cosigned: { log: string; witnesses: string[] }[];
  /** Logs whose newest checkpoint has fewer cosignatures than the quorum after this tick. */
  shortOfQuorum: { log: string; size: number; cosignedBy: number; quorum: number }[];
  stamped: { log: string; size: number }[];
}

export async function checkpointTick(deps: CheckpointDeps, now = Date.now()): Promise<CheckpointTickResult> {
  const result: CheckpointTickResult = { signed: [], witnessed: [], refused: [], cosigned: [], stamped: [], shortOfQuorum: [] };
  const publicKey = rawPublicKey(deps.key);
  for (const log of await deps.store.listLogs()) {
    try {
      const last = await deps.store.latestCheckpoint(log.id);
      let newest = last?.size;
      if (checkpointDue(deps.policy, last && { size: last.size, at: last.createdAt.getTime() }, await deps.store.treeSize(log.id), now)) {
        // Checked against the newest checkpoint known outside the database before signing:
        // one deleted from the database with the tail must not let a shorter tree be signed.
        const outside = await knownOutside(deps.known, deps.witness, log, publicKey);
        const { checkpoint, created } = await checkpointLog(deps.store, log.name, deps.key, outside);
        deps.known?.set(log.origin, { size: checkpoint.size, root: checkpoint.root });
        if (created) result.signed.push({ log: log.name, size: checkpoint.size });
        newest = checkpoint.size;
      }
      const seen = deps.witnessedUpTo?.get(log.origin);
      if (deps.witness && newest !== undefined && (seen === undefined || seen < newest)) {
        const sizes = await witnessCheckpoints(deps.store, log, publicKey, deps.witness);
        if (sizes.length > 0) result.witnessed.push({ log: log.name, sizes });
        deps.witnessedUpTo?.set(log.origin, newest);
      }
      if (deps.cosigners?.length && newest !== undefined) await cosign(deps, log, result, now);
      if (deps.tsaUrl && newest !== undefined) await stamp(deps, log, newest, result, now);
    } catch (error) {
      const refused = (error instanceof LedgerError && error.code === "INCONSISTENT") || (error instanceof WitnessError && error.code !== "STORE");
      const storeDown = error instanceof WitnessError && error.code === "STORE";
      if (!refused && !storeDown) throw error;
      result.refused.push({ log: log.name, message: (error as Error).message });
      // One alert per log and hour while the refusal or the outage lasts: ticks come every few
      // seconds and a log that is written to grows between them, so neither the tick nor the
      // tree size can key it.
      const hour = new Date(now).toISOString().slice(0, 13);
      const run = storeDown ? `witness:${hour}` : `checkpoint:${hour}`;
      await raise(deps, log, storeDown ? "witness.error" : "checkpoint.refused", run, (error as Error).message, new Date(now));
    }
  }
  return result;
}

/**
 * A witness that refuses (409, 422, 403, …) raises `witness.refused`: a split view or a
 * rollback shown to it is exactly what witnesses exist to catch. One that cannot be reached
 * raises `witness.error`. Both at most once per log, witness and hour.
 */
async function cosign(deps: CheckpointDeps, log: Log, result: CheckpointTickResult, now: number): Promise<void> {
  const outcome = await cosignLog(deps.store, log, deps.cosigners ?? []);
  if (outcome.cosigned.length > 0) result.cosigned.push({ log: log.name, witnesses: outcome.cosigned });
  const hour = new Date(now).toISOString().slice(0, 13);
  for (const { witness, error } of outcome.failed) {
    result.refused.push({ log: log.name, message: error.message });
    const down = error.code === "UNREACHABLE";
    await raise(deps, log, down ? "witness.error" : "witness.refused", `cosign:${witness}:${hour}`, error.message, new Date(now));
  }
  // The witness policy (k of n): a checkpoint short of it is reported, once per log and hour.
  const quorum = deps.witnessQuorum ?? deps.cosigners!.length;
  if (outcome.size !== null && outcome.cosignedBy < quorum) {
    result.shortOfQuorum.push({ log: log.name, size: outcome.size, cosignedBy: outcome.cosignedBy, quorum });
    const message = `the checkpoint of ${log.name} at size ${outcome.size} is cosigned by ${outcome.cosignedBy} of ${deps.cosigners!.length} witnesses, short of the quorum ${quorum}`;
    await raise(deps, log, "witness.quorum", `quorum:${hour}`, message, new Date(now));
  }
}

/** A TSA that is down or answers no token raises `witness.error`, at most once per log and hour. */
async function stamp(deps: CheckpointDeps, log: Log, size: number, result: CheckpointTickResult, now: number): Promise<void> {
  if (await deps.store.timeStampAt(log.id, size)) return;
  const checkpoint = await deps.store.latestCheckpoint(log.id);
  if (!checkpoint || checkpoint.size !== size) return;
  try {
    await deps.store.saveTimeStamp(log.id, size, deps.tsaUrl!, await timeStamp(deps.tsaUrl!, checkpoint.note));
    result.stamped.push({ log: log.name, size });
  } catch (error) {
    if (!(error instanceof TimeStampError)) throw error;
    result.refused.push({ log: log.name, message: error.message });
    await raise(deps, log, "witness.error", `tsa:${new Date(now).toISOString().slice(0, 13)}`, error.message, new Date(now));
  }
}

async function raise(deps: CheckpointDeps, log: Log, type: AlertType, run: string, message: string, at: Date): Promise<void> {
  const alert: Alert = {
    id: alertId(type, log.name, run), type, log: log.name, tenant: log.tenant, at: at.toISOString(), message,
    tamperClass: null, firstBadSeq: null, fromSeq: null, toSize: null, run,
  };
  await deps.alerts.raise(alert);
  const audit = await ensureAuditLog(deps.store, log.tenant, deps.originPrefix);
  await deps.store.appender().append(audit.name, [alertEvent(alert, SWEEP_ACTOR)]);
}
