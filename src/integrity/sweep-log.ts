/**
 * One integrity sweep of one log (DESIGN.md "Jobs"; PCI DSS 10.3.4): verify it (verify-log.ts)
 * against its stored checkpoints and its witness copies, hold the witness policy against its
 * newest checkpoint's cosignatures (a quorum of SEALTRAIL_WITNESSES), record the result in the ledger as a
 * `sweep` entry of the tenant's audit log, and on failure record an `integrity.alert` entry and
 * raise the alert. Incremental sweeps start from the newest witnessed checkpoint the last
 * sweep verified, and run in full when the last sweep did not verify.
 *
 * Idempotent by construction: the record's idempotency key names the run and the log, and a
 * run that finds its record already in the ledger (a retried or recovered job) does nothing.
 */
import { type Alert, alertEvent, alertId, storedSweep, sweepEvent, sweepRecordKey, type SweepRecord, type SweepMode, type SweepWitnesses } from "../core/sweep/index.js";
import { checkStoredPolicy, type Cosigner, type WitnessPolicy, witnessPolicy } from "../core/cosign/index.js";
import { verifyCheckpoint, ed25519Verifier } from "../core/note/index.js";
import type { EventInput } from "../core/entry/index.js";
import { ensureAuditLog, type LedgerStore, type Log } from "../ledger/index.js";
import type { AlertSink } from "./alert-sink.js";
import { verifyLog, type VerifyReport, type WitnessCopies } from "./verify-log.js";
import type { Witness } from "./witness.js";

/** The actor of sweep and alert entries. */
export const SWEEP_ACTOR = "sealtrail-sweep";

export interface SweepDeps {
  /** A pool acting as the writer role (it appends the records). */
  store: LedgerStore;
  /** Connection details for the verifier's threads, which act as the writer too. */
  url: string;
  schema: string;
  rolePrefix?: string | undefined;
  /** Trusted Ed25519 key of the checkpoints. */
  publicKey: Uint8Array;
  witness: Witness | undefined;
  /**
   * The cosigning witnesses' policy (SEALTRAIL_WITNESSES, SEALTRAIL_WITNESS_QUORUM): the
   * newest checkpoint must carry valid cosignatures of a quorum of them, else the sweep is a
   * failure and raises `witness.quorum`.
   */
  witnessPolicy?: WitnessPolicy;
  /** Origins of the tenants' audit logs, created on first use. */
  originPrefix: string;
  alerts: AlertSink;
  threads?: number;
  rangeLevel?: number;
}

export interface SweepRun {
  /** Unique per scheduled run (the queue's job id), or per command. */
  id: string;
  mode: SweepMode;
  at: Date;
}

export interface SweepOutcome {
  log: string;
  record: SweepRecord;
  /** Absent when the run had been recorded already. */
  report?: VerifyReport;
  alert?: Alert;
  /** This run had swept and recorded the log already: nothing was done again. */
  duplicate: boolean;
}

