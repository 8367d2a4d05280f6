/**
 * The appender: the only code path that writes entries. A batch is appended in one
 * transaction under a per-log advisory lock: seqs follow the last one without gaps, hashes
 * chain from the last chain hash, and the interior Merkle nodes completed by the batch are
 * stored with it. Re-sent events (same idempotency key) return their original seq.
 */
import { chainHash, entryLeafHash, GENESIS_CHAIN_HASH, canonicalTimestamp } from "../core/entry.js";
import { CoreError } from "../core/errors.js";
import { type EventInput, GENERATED_KEY_PREFIX, normalizeEvent, type NormalizedEvent } from "../core/event.js";
import { appendToFrontier } from "../core/merkle.js";
import { copyBytea, copyNullable, copyText, copyTextArray } from "./copy-text.js";
import type { Sql } from "./db.js";
import { LedgerError } from "./errors.js";
import { findLog, type Log } from "./logs.js";
import { loadFrontier, STORED_NODE_MIN_LEVEL } from "./tree.js";

/** Namespace of the per-log advisory locks (the first half of the two-key form). */
export const APPEND_LOCK_NAMESPACE = 0x5ea1;

export interface AppendReceipt {
  seq: number;
  leafHash: Uint8Array;
  idempotencyKey: string;
  /** True when the key was seen before: nothing was appended for this event. */
  duplicate: boolean;
}

export interface AppenderOptions {
  maxPayloadBytes?: number;
  /** Ledger clock; tests may pin it. */
  now?: () => Date;
}

interface TreeState {
  size: number;
  chainHead: Uint8Array;
  lastRecordedAt: number;
  frontier: Uint8Array[];
}

export class Appender {
  private readonly logs = new Map<string, Log>();
  // Frontier per log, valid only while the stored head (size, chain hash) still matches it.
  private readonly states = new Map<number, TreeState>();
  private readonly now: () => Date;
  private readonly maxPayloadBytes: number;

  constructor(
    private readonly sql: Sql,
    options: AppenderOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.maxPayloadBytes = options.maxPayloadBytes ?? 1 << 20;
  }

  async log(name: string): Promise<Log> {
    let log = this.logs.get(name);
    if (!log) {
      log = await findLog(this.sql, name);
      this.logs.set(name, log);
    }
    return log;
  }

