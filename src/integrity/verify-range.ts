/**
 * Verification of one aligned range of a log, straight from the database: the entries of
 * [start, end) (and the chain hash of start - 1) streamed with binary COPY through the core's
 * RangeCheck, then every stored interior node of the range compared with the tree rebuilt
 * from the recomputed leaves. Ranges are independent, so several run at once (verify-log.ts).
 *
 * A well-formed row is checked from its bytes as they arrive (LeafBytes, RangeCheck.addStored):
 * no strings, dates or Buffer views per row. A row that fails that path, or that it does not
 * cover, is decoded and checked by RangeCheck.add, which reports what is wrong with it.
 */
import { GENESIS_CHAIN_HASH, LEAF_FIELD, LeafBytes, type LeafVersion } from "../core/entry/index.js";
import { HASH_SIZE } from "../core/encoding/index.js";
import { rootFromLeafWords, nodeHashWords } from "../core/merkle/index.js";
import { RangeCheck, type RawFinding, type StoredEntry, type StoredRow } from "../core/sweep/index.js";
import { ACTION, ACTOR, ArchiveReader, CHAIN_HASH, ENTRY_COLUMNS, int8, int8At, KIND, LEAF_HASH, LedgerError, type LedgerStore, type NodeSpan, OCCURRED_AT, openArchive, OUTCOME, PAYLOAD, PAYLOAD_HASH, RECORDED_AT, RESOURCE, SEQ, SOURCE, STORED_NODE_MIN_LEVEL, TAGS, textArray, timestampMs, timestampMsAt } from "../ledger/index.js";
import { checkValues, RangeCommitments } from "./verify-values.js";
import { RemovalIndex } from "../core/erasure/index.js";

/** Ranges are aligned complete subtrees of this many leaves (2^16), but for the last. */
export const RANGE_LEVEL = 16;
export const RANGE_SIZE = 1 << RANGE_LEVEL;

export interface RangeTask {
  logId: number;
  origin: string;
  /** The log's leaf encoding (docs/leaf-format.md); absent: 1. */
  leafVersion?: LeafVersion;
  start: number;
  end: number;
  /** Tree sizes in (start, end] whose root is wanted (checkpoints). */
  sizes: number[];
  /** log2 of the range size: stored nodes of levels 1..level are checked here. */
  level: number;
  /** The log's archived prefix, [0, size), read from the archive at `location` instead of the tables. */
  archived?: { log: string; size: number; location: string };
  /** The removals the log's records authorize within the range (RemovalIndex.slice). */
  removals?: [number, number, number, number][];
}

export interface NodeFinding {
  level: number;
  index: number;
  problem: "missing" | "mismatch";
}

export interface RangeResult {
  start: number;
  end: number;
  /** Root of the subtree over [start, end) from recomputed leaves. */
  root: Uint8Array;
  /** [size, root of leaves [start, size)] for each requested size. */
  partialRoots: [number, Uint8Array][];
  findings: RawFinding[];
  nodeFindings: NodeFinding[];
  rows: number;
  /** Values found removed under a record: [record seq, values]. */
  erased: [number, number][];
}

const MAX_NODE_FINDINGS = 100;


