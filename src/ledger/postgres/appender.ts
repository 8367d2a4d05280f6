/**
 * The appender: the only code path that writes entries. A batch is appended in one
 * transaction under a per-log advisory lock: seqs follow the last one without gaps, hashes
 * chain from the last chain hash, and the interior Merkle nodes completed by the batch are
 * stored with it. Re-sent events (same idempotency key) return their original seq.
 */
import { chainHash, GENESIS_CHAIN_HASH, SALT_SIZE, canonicalTimestamp, LeafBytes, checkPreparedEvent, type EventInput, GENERATED_KEY_PREFIX, givenIdempotencyKey, normalizeEvent, type NormalizedEvent, type PreparedEvent } from "../../core/entry/index.js";
import { sha256 } from "../../core/encoding/index.js";
import { CoreError } from "../../core/errors.js";
import { appendToFrontier } from "../../core/merkle/index.js";
import { MAX_ENTRY_SIZE as MAX_LEAF_DATA } from "../../core/tiles/index.js";
import { CopyBinaryRows } from "./copy-binary-rows.js";
import type { Sql } from "./db.js";
import { LedgerError } from "../errors.js";
import type { AppendReceipt, AppenderOptions, EntryAppender } from "../records.js";
import { findLog, type Log } from "./logs.js";
import { loadFrontier, STORED_NODE_MIN_LEVEL } from "../tree.js";
import { fetchNodes, insertNodes } from "./nodes.js";
import { type CommittedEvent, EntryCommitments } from "./entry-commitments.js";

/** Namespace of the per-log advisory locks (the first half of the two-key form). */
export const APPEND_LOCK_NAMESPACE = 0x5ea1;

/**
 * Takes the per-log advisory lock that appends and checkpoints of a log hold until their
 * transaction ends. Advisory locks are database-wide but log ids are per schema, so the first
 * key mixes in the OID of this schema's logs table: ledgers in other schemas of the same
 * database (log 1 of each, say) do not queue behind each other.
 */
export function lockLog(tx: Sql, logId: number) {
  return tx`select pg_advisory_xact_lock(${APPEND_LOCK_NAMESPACE} # 'logs'::regclass::oid::int4, ${logId})`;
}

export type { AppendReceipt, AppenderOptions } from "../records.js";

interface Head {
  seq: number;
  chainHash: Buffer;
  recordedAt: Date;
}

/** Bytes of COPY data sent at a time: ~100 rows, so Postgres starts on a batch early. */
const COPY_CHUNK = 1 << 16;
/** Events checked while the first round trip of a batch is under way: about one chunk. */
const EARLY_EVENTS = 128;

/** An event of a batch in the form the appender hashes and stores; throws LedgerError. */
type Normalizer<E> = (event: E, index: number, now: Date) => NormalizedEvent;

interface TreeState {
  size: number;
  chainHead: Uint8Array;
  lastRecordedAt: number;
  frontier: Uint8Array[];
}

export class Appender implements EntryAppender {
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
   * Append `events` to log `logName` atomically. One invalid event rejects the batch
   * (LedgerError INVALID_INPUT naming its index) and stores nothing. Events are checked as
   * they are written, inside the transaction, so that Postgres stores the first rows of a
   * batch while the rest are still being checked and hashed; an invalid one rolls it back.
   */
  async append(logName: string, events: readonly EventInput[]): Promise<AppendReceipt[]> {
    return this.appendWith(logName, events, (event, i, now) => this.checked(i, () => normalizeEvent(event, now, this.maxPayloadBytes)));
  }

  /**
   * append() for events a producer normalised with prepareEvent (an ingest job that says so):
   * checkPreparedEvent instead of normalizeEvent, so the payload is not canonicalized again.
   * Errors as append().
   */
  async appendPrepared(logName: string, events: readonly PreparedEvent[]): Promise<AppendReceipt[]> {
    return this.appendWith(logName, events, (event, i) => this.checked(i, () => checkPreparedEvent(event, this.maxPayloadBytes)));
  }