  /**
   * Append `events` to log `logName` atomically. Every event is validated first: one invalid
   * event rejects the batch (LedgerError INVALID_INPUT naming its index) and stores nothing.
   */
  async append(logName: string, events: readonly EventInput[]): Promise<AppendReceipt[]> {
    const log = await this.log(logName);
    if (events.length === 0) return [];
    const now = this.now();
    const normalized = events.map((event, i) => {
      try {
        return normalizeEvent(event, now, this.maxPayloadBytes);
      } catch (error) {
        if (error instanceof CoreError) throw new LedgerError("INVALID_INPUT", `event ${i}: ${error.message}`, { cause: error });
        throw error;
      }
    });
    // Only keys a source gave can have been seen before; the others get one made from their seq.
    const given = [...new Set(normalized.flatMap((e) => (e.idempotencyKey === undefined ? [] : [e.idempotencyKey])))];
    try {
      return await this.sql.begin((tx) => this.appendLocked(tx as unknown as Sql, log, normalized, given));
    } catch (error) {
      this.states.delete(log.id);
      if (error instanceof LedgerError) throw error;
      throw new LedgerError("DATABASE", `appending to ${logName}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async appendLocked(tx: Sql, log: Log, events: NormalizedEvent[], given: string[]): Promise<AppendReceipt[]> {
    // READ COMMITTED: after the lock is granted, each statement sees the previous holder's commit.
    await tx`select pg_advisory_xact_lock(${APPEND_LOCK_NAMESPACE}, ${log.id})`;
    const state = await this.treeState(tx, log);

    const seen = new Map<string, { seq: number; leafHash: Uint8Array }>();
    const existing =
      given.length === 0
        ? []
        : await tx<{ key: string; seq: number; leafHash: Buffer }[]>`
            select idempotency_key as key, seq, leaf_hash as "leafHash" from entries
            where log_id = ${log.id} and idempotency_key = any(${given}::text[])`;
    for (const row of existing) seen.set(row.key, { seq: row.seq, leafHash: new Uint8Array(row.leafHash) });

    // recorded_at never goes backwards along seq, whatever the wall clock does.
    const recordedAt = canonicalTimestamp(new Date(Math.max(this.now().getTime(), state.lastRecordedAt)));
    const receipts: AppendReceipt[] = [];
    const leaves: Uint8Array[] = [];
    let rows = "";
    let chain = state.chainHead;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const prior = e.idempotencyKey === undefined ? undefined : seen.get(e.idempotencyKey);
      if (prior) {
        receipts.push({ seq: prior.seq, leafHash: prior.leafHash, idempotencyKey: e.idempotencyKey!, duplicate: true });
        continue;
      }
      const seq = state.size + leaves.length;
      // Generated keys follow seq, so the unique index grows at its right edge (no random
      // page writes, as UUIDs would cause); sources cannot use the prefix (event.ts).
      const key = e.idempotencyKey ?? `${GENERATED_KEY_PREFIX}${seq}`;
      // Fields named, not spread: copying the whole event per entry cost ~8 µs (BENCHMARKS.md).
      const leaf = entryLeafHash({
        log: log.origin, seq, kind: e.kind, actor: e.actor, action: e.action, resource: e.resource,
        outcome: e.outcome, source: e.source, occurredAt: e.occurredAt, recordedAt, tags: e.tags, payloadHash: e.payloadHash,
      });
      chain = chainHash(chain, leaf);
      leaves.push(leaf);
      seen.set(key, { seq, leafHash: leaf });
      receipts.push({ seq, leafHash: leaf, idempotencyKey: key, duplicate: false });
      rows +=
        `${log.id}\t${seq}\t${copyText(e.kind)}\t${copyText(e.actor)}\t${copyText(e.action)}\t${copyText(e.resource)}\t` +
        `${e.outcome}\t${copyText(e.source)}\t${e.occurredAt}\t${recordedAt}\t${copyTextArray(e.tags)}\t` +
        `${copyNullable(e.payload)}\t${copyBytea(e.payloadHash)}\t${copyBytea(leaf)}\t${copyBytea(chain)}\t${copyText(key)}\n`;
    }
    if (leaves.length === 0) return receipts;

    const { frontier, nodes } = appendToFrontier(state.frontier, state.size, leaves);
    await copyRows(
      tx,
      tx`copy entries (log_id, seq, kind, actor, action, resource, outcome, source, occurred_at, recorded_at, tags, payload, payload_hash, leaf_hash, chain_hash, idempotency_key) from stdin`,
      rows,
    );
    let nodeRows = "";
    for (const n of nodes) if (n.level >= STORED_NODE_MIN_LEVEL) nodeRows += `${log.id}\t${n.level}\t${n.index}\t${copyBytea(n.hash)}\n`;
    if (nodeRows.length > 0) {
      await copyRows(tx, tx`copy merkle_nodes (log_id, level, idx, hash) from stdin`, nodeRows);
    }
    // Every ledger of the database shares the channel: the payload names the schema, so a
    // listener takes only its own ledger's logs (log ids are per schema).
    await tx`select pg_notify('sealtrail_appended', current_schema() || ${`:${log.id}:${state.size}:${state.size + leaves.length}`})`;
    // Remembered only once the transaction commits (append() forgets it on any error).
    this.states.set(log.id, {
      size: state.size + leaves.length,
      chainHead: chain,
      lastRecordedAt: Date.parse(recordedAt),
      frontier,
    });
    return receipts;
  }

  private async treeState(tx: Sql, log: Log): Promise<TreeState> {
    const [head] = await tx<{ seq: number; chainHash: Buffer; recordedAt: Date }[]>`
      select seq, chain_hash as "chainHash", recorded_at as "recordedAt" from entries
      where log_id = ${log.id} order by seq desc limit 1`;
    if (!head) return { size: 0, chainHead: GENESIS_CHAIN_HASH, lastRecordedAt: 0, frontier: [] };
    const cached = this.states.get(log.id);
    if (cached && cached.size === head.seq + 1 && Buffer.compare(cached.chainHead, head.chainHash) === 0) return cached;
    return {
      size: head.seq + 1,
      chainHead: new Uint8Array(head.chainHash),
      lastRecordedAt: head.recordedAt.getTime(),
      frontier: await loadFrontier(tx, log.id, head.seq + 1),
    };
  }
}

/**
 * COPY ... FROM STDIN inside the append transaction. postgres.js 3.4 never settles a COPY FROM
 * that the server refuses: the error arrives after the stream was ended, and is dropped. So
 * once the stream has sent CopyDone (its final step), a barrier query follows on the same
 * connection: it succeeds only if the COPY did, and fails (transaction aborted) if it did not.
 */
async function copyRows(tx: Sql, query: ReturnType<Sql>, rows: string): Promise<void> {
  const writable = (await (query as unknown as { writable(): Promise<NodeJS.WritableStream> }).writable()) as NodeJS.WritableStream & {
    _final(callback: (error?: Error | null) => void): void;
  };
  const sent = new Promise<void>((resolve, reject) => {
    const final = writable._final.bind(writable);
    writable._final = (callback) => {
      final(callback);
      resolve();
    };
    writable.on("error", reject);
  });
  writable.end(rows);
  await sent;
  try {
    await tx`select 1`;
  } catch (error) {
    throw new LedgerError("DATABASE", "the database refused the batch; nothing was appended", { cause: error });
  }
}
