/**
 * Records every read of the ledger through the API in the reader's tenant's audit log, as a
 * `ledger.read` entry: who (key id and name), what (operation, root fields, query text,
 * variables), how many rows, and the outcome (PCI DSS 10.2.1.3: all access to audit logs).
 * Writes through the API (recordEvents) are recorded the same way, as `ledger.write`.
 *
 * Records are batched: a response never waits for its record; the recorder appends each
 * tenant's pending records in one transaction every `flushMs` (or at 500 records), retries
 * failed batches with backoff, and flushes on shutdown. Tenants take turns, a batch each, and
 * each has its own bound on pending records: one tenant's backlog costs no other tenant's.
 * Each record's idempotency key is the request id, so a retried batch appends nothing twice. The appends go straight to the
 * ledger, not through the API, so recording a read is never itself a read (no recursion).
 */
import { prepareEvent, type EventInput } from "../core/entry/index.js";
import { CoreError, SealtrailError } from "../core/errors.js";
import { auditLogName, ensureAuditLog, type EntryAppender, type LedgerStore } from "../ledger/index.js";
import { type ReadRecord, reducedEvent, toEvent } from "./read-record.js";

export type { ReadRecord } from "./read-record.js";

const MAX_BATCH = 500;
/**
 * Beyond this many unwritten records of one tenant (the database down for long, or the tenant
 * flooding), that tenant's new ones are refused loudly. Per tenant: one tenant's backlog never
 * makes another tenant's records refused.
 */
const MAX_PENDING_PER_TENANT = 100_000;

/** The recorder's counters, served at /healthz (docs/security.md). */
export interface ReadLogMetrics {
  /** Records written in full. */
  written: number;
  /** Records written in their reduced form (their full form could not be written). */
  reduced: number;
  /** Records not written at all: refused when too many were pending, or pending at shutdown. */
  lost: number;
  /** Batches that failed and were kept for a retry. */
  retriedBatches: number;
}

/**
 * Whose fault a failed append is:
 * - "record": an error of ours about the event (the ledger's INVALID_INPUT, a CoreError), a
 *   RangeError or TypeError in making it, or a PostgreSQL data exception (SQLSTATE class 22) or
 *   integrity violation (class 23), however wrapped;
 * - "either": the transaction aborted under the appender's COPY (25P02: postgres.js drops the
 *   server's own error for a refused COPY, appender.ts): a row was refused, or the server failed;
 * - "moment": anything else (connection lost, privileges, shutdown): retried as it is.
 */
function blame(error: unknown): "record" | "either" | "moment" {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof RangeError || e instanceof TypeError || e instanceof CoreError) return "record";
    const code = (e as { code?: unknown }).code;
    if (e instanceof SealtrailError) {
      if (code === "INVALID_INPUT") return "record";
      continue;
    }
    if (typeof code === "string" && /^2[23][0-9A-Z]{3}$/.test(code)) return "record";
    if (code === "25P02") return "either";
  }
  return "moment";
}

/** Times a record alone may fail with blame "either" before its reduced form is written instead. */
const MAX_AMBIGUOUS_ATTEMPTS = 3;

interface Pending {
  record: ReadRecord;
  /** Why the full record was refused, once it was: the reduced form is written instead. */
  reduced?: string;
  /** Failures of this record alone that may have been the record's. */
  attempts: number;
}

export class ReadRecorder {
  private pending: Pending[] = [];
  /** Records pending per tenant, for its bound. */
  private readonly pendingOf = new Map<string, number>();
  readonly metrics: ReadLogMetrics = { written: 0, reduced: 0, lost: 0, retriedBatches: 0 };
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly appender: EntryAppender;
  private readonly knownLogs = new Set<string>();
  private failures = 0;

  constructor(
    private readonly writer: LedgerStore,
    private readonly originPrefix: string,
    private readonly flushMs: number,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly maxPendingPerTenant = MAX_PENDING_PER_TENANT,
  ) {
    this.appender = writer.appender();
  }

  record(record: ReadRecord): void {
    const tenant = record.principal.tenant;
    const pendingOfTenant = this.pendingOf.get(tenant) ?? 0;
    if (pendingOfTenant >= this.maxPendingPerTenant) {
      this.metrics.lost++;
      this.onError(new Error(`${this.maxPendingPerTenant} records of tenant ${tenant} pending, record of request ${record.requestId} (tenant ${tenant}) NOT WRITTEN`));
      return;
    }
    this.pendingOf.set(tenant, pendingOfTenant + 1);
    this.pending.push({ record, attempts: 0 });
    if (this.pending.length >= MAX_BATCH) this.flushSoon(0);
    else this.flushSoon(this.flushMs);
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }

  /** Writes everything pending; resolves when it is in the ledger or has failed (and is kept for a retry). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  /** Flushes until nothing is pending or `timeoutMs` passes. */
  async close(timeoutMs = 10_000): Promise<void> {
    clearTimeout(this.timer);
    const deadline = Date.now() + timeoutMs;
    while (this.pending.length > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.pending.length > 0) await new Promise((r) => setTimeout(r, 100));
    }
    if (this.pending.length > 0) {
      const lost = this.pending.splice(0);
      this.pendingOf.clear();
      this.metrics.lost += lost.length;
      const ids = lost.slice(0, 20).map((p) => `${p.record.principal.tenant}/${p.record.requestId}`);
      this.onError(new Error(`${lost.length} records NOT WRITTEN at shutdown (the database refused them for ${timeoutMs} ms): ${ids.join(", ")}${lost.length > 20 ? ", …" : ""}`));
    }
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const byTenant = new Map<string, Pending[]>();
    for (const p of batch) {
      const list = byTenant.get(p.record.principal.tenant) ?? [];
      list.push(p);
      byTenant.set(p.record.principal.tenant, list);
    }
    const failed: Pending[] = [];
    // Each tenant on its own: one tenant's failure never holds another's records. And in turns,
    // a batch of each tenant's in each round: a tenant with a backlog of thousands delays
    // another's records by one batch, not by its whole backlog.
    const tenants = [...byTenant].map(([tenant, records]) => ({ tenant, records, at: 0 }));
    for (let round = tenants; round.length > 0; round = round.filter((t) => t.at < t.records.length)) {
      for (const t of round) {
        const run = t.records.slice(t.at, t.at + MAX_BATCH);
        t.at += run.length;
        try {
          const log = auditLogName(t.tenant);
          if (!this.knownLogs.has(log)) {
            await ensureAuditLog(this.writer, t.tenant, this.originPrefix);
            this.knownLogs.add(log);
          }
          const retry = await this.writeRun(log, run);
          failed.push(...retry);
          this.written(t.tenant, run.length - retry.length);
        } catch (error) {
          // The moment is to blame: the tenant's records are kept whole, for the retry.
          failed.push(...t.records.slice(t.at - run.length));
          t.at = t.records.length;
          this.onError(error);
        }
      }
    }
    if (failed.length > 0) {
      // Kept, oldest first, and retried with backoff (200 ms doubling to 30 s).
      this.pending = [...failed, ...this.pending];
      this.failures++;
      this.metrics.retriedBatches++;
      this.flushSoon(Math.min(30_000, 200 * 2 ** Math.min(this.failures, 8)));
    } else {
      this.failures = 0;
      if (this.pending.length > 0) this.flushSoon(this.flushMs);
    }
  }

  /** The event of a pending record: its full form, or its reduced form once the full one was refused. */
  private eventOf(p: Pending): EventInput {
    if (p.reduced === undefined) {
      try {
        const event = toEvent(p.record);
        // The appender's own checks, run here so that a record it would refuse is known as such.
        prepareEvent(event, new Date());
        return event;
      } catch (error) {
        // Made from the record alone, before any database: whatever failed belongs to the record.
        this.reduce(p, error);
      }
    }
    return reducedEvent(p.record, p.reduced!);
  }

  private reduce(p: Pending, error: unknown): void {
    p.reduced = `the full record could not be written: ${(error as Error)?.message ?? String(error)}`;
    this.metrics.reduced++;
    this.onError(new Error(`record of request ${p.record.requestId} (tenant ${p.record.principal.tenant}) written REDUCED: ${p.reduced}`));
  }

  /**
   * Appends `run` to `log` in one transaction; when a record may be why it failed, appends them
   * one by one, so that the others are written, and a record refused on its own is written in
   * its reduced form. Returns the records to retry later. Throws when the moment is to blame
   * (the database unavailable): the caller keeps the whole run.
   */
  private async writeRun(log: string, run: Pending[]): Promise<Pending[]> {
    try {
      await this.appender.append(log, run.map((p) => this.eventOf(p)));
      this.count(run);
      return [];
    } catch (error) {
      if (blame(error) === "moment") throw error;
    }
    const retry: Pending[] = [];
    for (const [i, p] of run.entries()) {
      try {
        await this.appender.append(log, [this.eventOf(p)]);
        this.count([p]);
        continue;
      } catch (error) {
        const who = blame(error);
        if (who === "moment") {
          retry.push(...run.slice(i));
          break;
        }
        if (who === "either" && ++p.attempts < MAX_AMBIGUOUS_ATTEMPTS) retry.push(p);
        else if (p.reduced === undefined) {
          this.reduce(p, error);
          // Its reduced form, at once (or later, if the database is to blame now).
          retry.push(...(await this.writeRun(log, [p]).catch(() => [p])));
        } else if (who === "record") this.lose(p, error);
        else retry.push(p);
      }
    }
    return retry;
  }

  /** `n` records of `tenant` left the queue: written, reduced or lost. */
  private written(tenant: string, n: number): void {
    const left = (this.pendingOf.get(tenant) ?? 0) - n;
    if (left > 0) this.pendingOf.set(tenant, left);
    else this.pendingOf.delete(tenant);
  }

  private count(run: Pending[]): void {
    for (const p of run) if (p.reduced === undefined) this.metrics.written++;
  }

  /** A record whose reduced form is refused too: nothing of it can be written; said loudly. */
  private lose(p: Pending, error: unknown): [] {
    this.metrics.lost++;
    this.onError(new Error(`record of request ${p.record.requestId} (tenant ${p.record.principal.tenant}) NOT WRITTEN, even reduced: ${(error as Error)?.message ?? String(error)}`));
    return [];
  }
}