export async function verifyRange(store: LedgerStore, task: RangeTask): Promise<RangeResult> {
  const { logId, origin, start, end } = task;
  const version = task.leafVersion ?? 1;
  const check = new RangeCheck(origin, start, end, start === 0 ? GENESIS_CHAIN_HASH : null, version);
  const from = Math.max(0, start - 1);
  const commitments = version === 2 ? new RangeCommitments(start, end) : null;
  const rowReader = new RowReader(origin, version, check, commitments);
  const hotFrom = await readArchived(task, from, check, commitments);
  if (hotFrom < end) await store.scanEntries(logId, hotFrom, end, (row, fields, count) => rowReader.read(row, fields, count));
  check.finish();
  const removals = RemovalIndex.fromSlice(task.removals ?? []);
  const erased = new Map<number, number>();
  if (commitments) await checkValues(store, logId, commitments, check, removals, erased);
  else {
    // v1: a payload missing under a record is erased, not tampered with.
    const kept = check.findings.filter((f) => {
      if (f.type !== "absent") return true;
      const record = removals.cover(f.seq, f.field);
      if (record !== undefined) erased.set(record, (erased.get(record) ?? 0) + 1);
      return record === undefined;
    });
    check.findings.splice(0, check.findings.length, ...kept);
  }

  const n = end - start;
  const partialRoots = task.sizes.map((size): [number, Uint8Array] => [size, rootFromLeafWords(check.leafWords, size - start)]);
  // A range that is not a complete subtree has its root from the compact range of its leaves.
  const complete = n > 0 && (n & (n - 1)) === 0;
  const root = complete ? null : rootFromLeafWords(check.leafWords, n);

  // Rebuild the complete subtrees of the range level by level, in place over the leaf words,
  // and compare the stored ones.
  const stored = await storedNodes(store, logId, start, end, task.level);
  const byLevel: NodeFinding[][] = [];
  const words = check.leafWords;
  for (let l = 1, width = n >> 1; width >= 1; l++, width >>= 1) {
    const found: NodeFinding[] = [];
    const have = stored.get(l);
    const first = Math.floor(start / 2 ** l);
    for (let i = 0; i < width; i++) {
      nodeHashWords(words, 16 * i, 16 * i + 8, 8 * i);
      if (l < STORED_NODE_MIN_LEVEL || found.length >= MAX_NODE_FINDINGS) continue;
      const present = have?.present[i] ?? ABSENT;
      if (present === ABSENT) found.push({ level: l, index: first + i, problem: "missing" });
      else if (present !== STORED || !wordsEqual(words, 8 * i, have!.words, 8 * i)) found.push({ level: l, index: first + i, problem: "mismatch" });
    }
    byLevel.push(found);
  }
  return {
    start,
    end,
    root: root ?? storeRoot(words),
    partialRoots,
    findings: check.findings,
    nodeFindings: byLevel.flat().slice(0, MAX_NODE_FINDINGS),
    rows: check.rows,
    erased: [...erased],
  };
}

/**
 * Feeds the archived entries of [from, end) to the range check; returns the first seq to read
 * from the tables. An archive that does not hold them leaves them out, and the check reports
 * the gap: entries gone without being where their archived range says they are.
 */
async function readArchived(task: RangeTask, from: number, check: RangeCheck, commitments: RangeCommitments | null): Promise<number> {
  const archived = task.archived;
  if (!archived || from >= archived.size) return from;
  const to = Math.min(task.end, archived.size);
  const reader = new ArchiveReader(openArchive(archived.location), archived.log);
  try {
    for (let at = from; at < to; at = Math.min(to, (Math.floor(at / 256) + 1) * 256)) {
      for (const e of await reader.entries(archived.size, at, Math.min(to, (Math.floor(at / 256) + 1) * 256))) {
        check.add(e);
        commitments?.takeEntry(e);
      }
    }
  } catch (error) {
    if (!(error instanceof LedgerError) || error.code !== "INCONSISTENT") throw error;
  }
  return to;
}

/** Feeds one COPY row to the range check: from its bytes when it can, decoded when it must. */
class RowReader {
  private readonly leafBytes: LeafBytes;
  private leafFields = new Int32Array(2 * (LEAF_FIELD.TAGS + 16));
  private readonly row: StoredRow = { bytes: new Uint8Array(0), payloadLength: -1, payloadAt: 0, payloadHashAt: 0, leafHashAt: 0, chainHashAt: 0 };
  private readonly occurred = new TimestampText();
  private readonly recorded = new TimestampText();

  constructor(
    private readonly origin: string,
    private readonly version: LeafVersion,
    private readonly check: RangeCheck,
    private readonly commitments: RangeCommitments | null,
  ) {
    this.leafBytes = new LeafBytes(origin, version);
  }

  read(row: Buffer, f: Int32Array, count: number): void {
    if (!this.fromBytes(row, f, count)) this.decoded(row, f, count);
    if (this.commitments && count === ENTRY_COLUMNS && f[2 * SEQ + 1] === 8) this.commitments.take(row, f);
  }

