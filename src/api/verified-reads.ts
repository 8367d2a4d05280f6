/**
 * Everything the API serves from the ledger passes here first (docs/security.md, "Verified
 * reads"): entries re-hashed (ledger-view.ts) and checked against the newest signed checkpoint,
 * checkpoints checked for their signature and their place in the signed history, proofs checked
 * before they are handed out (read-verifier.ts). What fails is answered LEDGER_INCONSISTENT,
 * never served, and raised as an alert (integrity-alarm.ts); the request's read record says
 * `failure` with that code.
 */
import type { LedgerStore, ServedEntry, StoredCheckpoint } from "../ledger/index.js";
import type { ApiContext } from "./context.js";
import { toCheckpoint, toEvent } from "./ledger-view.js";
import { InconsistentRead, type LogRef, type NodesAhead, type Trusted } from "./read-verifier.js";
import type { Checkpoint } from "./types/checkpoint.type.js";
import type { Event } from "./types/event.type.js";


/** Runs `fn`; an inconsistency it finds is raised before it is thrown on. */
export async function guarded<T>(ctx: ApiContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof InconsistentRead && ctx.principal) ctx.integrity.alarm.report(ctx.principal.tenant, { log: error.log, seq: error.seq, message: error.message });
    throw error;
  }
}

/** Reads a page's check will make, sent with the page's query (readsAhead). */
export interface Prefetched {
  checkpoints: Map<number, Promise<StoredCheckpoint | undefined>>;
  nodes?: { logId: number; ahead: NodesAhead };
}

/**
 * Resolves once the queries sent so far are on the socket: postgres.js writes a query on the
 * event loop's next turn (setImmediate), after the microtasks that queue it. Work done before
 * that delays the query rather than overlapping it.
 */