export async function sweepLog(deps: SweepDeps, logName: string, run: SweepRun): Promise<SweepOutcome> {
  const { store } = deps;
  const log = await store.findLog(logName);
  const audit = await ensureAuditLog(store, log.tenant, deps.originPrefix);
  const key = sweepRecordKey(run.id, log.name);
  const done = await store.entryByKey(audit.id, key);
  if (done) return { log: log.name, record: storedSweep(done.payload, done.occurredAt), duplicate: true };

  const since = run.mode === "incremental" ? await verifiedBase(deps, log, audit.name) : undefined;
  const witness = deps.witness;
  const copies: WitnessCopies | undefined = witness && { sizes: await witness.sizes(log.origin), read: (size) => witness.read(log.origin, size) };
  const report = await verifyLog(store, log.name, {
    url: deps.url,
    schema: deps.schema,
    asWriter: { rolePrefix: deps.rolePrefix },
    publicKey: deps.publicKey,
    ...(copies ? { witness: copies } : {}),
    ...(since ? { since } : {}),
    ...(deps.threads !== undefined ? { threads: deps.threads } : {}),
    ...(deps.rangeLevel !== undefined ? { rangeLevel: deps.rangeLevel } : {}),
  });
  const record: SweepRecord = {
    result: report.verified ? "verified" : "tampered",
    at: run.at,
    fromSeq: report.fromSeq,
    toSize: report.size,
    durationMs: report.durationMs,
    firstBadSeq: report.firstBadSeq,
    tamperClass: report.tamperClass,
    mode: report.incremental ? "incremental" : "full",
    message: report.findings[0]?.message ?? null,
    witnesses: deps.witnessPolicy ? await checkWitnesses(store, log, deps.witnessPolicy) : null,
  };
  const short = record.witnesses && !record.witnesses.met ? witnessMessage(log.name, record.witnesses) : undefined;
  if (short && record.message === null) record.message = short;
  const events: EventInput[] = [sweepEvent(log.name, record, SWEEP_ACTOR, key)];
  let alert: Alert | undefined;
  if (report.verified && short) {
    alert = {
      id: alertId("witness.quorum", log.name, run.id), type: "witness.quorum", log: log.name, tenant: log.tenant, at: run.at.toISOString(), message: short,
      tamperClass: null, firstBadSeq: null, fromSeq: report.fromSeq, toSize: record.witnesses!.size, run: run.id,
    };
    await deps.alerts.raise(alert);
    events.push(alertEvent(alert, SWEEP_ACTOR));
  }
  if (!report.verified) {
    alert = {
      id: alertId("sweep.tampered", log.name, run.id),
      type: "sweep.tampered",
      log: log.name,
      tenant: log.tenant,
      at: run.at.toISOString(),
      message: `${log.name}: ${report.tamperClass}${report.firstBadSeq === null ? "" : ` at seq ${report.firstBadSeq}`}: ${record.message}`,
      tamperClass: report.tamperClass,
      firstBadSeq: report.firstBadSeq,
      fromSeq: report.fromSeq,
      toSize: report.size,
      run: run.id,
    };
    // Raised before it is recorded: the alert must go out even if the ledger refuses the record.
    await deps.alerts.raise(alert);
    events.push(alertEvent(alert, SWEEP_ACTOR));
  }
  await store.appender().append(audit.name, events);
  return { log: log.name, record, report, ...(alert ? { alert } : {}), duplicate: false };
}

/** The sweeps' witness policy of the configured witnesses (quorum: all unless given); none without witnesses. */
export function sweepWitnessPolicy(witnesses: readonly { cosigner: Cosigner }[], quorum: number | undefined): WitnessPolicy | undefined {
  return witnesses.length === 0 ? undefined : witnessPolicy(witnesses.map((w) => w.cosigner), quorum ?? witnesses.length);
}

/**
 * The witness policy held against the newest checkpoint and the cosignature lines stored
 * beside it (C2SP tlog-cosignature). Null when the log has no checkpoint yet: nothing to witness.
 */
async function checkWitnesses(store: LedgerStore, log: Log, policy: WitnessPolicy): Promise<SweepWitnesses | null> {
  const checkpoint = await store.latestCheckpoint(log.id);
  if (!checkpoint) return null;
  const found = checkStoredPolicy(checkpoint.note, await store.cosignaturesAt(log.id, checkpoint.size), policy);
  return { size: checkpoint.size, ...found };
}

function witnessMessage(logName: string, w: SweepWitnesses): string {
  const of = w.cosigned.length + w.missing.length + w.invalid.length;
  const gaps = [w.missing.length > 0 ? `missing ${w.missing.join(", ")}` : "", w.invalid.length > 0 ? `invalid ${w.invalid.join(", ")}` : ""].filter(Boolean).join("; ");
  return `the checkpoint of ${logName} at size ${w.size} is cosigned by ${w.cosigned.length} of ${of} witnesses, short of the quorum ${w.quorum}: ${gaps}`;
}

/**
 * Where an incremental sweep may start: the newest witnessed (else stored) checkpoint within
 * what the last sweep verified, its signature checked. Undefined (sweep everything) when the
 * last sweep did not verify, or none did.
 */
async function verifiedBase(deps: SweepDeps, log: Log, auditLog: string): Promise<{ size: number; root: Uint8Array } | undefined> {
  const last = await deps.store.lastSweepRecord(auditLog, log.name);
  if (!last || last.result !== "verified" || last.toSize === null) return undefined;
  const verifier = ed25519Verifier(log.origin, deps.publicKey);
  let note: string | undefined;
  if (deps.witness) {
    const size = (await deps.witness.sizes(log.origin)).filter((s) => s <= last.toSize!).at(-1);
    if (size !== undefined) note = await deps.witness.read(log.origin, size);
  } else {
    note = (await deps.store.checkpointAtMost(log.id, last.toSize))?.note;
  }
  if (note === undefined) return undefined;
  try {
    const checkpoint = verifyCheckpoint(note, verifier, log.origin);
    return { size: Number(checkpoint.size), root: checkpoint.root };
  } catch {
    return undefined;
  }
}
