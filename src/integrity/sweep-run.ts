/**
 * A scheduled sweep of every log, and what happens when it cannot run (PCI DSS 10.7.2:
 * failures of critical security controls are detected, alerted and recorded). A log that
 * could not be swept gets an `error` sweep record and a `sweep.error` alert; when the ledger
 * itself cannot be reached, the alert goes out at once and the records are written by
 * recordUnrunSweep once the database is back (the `record-sweep` job, retried until then).
 */
import { type Alert, alertEvent, alertId, sweepEvent, sweepRecordKey } from "../core/sweep/index.js";
import { ensureAuditLog } from "../ledger/index.js";
import { SWEEP_ACTOR, type SweepDeps, type SweepOutcome, type SweepRun, sweepLog } from "./sweep-log.js";

/** A run, or part of one, that could not be carried out: what the record job writes later. */
export interface UnrunSweep {
  run: string;
  mode: SweepRun["mode"];
  at: string;
  message: string;
  durationMs: number;
  /** The log that could not be swept; every log of the ledger when null. */
  log: string | null;
}

export interface SweepRunResult {
  outcomes: SweepOutcome[];
  /** Set when (part of) the run could not be carried out nor recorded: record it later. */
  unrun?: UnrunSweep;
}

export async function sweepAllLogs(deps: SweepDeps, run: SweepRun): Promise<SweepRunResult> {
  const started = performance.now();
  const unrun = (log: string | null, error: unknown): UnrunSweep => ({
    run: run.id, mode: run.mode, at: run.at.toISOString(), message: `the sweep could not run: ${(error as Error).message}`,
    durationMs: Math.round(performance.now() - started), log,
  });
  let logs;
  try {
    logs = await deps.store.listLogs();
  } catch (error) {
    const u = unrun(null, error);
    await deps.alerts.raise(errorAlert(u, null));
    return { outcomes: [], unrun: u };
  }
  const outcomes: SweepOutcome[] = [];
  let unrecorded: UnrunSweep | undefined;
  for (const log of logs) {
    try {
      outcomes.push(await sweepLog(deps, log.name, run));
    } catch (error) {
      const u = unrun(log.name, error);
      await deps.alerts.raise(errorAlert(u, log.tenant));
      try {
        await recordUnrunSweep(deps, u);
      } catch {
        // The ledger cannot take the record now: the caller queues it, for every log (a log
        // swept meanwhile keeps its own record: the keys are the same). The other logs are
        // still swept: one log's failure must not stop the rest.
        unrecorded = { ...u, log: null };
      }
    }
  }
  return unrecorded ? { outcomes, unrun: unrecorded } : { outcomes };
}

/**
 * Writes the `error` sweep records (and `integrity.alert` entries) of a run that could not be
 * carried out, for its log or for every log. Logs the run did sweep keep their record: the
 * keys are the same, and a key is appended once.
 */
export async function recordUnrunSweep(deps: Pick<SweepDeps, "store" | "originPrefix">, unrun: UnrunSweep): Promise<number> {
  const logs = (await deps.store.listLogs()).filter((l) => unrun.log === null || l.name === unrun.log);
  const appender = deps.store.appender();
  let recorded = 0;
  for (const log of logs) {
    const audit = await ensureAuditLog(deps.store, log.tenant, deps.originPrefix);
    const record = {
      result: "error" as const, at: new Date(unrun.at), fromSeq: null, toSize: null, durationMs: unrun.durationMs,
      firstBadSeq: null, tamperClass: null, mode: unrun.mode, message: unrun.message,
    };
    const receipts = await appender.append(audit.name, [
      sweepEvent(log.name, record, SWEEP_ACTOR, sweepRecordKey(unrun.run, log.name)),
      // For a run that reached no log, one entry per tenant for the one alert (`*`) raised.
      alertEvent(errorAlert(unrun, log.tenant), SWEEP_ACTOR),
    ]);
    if (!receipts[0]!.duplicate) recorded++;
  }
  return recorded;
}

function errorAlert(unrun: UnrunSweep, tenant: string | null): Alert {
  const log = unrun.log ?? "*";
  return {
    id: alertId("sweep.error", log, unrun.run),
    type: "sweep.error",
    log,
    tenant,
    at: unrun.at,
    message: unrun.log === null ? `no log could be swept: ${unrun.message}` : `${unrun.log}: ${unrun.message}`,
    tamperClass: null,
    firstBadSeq: null,
    fromSeq: null,
    toSize: null,
    run: unrun.run,
  };
}
