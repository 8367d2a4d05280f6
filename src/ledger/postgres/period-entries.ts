/**
 * A log's entries over a period of the ledger clock. recorded_at never goes backwards within a
 * log (the appender keeps it monotonic), so a period [from, to) is one seq range
 * [firstSeq, endSeq), found by binary search over the primary key — O(log n) point reads, no
 * index on recorded_at — and then read in seq windows, so memory stays bounded however long
 * the period is.
 */
import { CanonicalTimes } from "../../core/entry/index.js";
import type { PackEntry } from "../../core/pack/index.js";
import { LedgerError } from "../errors.js";
import { copyChunks, CopyRowParser, int8, textArray, timestampMs, timestampMsAt } from "./copy-binary.js";
import type { Sql } from "./db.js";
import { archivedTo } from "./retention.js";
import { ACTION, ACTOR, CHAIN_HASH, entryRangeCopy, KIND, LEAF_HASH, OCCURRED_AT, OUTCOME, PAYLOAD, PAYLOAD_HASH, RECORDED_AT, RESOURCE, SEQ, SOURCE, TAGS } from "./entry-copy.js";

/** Entries read per query. */
const WINDOW = 5000;
/** Entries handed out at a time (or a few more: those of the last block parsed), so the objects alive at once stay few. */
const BATCH = 200;

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

/**
 * Entries [from, to) of one log in seq order, `origin` filled in as the leaf commits to it, a
 * batch at a time (one promise per batch, not per entry: a million entries stream through).
 * Read with binary COPY (as the verifier reads): no hex decoding of hashes or parsing of
 * timestamp and array text, which cost more than the rest of a pack's work per entry. The
 * next window is asked for before a window's entries are handed out, so the database reads
 * it while the caller works (the pack builder's hashing and writing); it is kept as the
 * driver's bytes and made into entries a batch at a time, as the caller asks for them.
 */
export async function* streamEntries(sql: Sql, logId: number, origin: string, from: number, to: number): AsyncGenerator<PackEntry[]> {
  // The leaf format is the log's (docs/leaf-format.md): a v2 entry's actor, resource and
  // payload_hash columns hold its commitments, and its leaf names them so.
  const [log] = from < to ? await sql<{ leafVersion: number }[]>`select leaf_version as "leafVersion" from logs where id = ${logId}::int` : [];
  const rows = new EntryRows(origin, log?.leafVersion === 2);
  const window = async (start: number): Promise<Buffer[]> => copyChunks(await sql.unsafe(entryRangeCopy(logId, start, Math.min(to, start + WINDOW))).readable());
  const ahead = (start: number): Promise<Buffer[]> => {
    const read = window(start);
    // Handled now: a failed read ahead is thrown where it is awaited, not as an unhandled rejection meanwhile.
    read.catch(() => {});
    return read;
  };
  let next: Promise<Buffer[]> | undefined = from < to ? ahead(from) : undefined;
  try {
    for (let start = from; next !== undefined; start += WINDOW) {
      const chunks = await next;
      next = start + WINDOW < to ? ahead(start + WINDOW) : undefined;
      let batch: PackEntry[] = [];
      let count = 0;
      const parser = new CopyRowParser((row, f, n) => batch.push(rows.entry(row, f, n)));
      for (const chunk of chunks) {
        parser.push(chunk);
        if (batch.length >= BATCH) {
          count += batch.length;
          yield batch;
          batch = [];
        }
      }
      if (!parser.ended) throw new LedgerError("DATABASE", "COPY binary: stream ended before the trailer");
      count += batch.length;
      // An empty window is handed out (and ends the stream): a missing row shows up as a seq gap to the caller, which checks continuity.
      if (batch.length > 0 || count === 0) yield batch;
      if (count === 0) return;
    }
  } finally {
    // A caller that stops early (an inconsistent entry) leaves no read running behind it.
    await next?.catch(() => {});
  }
}

/**
 * A COPY row as a PackEntry, its fields read in place: text decoded, the three hashes copied
 * out (the row's bytes are reused after the callback), timestamps formatted per day.
 */
class EntryRows {
  private readonly occurred = new CanonicalTimes();
  private readonly recorded = new CanonicalTimes();

  constructor(private readonly origin: string, private readonly v2: boolean) {}

  entry(row: Buffer, f: Int32Array, n: number): PackEntry {
    const text = (k: number): string => (k >= n || f[2 * k + 1]! < 0 ? "" : row.toString("utf8", f[2 * k]!, f[2 * k]! + f[2 * k + 1]!));
    return {
      log: this.origin,
      seq: int8(this.field(row, f, n, SEQ)!),
      kind: text(KIND),
      actor: text(ACTOR),
      action: text(ACTION),
      resource: text(RESOURCE),
      outcome: text(OUTCOME) as PackEntry["outcome"],
      source: text(SOURCE),
      occurredAt: this.occurred.text(this.time(row, f, n, OCCURRED_AT)),
      recordedAt: this.recorded.text(this.time(row, f, n, RECORDED_AT)),
      tags: textArray(this.field(row, f, n, TAGS)!),
      payload: PAYLOAD >= n || f[2 * PAYLOAD + 1]! < 0 ? null : text(PAYLOAD),
      payloadHash: this.bytes(row, f, n, PAYLOAD_HASH),
      leafHash: this.bytes(row, f, n, LEAF_HASH),
      chainHash: this.bytes(row, f, n, CHAIN_HASH),
      ...(this.v2 ? { v: 2 as const } : {}),
    };
  }

  private field(row: Buffer, f: Int32Array, n: number, k: number): Buffer | null {
    return k >= n || f[2 * k + 1]! < 0 ? null : row.subarray(f[2 * k]!, f[2 * k]! + f[2 * k + 1]!);
  }

  /** Milliseconds of a timestamptz(3), read without a BigInt; timestampMs for any other value. */
  private time(row: Buffer, f: Int32Array, n: number, k: number): number {
    const ms = f[2 * k + 1] === 8 && k < n ? timestampMsAt(row, f[2 * k]!) : Number.NaN;
    return Number.isNaN(ms) ? timestampMs(this.field(row, f, n, k)!) : ms;
  }

  /** A copy of the field's bytes (an empty array for NULL). */
  private bytes(row: Buffer, f: Int32Array, n: number, k: number): Uint8Array {
    const length = k >= n ? -1 : f[2 * k + 1]!;
    if (length < 0) return new Uint8Array(0);
    const at = f[2 * k]!;
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = row[at + i]!;
    return out;
  }
}

/** The chain hash of `seq` (32 zero bytes for seq -1, the genesis value). */
export async function chainHashAt(sql: Sql, logId: number, seq: number): Promise<Uint8Array | undefined> {
  if (seq < 0) return new Uint8Array(32);
  const [row] = await sql<{ chainHash: Buffer }[]>`
    select chain_hash as "chainHash" from entries where log_id = ${logId}::int and seq = ${seq}::bigint`;
  return row ? new Uint8Array(row.chainHash) : undefined;
}
