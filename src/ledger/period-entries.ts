/**
 * A log's entries over a period of the ledger clock. recorded_at never goes backwards within a
 * log (the appender keeps it monotonic), so a period [from, to) is one seq range
 * [firstSeq, endSeq), found by binary search over the primary key — O(log n) point reads, no
 * index on recorded_at — and then read in seq windows, so memory stays bounded however long
 * the period is.
 */
import { canonicalTimestamp } from "../core/entry.js";
import type { PackEntry } from "../core/pack-entry.js";
import type { Sql } from "./db.js";

/** Entries read per query. */
const WINDOW = 5000;

/** Smallest seq in [0, size] whose entry was recorded at or after `at` (size when none). */
export async function seqRecordedFrom(sql: Sql, logId: number, size: number, at: Date): Promise<number> {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const [row] = await sql<{ recordedAt: Date }[]>`
      select recorded_at as "recordedAt" from entries where log_id = ${logId}::int and seq = ${mid}::bigint`;
    if (row && row.recordedAt.getTime() < at.getTime()) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Row {
  seq: number;
  kind: string;
  actor: string;
  action: string;
  resource: string;
  outcome: "success" | "failure";
  source: string;
  occurredAt: Date;
  recordedAt: Date;
  tags: string[];
  payload: string | null;
  payloadHash: Buffer;
  leafHash: Buffer;
  chainHash: Buffer;
}

/**
 * Entries [from, to) of one log in seq order, `origin` filled in as the leaf commits to it, a
 * window at a time (one promise per window, not per entry: a million entries stream through).
 */
export async function* streamEntries(sql: Sql, logId: number, origin: string, from: number, to: number): AsyncGenerator<PackEntry[]> {
  for (let start = from; start < to; start += WINDOW) {
    const end = Math.min(to, start + WINDOW);
    const rows = await sql<Row[]>`
      select seq, kind, actor, action, resource, outcome, source, occurred_at as "occurredAt",
             recorded_at as "recordedAt", tags, payload, payload_hash as "payloadHash",
             leaf_hash as "leafHash", chain_hash as "chainHash"
      from entries where log_id = ${logId}::int and seq >= ${start}::bigint and seq < ${end}::bigint
      order by seq`;
    const batch: PackEntry[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      batch[i] = {
        log: origin,
        seq: r.seq,
        kind: r.kind,
        actor: r.actor,
        action: r.action,
        resource: r.resource,
        outcome: r.outcome,
        source: r.source,
        occurredAt: canonicalTimestamp(r.occurredAt),
        recordedAt: canonicalTimestamp(r.recordedAt),
        tags: r.tags,
        payload: r.payload,
        payloadHash: r.payloadHash,
        leafHash: r.leafHash,
        chainHash: r.chainHash,
      };
    }
    yield batch;
    // A missing row shows up as a seq gap to the caller, which checks continuity.
    if (rows.length === 0) return;
  }
}

/** The chain hash of `seq` (32 zero bytes for seq -1, the genesis value). */
export async function chainHashAt(sql: Sql, logId: number, seq: number): Promise<Uint8Array | undefined> {
  if (seq < 0) return new Uint8Array(32);
  const [row] = await sql<{ chainHash: Buffer }[]>`
    select chain_hash as "chainHash" from entries where log_id = ${logId}::int and seq = ${seq}::bigint`;
  return row ? new Uint8Array(row.chainHash) : undefined;
}