  private async appendWith<E extends EventInput | PreparedEvent>(logName: string, events: readonly E[], normalize: Normalizer<E>): Promise<AppendReceipt[]> {
    const log = await this.log(logName);
    if (events.length === 0) return [];
    const now = this.now();
    // Only keys a source gave can have been seen before; the others get one made from their seq.
    const given = new Set<string>();
    for (const event of events) {
      const key = givenIdempotencyKey(event);
      if (key !== undefined) given.add(key);
    }
    try {
      return await this.sql.begin((tx) => this.appendLocked(tx as unknown as Sql, log, events, normalize, now, [...given]));
    } catch (error) {
      this.states.delete(log.id);
      if (error instanceof LedgerError) throw error;
      throw new LedgerError("DATABASE", `appending to ${logName}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** A CoreError of event `i` as the batch's INVALID_INPUT. */
  private checked(i: number, normalize: () => NormalizedEvent): NormalizedEvent {
    try {
      return normalize();
    } catch (error) {
      if (error instanceof CoreError) throw new LedgerError("INVALID_INPUT", `event ${i}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  /**
   * Long: one transaction's pipeline on one connection — the lock, head and key reads sent
   * with the COPY's start, the rows streamed while the next events are hashed, then the
   * tree nodes and the notice — whose steps share the batch's state (head, known keys,
   * chain, leaves) and one rule across them: an open COPY is aborted before any error
   * leaves, or it would swallow the rollback.
   */
  private async appendLocked<E>(tx: Sql, log: Log, events: readonly E[], normalize: Normalizer<E>, now: Date, given: string[]): Promise<AppendReceipt[]> {
    // The lock, the head, the known keys and the start of the COPY in one round trip:
    // statements sent together run in order on the transaction's connection, so the reads run
    // once the lock is granted and, under READ COMMITTED, see the previous holder's commit.
    const reads = Promise.all([
      lockLog(tx, log.id),
      tx<Head[]>`
        select seq, chain_hash as "chainHash", recorded_at as "recordedAt" from entries
        where log_id = ${log.id} order by seq desc limit 1`,
      given.length === 0
        ? []
        : tx<{ key: string; seq: number; leafHash: Buffer }[]>`
            select idempotency_key as key, seq, leaf_hash as "leafHash" from entries
            where log_id = ${log.id} and idempotency_key = any(${given}::text[])`,
    ]);
    const opening = CopyIn.open(
      tx`copy entries (log_id, seq, kind, actor, action, resource, outcome, source, occurred_at, recorded_at, tags, payload, payload_hash, leaf_hash, chain_hash, idempotency_key) from stdin (format binary)`,
    );
    // Meanwhile, the first events are checked.
    const normalized: NormalizedEvent[] = [];
    let early: unknown;
    try {
      for (let i = 0; i < Math.min(events.length, EARLY_EVENTS); i++) normalized.push(normalize(events[i]!, i, now));
    } catch (error) {
      early = error;
    }
    const [readsDone, copyDone] = await Promise.allSettled([reads, opening]);
    const failure = early ?? (readsDone.status === "rejected" ? readsDone.reason : undefined) ?? (copyDone.status === "rejected" ? copyDone.reason : undefined);
    if (failure !== undefined) {
      // A COPY left open would swallow the rollback: give it up first.
      if (copyDone.status === "fulfilled") copyDone.value.abort(failure as Error);
      throw failure;
    }
    const [, heads, existing] = (readsDone as PromiseFulfilledResult<Awaited<typeof reads>>).value;
    const copy = (copyDone as PromiseFulfilledResult<CopyIn>).value;
    const state = this.treeState(log, heads[0]);
    const seen = new Map<string, { seq: number; leafHash: Uint8Array }>();
    for (const row of existing) seen.set(row.key, { seq: row.seq, leafHash: new Uint8Array(row.leafHash) });

    // recorded_at never goes backwards along seq, whatever the wall clock does.
    const recordedMs = Math.max(this.now().getTime(), state.lastRecordedAt);
    const recordedAt = canonicalTimestamp(new Date(recordedMs));
    const receipts: AppendReceipt[] = [];
    const leaves: Uint8Array[] = [];
    let chain = state.chainHead;
    // Rows go to Postgres chunk by chunk while the next ones are checked and hashed: the two
    // run on different cores.
    const rows = new CopyBinaryRows();
    const leafBytes = new LeafBytes(log.origin, log.leafVersion);
    // Leaf format v2: salted commitments, the values and salts to entry_secrets after the entries.
    const secrets = log.leafVersion === 2 ? new EntryCommitments() : null;
    try {
      for (let i = 0; i < events.length; i++) {
        const e = normalized[i] ?? normalize(events[i]!, i, now);
        const prior = e.idempotencyKey === undefined ? undefined : seen.get(e.idempotencyKey);
        if (prior) {
          receipts.push({ seq: prior.seq, leafHash: prior.leafHash, idempotencyKey: e.idempotencyKey!, duplicate: true });
          continue;
        }
        const seq = state.size + leaves.length;
        // Generated keys follow seq, so the unique index grows at its right edge (no random
        // page writes, as UUIDs would cause); sources cannot use the prefix (event.ts).
        const key = e.idempotencyKey ?? `${GENERATED_KEY_PREFIX}${seq}`;
        const stored = secrets ? secrets.commit(e, seq) : e;
        // entryLeafHash, with the leaf input written straight to bytes (no leafData string).
        const input = leafBytes.writeMetadata({
          log: log.origin, seq, kind: e.kind, actor: stored.actor, action: e.action, resource: stored.resource,
          outcome: e.outcome, source: e.source, occurredAt: e.occurredAt, recordedAt, tags: e.tags, payloadHash: stored.payloadHash, v: log.leafVersion,
        });
        // The input is 0x00 || leaf data; C2SP tlog-tiles entry bundles prefix each entry with
        // a big-endian uint16 length ("Log entries"), so leaf data over 65535 bytes could never
        // be served as tiles: refused here rather than stored unservable.
        if (input.length - 1 > MAX_LEAF_DATA) throw new LedgerError("INVALID_INPUT", `event ${i}: leaf data of ${input.length - 1} bytes, at most ${MAX_LEAF_DATA} (C2SP tlog-tiles entry bundles)`);
        const leaf = sha256(input);
        chain = chainHash(chain, leaf);
        leaves.push(leaf);
        // Only a source's key can come again in the batch (the generated prefix is reserved).
        if (e.idempotencyKey !== undefined) seen.set(key, { seq, leafHash: leaf });
        receipts.push({ seq, leafHash: leaf, idempotencyKey: key, duplicate: false });
        writeEntryRow(rows, log.id, seq, stored, recordedMs, leaf, chain, key);
        if (rows.length >= COPY_CHUNK) await copy.write(rows.take());
      }
      rows.trailer();
      await copy.end(rows.take());
    } catch (error) {
      copy.abort(error as Error);
      throw error;
    }

    if (leaves.length === 0) return receipts; // Every event was seen before: nothing stored.
    // The statements after the COPY are its barrier (CopyIn below): each fails with 25P02 when
    // the server refused a row. The frontier of a head this appender did not write is read
    // only now, as no other statement can run while the COPY is open.
    let frontier: Uint8Array[];
    try {
      if (secrets) await insertSecrets(tx, log.id, secrets);
      const before = state.frontier ?? (await loadFrontier({ fetchNodes: (id, ids) => fetchNodes(tx, id, ids) }, log.id, state.size));
      const appended = appendToFrontier(before, state.size, leaves);
      frontier = appended.frontier;
      const stored = appended.nodes.filter((n) => n.level >= STORED_NODE_MIN_LEVEL);
      await Promise.all([
        stored.length === 0
          ? undefined
          : insertNodes(tx, log.id, stored),
        // Every ledger of the database shares the channel: the payload names the schema, so a
        // listener takes only its own ledger's logs (log ids are per schema).
        tx`select pg_notify('sealtrail_appended', current_schema() || ${`:${log.id}:${state.size}:${state.size + leaves.length}`})`,
      ]);
    } catch (error) {
      if (error instanceof LedgerError && error.code !== "DATABASE") throw error;
      throw new LedgerError("DATABASE", "the database refused the batch; nothing was appended", { cause: error });
    }
    // Remembered only once the transaction commits (append() forgets it on any error).
    this.states.set(log.id, {
      size: state.size + leaves.length,
      chainHead: chain,
      lastRecordedAt: recordedMs,
      frontier,
    });
    return receipts;
  }

  /** The tree after `head`: this appender's own, or, when another wrote since, without its frontier yet. */
  private treeState(log: Log, head: Head | undefined): TreeState | (Omit<TreeState, "frontier"> & { frontier: null }) {
    if (!head) return { size: 0, chainHead: GENESIS_CHAIN_HASH, lastRecordedAt: 0, frontier: [] };
    const cached = this.states.get(log.id);
    if (cached && cached.size === head.seq + 1 && Buffer.compare(cached.chainHead, head.chainHash) === 0) return cached;
    return { size: head.seq + 1, chainHead: new Uint8Array(head.chainHash), lastRecordedAt: head.recordedAt.getTime(), frontier: null };
  }
}

/**
 * COPY ... FROM STDIN inside the append transaction, written chunk by chunk. postgres.js 3.4
 * never settles a COPY FROM that the server refuses: the error arrives after the stream was
 * ended, and is dropped. So once end() has sent CopyDone (the stream's final step), the caller
 * must follow with a query on the same connection, a barrier: it succeeds only if the COPY
 * did, and fails (transaction aborted, 25P02) if it did not.
 */
class CopyIn {
  private constructor(
    private readonly writable: NodeJS.WritableStream & { _final(callback: (error?: Error | null) => void): void },
    private readonly failed: Promise<never>,
  ) {}

  static async open(query: ReturnType<Sql>): Promise<CopyIn> {
    const writable = (await (query as unknown as { writable(): Promise<NodeJS.WritableStream> }).writable()) as CopyIn["writable"];
    const failed = new Promise<never>((_, reject) => writable.on("error", reject));
    failed.catch(() => {}); // Seen through write() and end().
    return new CopyIn(writable, failed);
  }

  /** Resolves once the chunk is on the socket, so that the caller's next work overlaps the server's. */
  write(chunk: Buffer): Promise<void> {
    return Promise.race([new Promise<void>((resolve) => this.writable.write(chunk, () => resolve())), this.failed]);
  }

  /** Writes the last chunk and sends CopyDone. */
  end(chunk: Buffer): Promise<void> {
    const sent = new Promise<void>((resolve) => {
      const final = this.writable._final.bind(this.writable);
      this.writable._final = (callback) => {
        final(callback);
        resolve();
      };
    });
    this.writable.end(chunk);
    return Promise.race([sent, this.failed]);
  }

  /** Gives up on the COPY (CopyFail): the server aborts the transaction, which then rolls back. */
  abort(error: Error): void {
    (this.writable as unknown as { destroy(error: Error): void }).destroy(error);
  }
}

/** A v2 batch's salts and values, after its entries and in the same transaction. */
async function insertSecrets(tx: Sql, logId: number, secrets: EntryCommitments): Promise<void> {
  if (secrets.seqs.length === 0) return;
  await tx`
    insert into entry_secrets (log_id, seq, field, salt, value)
    select ${logId}, s.seq, s.field, substring(${Buffer.concat(secrets.salts)}::bytea from (${SALT_SIZE} * s.n - ${SALT_SIZE - 1})::int for ${SALT_SIZE}), s.value
    from unnest(${secrets.seqs}::int8[], ${secrets.fields}::int2[], ${secrets.values}::text[]) with ordinality as s(seq, field, value, n)`;
}

/** One entries row, in the column order of the appender's COPY statement. */
export function writeEntryRow(
  rows: CopyBinaryRows,
  logId: number,
  seq: number,
  e: CommittedEvent,
  recordedMs: number,
  leaf: Uint8Array,
  chain: Uint8Array,
  key: string,
): void {
  rows.row(16);
  rows.int4(logId);
  rows.int8(seq);
  rows.text(e.kind);
  rows.text(e.actor);
  rows.text(e.action);
  rows.text(e.resource);
  rows.text(e.outcome);
  rows.text(e.source);
  rows.timestamptz(Date.parse(e.occurredAt));
  rows.timestamptz(recordedMs);
  rows.textArray(e.tags);
  if (e.payload === null) rows.null();
  else rows.text(e.payload);
  rows.bytea(e.payloadHash);
  rows.bytea(leaf);
  rows.bytea(chain);
  rows.text(key);
}
