/**
 * One retention run (PCI DSS 10.5.1): for each log, its policy applied at the run's time.
 * Entries recorded before the hot window move to the archive: up to the largest signed
 * checkpoint size that is past the window's start and short of the log's tail, so that the
 * archive is C2SP tlog-tiles of a signed tree (verifiable offline) and the appender keeps the
 * leaves it chains from. The log is swept first (an incremental sweep, recorded as any
 * other): a log that does not verify moves nothing, so archiving never hides tampering.
 * Clear values past the policy's clear-value period are shredded first (v2 logs; held entries
 * and the ledger's own records keep theirs), each expiry recorded in the log itself as a
 * `sealtrail.expiry` entry (ledger/erasure/expire.ts). Each run is a `retention.run` entry of
 * the tenant's audit log naming what moved (seqs and where) and what expired or was held,
 * never values.
 *
 * Idempotent: the entry's key names the run and the log; a run retried after its range was
 * archived finds the range by its run id and records it.
 */
import { archiveBound, DEFAULT_RETENTION, clearCutoff, hotCutoff, type RetentionPolicy, type RetentionRecord, retentionEvent, retentionRecordKey } from "../core/retention/index.js";
import { type ArchiveStore, ensureAuditLog, expireValues, LedgerError, type Log, STORED_NODE_MIN_LEVEL, withArchive, writeArchive } from "../ledger/index.js";
import { type SweepDeps, sweepLog } from "./sweep-log.js";

/** The actor of retention entries. */
export const RETENTION_ACTOR = "sealtrail-retention";

export interface RetentionDeps extends SweepDeps {
  archive: ArchiveStore;
}

export interface RetentionRun {
  /** Unique per scheduled run (the queue's job id), or per command. */
  id: string;
  at: Date;
}

export interface RetentionOutcome {
  log: string;
  record: Extract<RetentionRecord, { action: "retention.run" }>;
  /** This run had applied the log's policy already: nothing was done again. */
  duplicate: boolean;
}

/** Every log's policy, one log at a time; one log's failure does not stop the others (it is thrown after). */
export async function retainAllLogs(deps: RetentionDeps, run: RetentionRun): Promise<{ outcomes: RetentionOutcome[]; failed: { log: string; message: string }[] }> {
  const outcomes: RetentionOutcome[] = [];
  const failed: { log: string; message: string }[] = [];
  for (const log of await deps.store.listLogs()) {
    try {
      outcomes.push(await retainLog(deps, log.name, run));
    } catch (error) {
      failed.push({ log: log.name, message: (error as Error).message });
    }
  }
  return { outcomes, failed };
}

export async function retainLog(deps: RetentionDeps, logName: string, run: RetentionRun): Promise<RetentionOutcome> {
  const store = withArchive(deps.store, deps.archive);
  const log = await store.findLog(logName);
  const audit = await ensureAuditLog(store, log.tenant, deps.originPrefix);
  const key = retentionRecordKey(run.id, log.name);
  const done = await store.entryByKey(audit.id, key);
  const stored = await store.retentionPolicyOf(log.id);
  const policy: RetentionPolicy = stored ? { hotDays: stored.hotDays, clearDays: stored.clearDays } : DEFAULT_RETENTION;
  const record: RetentionOutcome["record"] = {
    action: "retention.run", run: run.id, at: run.at, policy,
    hotCutoff: hotCutoff(policy, run.at), clearCutoff: clearCutoff(policy, run.at),
    archived: null, expired: [], held: [], message: null,
  };
  if (done) return { log: log.name, record: { ...record, ...recordedParts(done.payload) }, duplicate: true };

  await expireDue(store, log, run, record);
  const ranges = await store.archivedRanges(log.id);
  const mine = ranges.find((r) => r.run === run.id);
  if (mine) {
    record.archived = { from: mine.fromSeq, to: mine.toSeq, location: mine.location };
  } else {
    await archiveDue(deps, log, run, record, ranges.at(-1)?.toSeq ?? 0);
  }
  await store.appender().append(audit.name, [retentionEvent(log.name, record, RETENTION_ACTOR, key)]);
  return { log: log.name, record, duplicate: false };
}

/**
 * Shreds the clear values past the policy's clear-value period (v2 logs), under a
 * `sealtrail.expiry` record of the log appended first; held entries keep theirs and are named.
 * Done before archiving, so that the sweep that guards the archive sees the expiry recorded.
 */
async function expireDue(store: ReturnType<typeof withArchive>, log: Log, run: RetentionRun, record: RetentionOutcome["record"]): Promise<void> {
  const expiry = await expireValues(store, log, { run: run.id, before: record.clearCutoff, clearDays: record.policy.clearDays, by: RETENTION_ACTOR });
  record.expired = expiry.expired.map(([from, to]) => ({ from, to }));
  record.held = expiry.held.seqs.map(([from, to]) => ({ from, to, holds: expiry.held.holds }));
}

/** Moves what the policy says is past the hot window to the archive, when a checkpoint allows it; fills `record`. */
async function archiveDue(deps: RetentionDeps, log: Log, run: RetentionRun, record: RetentionOutcome["record"], archivedTo: number): Promise<void> {
  const store = withArchive(deps.store, deps.archive);
  const size = await store.treeSize(log.id);
  if (size === 0) return;
  const hotFrom = await store.seqRecordedFrom(log.id, size, record.hotCutoff);
  // The leaves the appender reads stay: the last entry's chain hash, and the leaves under the
  // tree's right edge below the stored levels (tree.ts), all in the last 2^4-aligned block.
  const block = 2 ** STORED_NODE_MIN_LEVEL;
  const keepFrom = Math.floor((size - 1) / block) * block;
  const bound = archiveBound((await store.listCheckpoints(log.id)).map((c) => c.size), archivedTo, hotFrom, keepFrom);
  if (bound === undefined) {
    if (hotFrom > archivedTo) record.message = `entries ${archivedTo}..${Math.min(hotFrom, keepFrom) - 1} are due but no signed checkpoint ends among them yet`;
    return;
  }
  const sweep = await sweepLog(deps, log.name, { id: `retention:${run.id}`, mode: "incremental", at: run.at });
  if (sweep.record.result !== "verified") {
    record.message = `nothing archived: the log does not verify (${sweep.record.tamperClass ?? sweep.record.result}${sweep.record.firstBadSeq === null ? "" : ` at seq ${sweep.record.firstBadSeq}`})`;
    return;
  }
  const checkpoint = await store.checkpointAt(log.id, bound);
  const chainHash = await store.chainHashAt(log.id, bound - 1);
  if (!checkpoint || !chainHash) throw new LedgerError("INCONSISTENT", `log ${log.name}: checkpoint ${bound} or the chain hash of seq ${bound - 1} is gone: verify the log`);
  await writeArchive(store, deps.archive, log, checkpoint, archivedTo);
  await deps.store.archiveRange(log.id, { fromSeq: archivedTo, toSeq: bound, root: checkpoint.root, chainHash, location: deps.archive.location, run: run.id });
  record.archived = { from: archivedTo, to: bound, location: deps.archive.location };
}

/** What a recorded run's payload says it archived and expired (for a duplicate run's outcome). */
function recordedParts(payload: string | null): Partial<RetentionOutcome["record"]> {
  try {
    const p = JSON.parse(payload ?? "null") as Partial<Pick<RetentionOutcome["record"], "archived" | "expired" | "held" | "message">>;
    return { archived: p.archived ?? null, expired: p.expired ?? [], held: p.held ?? [], message: p.message ?? null };
  } catch {
    return {};
  }
}