  /** The common case; false when the row needs RangeCheck.add. */
  private fromBytes(row: Buffer, f: Int32Array, count: number): boolean {
    if (count !== ENTRY_COLUMNS) return false;
    for (let k = 0; k < ENTRY_COLUMNS; k++) if (k !== PAYLOAD && f[2 * k + 1]! < 0) return false;
    if (f[2 * SEQ + 1] !== 8 || f[2 * OCCURRED_AT + 1] !== 8 || f[2 * RECORDED_AT + 1] !== 8) return false;
    if (f[2 * PAYLOAD_HASH + 1] !== HASH_SIZE || f[2 * LEAF_HASH + 1] !== HASH_SIZE || f[2 * CHAIN_HASH + 1] !== HASH_SIZE) return false;
    const seq = int8At(row, f[2 * SEQ]!);
    if (!(seq >= 0)) return false;
    const tagCount = this.tags(row, f[2 * TAGS]!, f[2 * TAGS + 1]!);
    if (tagCount < 0) return false;
    const lf = this.leafFields;
    lf[2 * LEAF_FIELD.ACTION] = f[2 * ACTION]!;
    lf[2 * LEAF_FIELD.ACTION + 1] = f[2 * ACTION + 1]!;
    lf[2 * LEAF_FIELD.ACTOR] = f[2 * ACTOR]!;
    lf[2 * LEAF_FIELD.ACTOR + 1] = f[2 * ACTOR + 1]!;
    lf[2 * LEAF_FIELD.KIND] = f[2 * KIND]!;
    lf[2 * LEAF_FIELD.KIND + 1] = f[2 * KIND + 1]!;
    lf[2 * LEAF_FIELD.OUTCOME] = f[2 * OUTCOME]!;
    lf[2 * LEAF_FIELD.OUTCOME + 1] = f[2 * OUTCOME + 1]!;
    lf[2 * LEAF_FIELD.PAYLOAD_HASH] = f[2 * PAYLOAD_HASH]!;
    lf[2 * LEAF_FIELD.PAYLOAD_HASH + 1] = HASH_SIZE;
    lf[2 * LEAF_FIELD.RESOURCE] = f[2 * RESOURCE]!;
    lf[2 * LEAF_FIELD.RESOURCE + 1] = f[2 * RESOURCE + 1]!;
    lf[2 * LEAF_FIELD.SOURCE] = f[2 * SOURCE]!;
    lf[2 * LEAF_FIELD.SOURCE + 1] = f[2 * SOURCE + 1]!;
    const leafInput = this.leafBytes.write(row, lf, tagCount, seq, timestampMsAt(row, f[2 * OCCURRED_AT]!), timestampMsAt(row, f[2 * RECORDED_AT]!));
    if (leafInput === null) return false;
    const r = this.row;
    r.bytes = row;
    r.payloadAt = f[2 * PAYLOAD]!;
    r.payloadLength = f[2 * PAYLOAD + 1]!;
    r.payloadHashAt = f[2 * PAYLOAD_HASH]!;
    r.leafHashAt = f[2 * LEAF_HASH]!;
    r.chainHashAt = f[2 * CHAIN_HASH]!;
    return this.check.addStored(seq, leafInput, r);
  }

  /**
   * The elements of a one-dimensional text[] (binary array format: ndim, has-null flag,
   * element oid, then size and lower bound per dimension, then length and bytes per element)
   * into leafFields from LEAF_FIELD.TAGS on; their number, or -1 for anything textArray would
   * not read as plainly.
   */
  private tags(row: Buffer, at: number, length: number): number {
    if (length < 12) return -1;
    const ndim = row.readInt32BE(at);
    if (ndim === 0) return 0;
    if (ndim !== 1 || length < 20) return -1;
    const n = row.readInt32BE(at + 12);
    if (n < 0) return -1;
    if (2 * (LEAF_FIELD.TAGS + n) > this.leafFields.length) {
      const bigger = new Int32Array(2 * (LEAF_FIELD.TAGS + n));
      bigger.set(this.leafFields);
      this.leafFields = bigger;
    }
    const end = at + length;
    let p = at + 20;
    for (let i = 0; i < n; i++) {
      if (end - p < 4) return -1;
      const len = row.readInt32BE(p);
      p += 4;
      if (len < 0 || end - p < len) return -1;
      this.leafFields[2 * (LEAF_FIELD.TAGS + i)] = p;
      this.leafFields[2 * (LEAF_FIELD.TAGS + i) + 1] = len;
      p += len;
    }
    return n;
  }