function written(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * The reads a page's check will make, sent once, when first asked for: right behind the
 * statement that reads the page (FindOptions.alongside), or by the check itself (servedEvents).
 */
export class ReadsAhead {
  private sent: { reads: Prefetched | undefined } | undefined;

  constructor(private readonly send: () => Prefetched | undefined) {}

  /** Whether the reads are sent. */
  get taken(): boolean {
    return this.sent !== undefined;
  }

  /** The reads, sent now if they are not yet (none after close). */
  take(): Prefetched | undefined {
    this.sent ??= { reads: this.send() };
    return this.sent.reads;
  }

  /**
   * No reads are sent after this: called when the work of the request's transaction is done,
   * so that a send still waiting for its turn (alongside, for a page with no rows to check)
   * cannot put statements on a connection the transaction is handing back.
   */
  close(): void {
    this.sent ??= { reads: undefined };
  }

  /**
   * For FindOptions.alongside: the reads are sent once the page's statement is on the socket,
   * so that they follow it. The database answers the page first, and then them while the
   * page's rows are re-hashed here; sent ahead of the page, they held its answer back by
   * their own time in the database. The plan of the check is made then too, not before the
   * page's statement is written. A failure here is left for the check, which sends again.
   */
  readonly alongside = (): void => {
    written()
      .then(() => this.take())
      .catch(() => {});
  };
}

/**
 * The reads servedEvents will make, to be sent with the page's query, in the request's
 * transaction, so that they travel in the same round trip (the connection pipelines them):
 * the newest checkpoints of the logs the tenant's recent pages held (ReadVerifier.prefetch),
 * or of the one log a page after a cursor is expected to hold, and, for a page expected to be
 * `count` entries of one log from seq `from` (after a cursor, with no filter but logs), the
 * stored nodes its check needs (ReadVerifier.prefetchNodes). A round trip saved is worth more
 * than the reads' time in the database: on a busy machine each one waits for both processes
 * to be scheduled. Only reads move: what is checked, and against what, is the same.
 */
export function readsAhead(ctx: ApiContext, tx: LedgerStore, expected?: { logId: number; from: number; count: number }): ReadsAhead | undefined {
  if (!ctx.principal || !ctx.integrity.verifier.enabled) return undefined;
  const { verifier } = ctx.integrity;
  const tenant = ctx.principal.tenant;
  return new ReadsAhead(() => {
    const seqs = expected ? Array.from({ length: expected.count }, (_, k) => ({ seq: expected.from + k })) : [];
    // A page expected to be of one log reads that log's checkpoint alone: the others' reads
    // would be answered and dropped (one that crosses into the next log reads its checkpoint
    // after the page, as any log not read ahead).
    const checkpoints = expected ? new Map([[expected.logId, verifier.readCheckpoint(tx, expected.logId)]]) : verifier.prefetch(tx, tenant);
    const nodes = expected && verifier.prefetchNodes(tx, expected.logId, seqs);
    return { checkpoints, ...(nodes && expected ? { nodes: { logId: expected.logId, ahead: nodes } } : {}) };
  });
}

/** The rows as events, each checked; one that fails fails them all (no partial page of a changed log). */
export function servedEvents(ctx: ApiContext, tx: LedgerStore, rows: readonly ServedEntry[], ahead?: ReadsAhead): Promise<Event[]> {
  return guarded(ctx, async () => {
    const { verifier } = ctx.integrity;
    if (!verifier.enabled || rows.length === 0) return rows.map(toEvent);
    // Read ahead with the page's query, or sent now, before the rows are re-hashed.
    let sent = ahead !== undefined && !ahead.taken;
    const prefetched = ahead?.take();
    const byLog = new Map<number, { log: LogRef; leaves: { seq: number; leafHash: Uint8Array }[] }>();
    for (const row of rows) {
      let group = byLog.get(row.logId);
      if (!group) byLog.set(row.logId, (group = { log: { id: row.logId, name: row.log, origin: row.origin }, leaves: [] }));
      group.leaves.push({ seq: row.seq, leafHash: row.leafHash });
    }
    // Each log's checkpoint and the stored nodes its leaves need, when not read with the
    // page, are sent before the rows are re-hashed, so that the database answers while they
    // are; they are checked after.
    const reads = [...byLog.values()].map(({ log, leaves }) => {
      const checkpointAhead = prefetched?.checkpoints.get(log.id);
      const nodesAhead = prefetched?.nodes?.logId === log.id ? prefetched.nodes.ahead : undefined;
      const checkpoint = checkpointAhead ?? verifier.readCheckpoint(tx, log.id);
      const nodes = nodesAhead ?? verifier.prefetchNodes(tx, log.id, leaves);
      sent ||= !checkpointAhead || (!nodesAhead && nodes?.read !== undefined);
      return { log, leaves, checkpoint, nodes };
    });
    if (sent) await written();
    const events = rows.map(toEvent);
    for (const { log, leaves, checkpoint, nodes } of reads) {
      const trusted = await verifier.trusted(tx, log, checkpoint);
      if (trusted) await verifier.leaves(tx, log, trusted, leaves, nodes);
      if (ctx.principal) verifier.served(ctx.principal.tenant, log.id);
    }
    return events;
  });
}

/** The newest trusted checkpoint of the log (undefined before the first, or without a key). */
export function trustedOf(ctx: ApiContext, tx: LedgerStore, log: LogRef): Promise<Trusted | undefined> {
  return guarded(ctx, () => ctx.integrity.verifier.trusted(tx, log));
}

/** A checkpoint row as served: signed by the log's key and on its trusted history. */
export function servedCheckpoint(ctx: ApiContext, tx: LedgerStore, log: LogRef, row: StoredCheckpoint, trusted?: Trusted): Promise<Checkpoint> {
  return guarded(ctx, async () => {
    const { verifier } = ctx.integrity;
    await verifier.checkpoint(tx, log, row, trusted ?? (await verifier.trusted(tx, log)));
    return toCheckpoint(log, row);
  });
}
