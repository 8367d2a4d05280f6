import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { ALERT_KIND } from "../../core/sweep/index.js";
import { auditLogName, type LedgerStore, type StoredSweep } from "../../ledger/index.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { QUERY_COST } from "../limits.js";
import { servedEvents } from "../verified-reads.js";
import { IntegrityAlert, SearchIndexLag } from "../types/log-health.type.js";
import { Log } from "../types/log.type.js";

/** Open alerts served per log: the overview shows a handful, the integrity page links to the audit log for all. */
const MAX_OPEN_ALERTS = 50;
/** Sweep records looked through, newest first, for the last full verified one. */
const SWEEPS_PAGE = 50;
const SWEEPS_SCANNED = 1000;

/**
 * The newest sweep that re-verified the whole log (mode full; records from before modes were
 * recorded were full sweeps): an incremental one checks only what followed the last verified
 * checkpoint, so it cannot clear an alert about an older entry.
 */
async function lastFullVerified(tx: LedgerStore, auditLog: string, logName: string): Promise<StoredSweep | undefined> {
  let before: number | undefined;
  for (let seen = 0; seen < SWEEPS_SCANNED; seen += SWEEPS_PAGE) {
    const page = await tx.sweepRecords(auditLog, logName, SWEEPS_PAGE, before);
    const found = page.find((s) => s.result === "verified" && (s.mode ?? "full") === "full");
    if (found || page.length < SWEEPS_PAGE) return found;
    before = page[page.length - 1]!.recordSeq;
  }
  return undefined;
}

@Resolver(() => Log)
export class LogHealthResolver {
  @FieldResolver(() => SearchIndexLag, { description: "How far the search index is behind this log.", complexity: QUERY_COST })
  async searchIndex(@Root() log: Log, @Ctx() ctx: ApiContext): Promise<SearchIndexLag> {
    const lag = await db(ctx).use((tx) => tx.searchLagOf(log.id));
    return Object.assign(new SearchIndexLag(), { indexed: lag.indexed, pending: Math.max(0, lag.size - lag.indexed), oldestPendingAt: lag.oldestPendingAt });
  }

  @FieldResolver(() => [IntegrityAlert], {
    description: `The integrity alerts about this log still open, newest first (at most ${MAX_OPEN_ALERTS}): those recorded in the tenant's audit log after the newest full sweep that verified the log. Each alert entry is checked like any entry served.`,
    complexity: QUERY_COST * 2,
  })
  async openAlerts(@Root() log: Log, @Ctx() ctx: ApiContext): Promise<IntegrityAlert[]> {
    const audit = auditLogName(log.tenant);
    const events = await db(ctx).use(async (tx) => {
      const cleared = await lastFullVerified(tx, audit, log.name);
      const rows = await tx.newestOfKind(audit, ALERT_KIND, MAX_OPEN_ALERTS, { resource: log.name, ...(cleared ? { after: cleared.recordSeq } : {}) });
      return servedEvents(ctx, tx, rows);
    });
    ctx.rows.count += events.length;
    return events.map((e) => {
      const p = (e.payload ?? {}) as { message?: string; tamperClass?: string | null; firstBadSeq?: number | null; run?: string };
      return Object.assign(new IntegrityAlert(), {
        recordSeq: e.seq, type: e.action, at: e.occurredAt, message: p.message ?? "", tamperClass: p.tamperClass ?? null, firstBadSeq: p.firstBadSeq ?? null, run: p.run ?? "",
      });
    });
  }
}