  /** The row decoded for RangeCheck.add: what the checks and the findings are defined on. */
  private decoded(row: Buffer, f: Int32Array, count: number): void {
    const t = (k: number): Buffer | null => (k >= count || f[2 * k + 1]! < 0 ? null : row.subarray(f[2 * k]!, f[2 * k]! + f[2 * k + 1]!));
    let entry: StoredEntry;
    try {
      entry = {
        log: this.origin,
        seq: int8(t(SEQ)!),
        kind: t(KIND)!.toString("utf8"),
        actor: t(ACTOR)!.toString("utf8"),
        action: t(ACTION)!.toString("utf8"),
        resource: t(RESOURCE)!.toString("utf8"),
        outcome: t(OUTCOME)!.toString("utf8") as StoredEntry["outcome"],
        source: t(SOURCE)!.toString("utf8"),
        occurredAt: this.occurred.iso(t(OCCURRED_AT)!),
        recordedAt: this.recorded.iso(t(RECORDED_AT)!),
        tags: textArray(t(TAGS)!),
        // Hashed as the bytes Postgres sends: the UTF-8 of the canonical text.
        payload: t(PAYLOAD),
        payloadHash: t(PAYLOAD_HASH)!,
        leafHash: t(LEAF_HASH)!,
        chainHash: t(CHAIN_HASH)!,
        v: this.version,
      };
    } catch {
      // Stored values no appended entry can have (a NULL tag, an infinite date): tampering.
      this.check.addMalformed(int8(t(SEQ)!));
      return;
    }
    this.check.add(entry);
  }
}

const ABSENT = 0, STORED = 1, WRONG_LENGTH = 2;

interface StoredLevel {
  /** Index of the first node of the range at this level. */
  first: number;
  /** Per node: ABSENT, STORED, or WRONG_LENGTH (a hash that cannot match). */
  present: Uint8Array;
  /** The stored hashes, eight big-endian words each. */
  words: Int32Array;
}

/** Stored nodes of levels STORED_NODE_MIN_LEVEL..maxLevel inside [start, end), one index range scan per level. */
async function storedNodes(store: LedgerStore, logId: number, start: number, end: number, maxLevel: number): Promise<Map<number, StoredLevel>> {
  const spans: NodeSpan[] = [];
  const levels = new Map<number, StoredLevel>();
  for (let l = STORED_NODE_MIN_LEVEL; l <= maxLevel && end - start >= 2 ** l; l++) {
    const first = Math.floor(start / 2 ** l);
    const width = Math.floor(end / 2 ** l) - first;
    levels.set(l, { first, present: new Uint8Array(width), words: new Int32Array(8 * width) });
    spans.push({ level: l, first, width });
  }
  await store.scanNodes(logId, spans, (row, f) => {
    const level = levels.get(row.readInt16BE(f[0]!))!;
    const i = int8At(row, f[2]!) - level.first;
    if (f[5] !== HASH_SIZE) {
      level.present[i] = WRONG_LENGTH;
      return;
    }
    level.present[i] = STORED;
    for (let k = 0; k < 8; k++) level.words[8 * i + k] = row.readInt32BE(f[4]! + 4 * k);
  });
  return levels;
}

function wordsEqual(a: Int32Array, at: number, b: Int32Array, bt: number): boolean {
  for (let k = 0; k < 8; k++) if (a[at + k] !== b[bt + k]) return false;
  return true;
}

function storeRoot(words: Int32Array): Uint8Array {
  const root = new Uint8Array(HASH_SIZE);
  for (let k = 0; k < 8; k++) {
    const w = words[k]!;
    root[4 * k] = w >>> 24;
    root[4 * k + 1] = w >>> 16;
    root[4 * k + 2] = w >>> 8;
    root[4 * k + 3] = w;
  }
  return root;
}

/** timestamptz to RFC 3339 text, remembering the last value: a batch shares its recorded_at. */
class TimestampText {
  private last = Number.NaN;
  private text = "";
  iso(field: Buffer): string {
    const ms = timestampMs(field);
    if (ms !== this.last) {
      this.last = ms;
      this.text = new Date(ms).toISOString();
    }
    return this.text;
  }
}
