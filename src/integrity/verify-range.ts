/**
 * Verification of one aligned range of a log, straight from the database: the entries of
 * [start, end) (and the chain hash of start - 1) streamed with binary COPY through the core's
 * RangeCheck, then every stored interior node of the range compared with the tree rebuilt
 * from the recomputed leaves. Ranges are independent, so several run at once (verify-log.ts).
 */
import { GENESIS_CHAIN_HASH } from "../core/entry.js";
import { digestEqual } from "../core/hash.js";
import { nodeHash, rootFromLeafHashes } from "../core/merkle.js";
import { type RawFinding, RangeCheck, type StoredEntry } from "../core/range-check.js";
import { int8, readBinaryCopy, textArray, timestampMs } from "../ledger/copy-binary.js";
import type { Sql } from "../ledger/db.js";
import { STORED_NODE_MIN_LEVEL } from "../ledger/tree.js";

/** Ranges are aligned complete subtrees of this many leaves (2^16), but for the last. */
export const RANGE_LEVEL = 16;
export const RANGE_SIZE = 1 << RANGE_LEVEL;

export interface RangeTask {
  logId: number;
  origin: string;
  start: number;
  end: number;
  /** Tree sizes in (start, end] whose root is wanted (checkpoints). */
  sizes: number[];
  /** log2 of the range size: stored nodes of levels 1..level are checked here. */
  level: number;
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
}

const MAX_NODE_FINDINGS = 100;

export async function verifyRange(sql: Sql, task: RangeTask): Promise<RangeResult> {
  const { logId, origin, start, end } = task;
  const check = new RangeCheck(origin, start, end, start === 0 ? GENESIS_CHAIN_HASH : null);
  const from = Math.max(0, start - 1);
  const entries = await sql
    .unsafe(
      `copy (select seq, kind, actor, action, resource, outcome, source, occurred_at, recorded_at, tags,
               payload, payload_hash, leaf_hash, chain_hash
             from entries where log_id = ${logId} and seq >= ${from} and seq < ${end} order by seq)
       to stdout (format binary)`,
    )
    .readable();
  const occurred = new TimestampText();
  const recorded = new TimestampText();
  await readBinaryCopy(entries, (t) => {
    let entry: StoredEntry;
    try {
      entry = {
      log: origin,
      seq: int8(t[0]!),
      kind: t[1]!.toString("utf8"),
      actor: t[2]!.toString("utf8"),
      action: t[3]!.toString("utf8"),
      resource: t[4]!.toString("utf8"),
      outcome: t[5]!.toString("utf8") as StoredEntry["outcome"],
      source: t[6]!.toString("utf8"),
      occurredAt: occurred.iso(t[7]!),
      recordedAt: recorded.iso(t[8]!),
      tags: textArray(t[9]!),
      // Hashed as the bytes Postgres sends: the UTF-8 of the canonical text.
      payload: t[10] ?? null,
      payloadHash: t[11]!,
      leafHash: t[12]!,
      chainHash: t[13]!,
      };
    } catch {
      // Stored values no appended entry can have (a NULL tag, an infinite date): tampering.
      check.addMalformed(int8(t[0]!));
      return;
    }
    check.add(entry);
  });
  check.finish();

  // Rebuild the complete subtrees of the range level by level and compare the stored ones.
  const stored = await storedNodes(sql, logId, start, end, task.level);
  const nodeFindings: NodeFinding[] = [];
  let level: Uint8Array[] = check.leaves;
  for (let l = 1; level.length >= 2; l++) {
    const next: Uint8Array[] = new Array(level.length >> 1);
    for (let i = 0; i < next.length; i++) {
      const hash = nodeHash(level[2 * i]!, level[2 * i + 1]!);
      next[i] = hash;
      if (l < STORED_NODE_MIN_LEVEL) continue;
      const index = Math.floor(start / 2 ** l) + i;
      const have = stored.get(`${l}:${index}`);
      if (!have || !digestEqual(have, hash)) {
        if (nodeFindings.length < MAX_NODE_FINDINGS) nodeFindings.push({ level: l, index, problem: have ? "mismatch" : "missing" });
      }
    }
    level = next;
  }
  // A complete range's root is the top of the levels just built.
  const complete = check.leaves.length > 0 && (check.leaves.length & (check.leaves.length - 1)) === 0;
  return {
    start,
    end,
    root: complete ? level[0]! : rootFromLeafHashes(check.leaves),
    partialRoots: task.sizes.map((size) => [size, rootFromLeafHashes(check.leaves.slice(0, size - start))]),
    findings: check.findings,
    nodeFindings,
    rows: check.rows,
  };
}

/** Stored nodes of levels STORED_NODE_MIN_LEVEL..maxLevel inside [start, end), one index range scan per level. */
async function storedNodes(sql: Sql, logId: number, start: number, end: number, maxLevel: number): Promise<Map<string, Uint8Array>> {
  const ranges: string[] = [];
  for (let l = STORED_NODE_MIN_LEVEL; l <= maxLevel && end - start >= 2 ** l; l++) {
    ranges.push(`(level = ${l} and idx >= ${Math.floor(start / 2 ** l)} and idx < ${Math.floor(end / 2 ** l)})`);
  }
  const nodes = new Map<string, Uint8Array>();
  if (ranges.length === 0) return nodes;
  const stream = await sql
    .unsafe(`copy (select level, idx, hash from merkle_nodes where log_id = ${logId} and (${ranges.join(" or ")})) to stdout (format binary)`)
    .readable();
  await readBinaryCopy(stream, (t) => {
    nodes.set(`${t[0]!.readInt16BE(0)}:${int8(t[1]!)}`, new Uint8Array(t[2]!));
  });
  return nodes;
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
