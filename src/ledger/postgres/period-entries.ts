/**
 * A log's entries over a period of the ledger clock. recorded_at never goes backwards within a
 * log (the appender keeps it monotonic), so a period [from, to) is one seq range
 * [firstSeq, endSeq), found by binary search over the primary key — O(log n) point reads, no
 * index on recorded_at — and then read in seq windows, so memory stays bounded however long
 * the period is.
 */
import { canonicalTimestamp } from "../../core/entry/index.js";
import type { PackEntry } from "../../core/pack/index.js";
import { int8, readBinaryCopy, textArray, timestampMs } from "./copy-binary.js";
import type { Sql } from "./db.js";
import { archivedTo } from "./retention.js";
import { ACTION, ACTOR, CHAIN_HASH, entryRangeCopy, KIND, LEAF_HASH, OCCURRED_AT, OUTCOME, PAYLOAD, PAYLOAD_HASH, RECORDED_AT, RESOURCE, SEQ, SOURCE, TAGS } from "./entry-copy.js";

/** Entries read per query. */
const WINDOW = 5000;

/** Smallest seq in [0, size] whose entry was recorded at or after `at` (size when none). */
export async function seqRecordedFrom(sql: Sql, logId: number, size: number, at: Date): Promise<number> {
  // Seqs below the archived prefix are in the archive, not here (archive/archived-store.ts reads them).
  let lo = Math.min(size, await archivedTo(sql, logId));
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


const text = (f: Buffer | null): string => (f === null ? "" : f.toString("utf8"));
/** A copy: the tuple's fields are views into a chunk that is reused after the callback. */
const bytes = (f: Buffer | null): Uint8Array => (f === null ? new Uint8Array(0) : new Uint8Array(f));

/**
 * Entries [from, to) of one log in seq order, `origin` filled in as the leaf commits to it, a
 * window at a time (one promise per window, not per entry: a million entries stream through).
 * Read with binary COPY (as the verifier reads): no hex decoding of hashes or parsing of
 * timestamp and array text, which cost more than the rest of a pack's work per entry.
 */
export async function* streamEntries(sql: Sql, logId: number, origin: string, from: number, to: number): AsyncGenerator<PackEntry[]> {
  // The leaf format is the log's (docs/leaf-format.md): a v2 entry's actor, resource and
  // payload_hash columns hold its commitments, and its leaf names them so.
  const [log] = from < to ? await sql<{ leafVersion: number }[]>`select leaf_version as "leafVersion" from logs where id = ${logId}::int` : [];
  const v2 = log?.leafVersion === 2;
  for (let start = from; start < to; start += WINDOW) {
    const end = Math.min(to, start + WINDOW);
    const batch: PackEntry[] = [];
    const stream = await sql.unsafe(entryRangeCopy(logId, start, end)).readable();
    await readBinaryCopy(stream, (t) => {
      batch.push({
        log: origin,
        seq: int8(t[SEQ]!),
        kind: text(t[KIND]!),
        actor: text(t[ACTOR]!),
        action: text(t[ACTION]!),
        resource: text(t[RESOURCE]!),
        outcome: text(t[OUTCOME]!) as PackEntry["outcome"],
        source: text(t[SOURCE]!),
        occurredAt: canonicalTimestamp(new Date(timestampMs(t[OCCURRED_AT]!))),
        recordedAt: canonicalTimestamp(new Date(timestampMs(t[RECORDED_AT]!))),
        tags: textArray(t[TAGS]!),
        payload: t[PAYLOAD] === null ? null : text(t[PAYLOAD]!),
        payloadHash: bytes(t[PAYLOAD_HASH]!),
        leafHash: bytes(t[LEAF_HASH]!),
        chainHash: bytes(t[CHAIN_HASH]!),
        ...(v2 ? { v: 2 as const } : {}),
      });
    });
    yield batch;
    // A missing row shows up as a seq gap to the caller, which checks continuity.
    if (batch.length === 0) return;
  }
}

/** The chain hash of `seq` (32 zero bytes for seq -1, the genesis value). */
export async function chainHashAt(sql: Sql, logId: number, seq: number): Promise<Uint8Array | undefined> {
  if (seq < 0) return new Uint8Array(32);
  const [row] = await sql<{ chainHash: Buffer }[]>`
    select chain_hash as "chainHash" from entries where log_id = ${logId}::int and seq = ${seq}::bigint`;
  return row ? new Uint8Array(row.chainHash) : undefined;
}
