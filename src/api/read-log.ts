/**
 * Records every read of the ledger through the API in the reader's tenant's audit log, as a
 * `ledger.read` entry: who (key id and name), what (operation, root fields, query text,
 * variables), how many rows, and the outcome (PCI DSS 10.2.1.3: all access to audit logs).
 * Writes through the API (recordEvents) are recorded the same way, as `ledger.write`.
 *
 * Records are batched: a response never waits for its record; the recorder appends each
 * tenant's pending records in one transaction every `flushMs` (or at 500 records), retries
 * failed batches with backoff, and flushes on shutdown. Each record's idempotency key is the
 * request id, so a retried batch appends nothing twice. The appends go straight to the
 * ledger, not through the API, so recording a read is never itself a read (no recursion).
 */
import { type EventInput, toStorableText } from "../core/entry/index.js";
import { auditLogName, ensureAuditLog } from "../ledger/audit-log.js";
import type { EntryAppender, LedgerStore } from "../ledger/store.js";
import type { Principal } from "./principal.js";

export interface ReadRecord {
  requestId: string;
  principal: Principal;
  at: Date;
  operation: string | null;
  fields: string[];
  query: string;
  variables: unknown;
  rows: number;
  outcome: "success" | "failure";
  /** Error codes of a failed read. */
  errors?: string[];
  transport: "http" | "websocket";
  /** A mutation (recordEvents) is recorded as a write: `ledger.write`, rows = events accepted. */
  access?: "read" | "write";
}

const MAX_BATCH = 500;
const MAX_QUERY_CHARS = 4096;
/** Beyond this many unwritten records (the database down for long), new ones are refused loudly. */
const MAX_PENDING = 100_000;

export class ReadRecorder {
  private pending: ReadRecord[] = [];
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
  ) {
    this.appender = writer.appender();
  }

  record(record: ReadRecord): void {
    if (this.pending.length >= MAX_PENDING) {
      this.onError(new Error(`read log: ${MAX_PENDING} records pending, record of request ${record.requestId} dropped`));
      return;
    }
    this.pending.push(record);
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
    if (this.pending.length > 0) this.onError(new Error(`read log: ${this.pending.length} records could not be written before shutdown`));
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const byTenant = new Map<string, ReadRecord[]>();
    for (const r of batch) {
      const list = byTenant.get(r.principal.tenant) ?? [];
      list.push(r);
      byTenant.set(r.principal.tenant, list);
    }
    const failed: ReadRecord[] = [];
    for (const [tenant, records] of byTenant) {
      try {
        const log = auditLogName(tenant);
        if (!this.knownLogs.has(log)) {
          await ensureAuditLog(this.writer, tenant, this.originPrefix);
          this.knownLogs.add(log);
        }
        for (let i = 0; i < records.length; i += MAX_BATCH) {
          await this.appender.append(log, records.slice(i, i + MAX_BATCH).map(toEvent));
        }
      } catch (error) {
        failed.push(...records);
        this.onError(error);
      }
    }
    if (failed.length > 0) {
      // Kept, oldest first, and retried with backoff (200 ms doubling to 30 s).
      this.pending = [...failed, ...this.pending];
      this.failures++;
      this.flushSoon(Math.min(30_000, 200 * 2 ** Math.min(this.failures, 8)));
    } else {
      this.failures = 0;
      if (this.pending.length > 0) this.flushSoon(this.flushMs);
    }
  }
}

const MAX_VARIABLES_CHARS = 4096;

/** Text the ledger can store whatever the client sent: NUL and lone surrogates become U+FFFD. */
function storable(text: string, max: number): string {
  // Cut first: a cut may split a surrogate pair, which the replacement then repairs.
  return toStorableText(text.length > max ? `${text.slice(0, max)}…` : text);
}

function toEvent(r: ReadRecord): EventInput {
  const variables = r.variables === undefined || r.variables === null ? null : storable(JSON.stringify(r.variables) ?? "null", MAX_VARIABLES_CHARS);
  return {
    kind: r.access === "write" ? "ledger.write" : "ledger.read",
    actor: `api_key:${r.principal.keyId}`,
    action: r.access === "write" ? "ledger.write" : "ledger.read",
    resource: r.fields.length > 0 ? r.fields.join(",").slice(0, 1024) : "(none)",
    outcome: r.outcome,
    source: `sealtrail-api/${r.transport}`,
    occurredAt: r.at,
    payload: {
      requestId: r.requestId,
      keyName: r.principal.keyName,
      operation: r.operation === null ? null : storable(r.operation, 256),
      fields: r.fields.map((f) => storable(f, 256)),
      query: storable(r.query, MAX_QUERY_CHARS),
      queryTruncated: r.query.length > MAX_QUERY_CHARS,
      // As JSON text: the variables as sent, whatever they hold.
      variables,
      rows: r.rows,
      ...(r.errors ? { errors: r.errors } : {}),
    },
    idempotencyKey: `${r.access === "write" ? "ledger.write" : "ledger.read"}:${r.requestId}`,
  };
}
