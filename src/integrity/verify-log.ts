/**
 * Verification of a log (DESIGN.md principle 1): recompute every payload hash, leaf
 * hash, chain hash, stored Merkle node and the root from the stored rows; check every stored
 * checkpoint's signature and root; check consistency between consecutive checkpoints; and,
 * when given, against checkpoints held outside the database (a file, the witness copies),
 * which is what catches a truncated tail or a history rewritten with recomputed hashes.
 *
 * Incremental (`since`): only the ranges from the one holding an already verified checkpoint
 * on are recomputed. The roots of the ranges before it are read from the stored nodes of the
 * range level, and the link is the root at `since.size` rebuilt from them and the recomputed
 * leaves, which must equal the verified root (RFC 9162 §2.1: a collision-resistant hash, so
 * the stored range roots are those the signed checkpoint committed to). A broken link falls
 * back to the full verification, which names what was changed.
 */
import { classifyEntryFindings, compareFindings, type Finding, type TamperClass } from "../core/sweep/index.js";
import { type Checkpoint, verifyCheckpoint, ed25519Verifier } from "../core/note/index.js";
import { CoreError } from "../core/errors.js";
import { digestEqual, toHex } from "../core/encoding/index.js";
import { rootFromLeafHashes, verifyConsistency } from "../core/merkle/index.js";
import { consistencyProofFor, type LedgerStore, type Log, openArchive, type StoredCheckpoint, withArchive } from "../ledger/index.js";
import { runRanges } from "./range-pool.js";
import { RANGE_LEVEL, type RangeTask } from "./verify-range.js";
import { loadRemovalRecords, type RemovalRecords } from "./removal-records.js";
import { VerifyError } from "./verify-error.js";

export interface VerifyOptions {
  /** Connection details, for the worker threads. */
  url: string;
  schema: string;
  /** The threads act as the deployment's writer (SET ROLE), as a sweep's store does; else as the login. */
  asWriter?: { rolePrefix: string | undefined };
  /** Trusted Ed25519 public key of checkpoint signatures; without it they are not checked. */
  publicKey?: Uint8Array;
  /** A signed checkpoint note held outside the database. */
  checkpointNote?: string;
  /** Witness copies of the log's checkpoints (signed notes held outside the database). */
  witness?: WitnessCopies;
  /** A checkpoint verified before: recompute only what follows it (see above). */
  since?: { size: number; root: Uint8Array };
  /** Worker threads (default 2; 0 verifies in this thread). */
  threads?: number;
  /** log2 of the entries per range (default RANGE_LEVEL); small values let tests cross ranges. */
  rangeLevel?: number;
  /** Where the log's archived ranges are (archive/open-archive.ts), when not where they were recorded to be. */
  archiveLocation?: string;
}

export interface VerifyReport {
  log: string;
  origin: string;
  size: number;
  root: string;
  verified: boolean;
  tamperClass: TamperClass | null;
  firstBadSeq: number | null;
  findings: Finding[];
  /** First seq recomputed (0 for a full verification). */
  fromSeq: number;
  /** Whether only the entries after a verified checkpoint were recomputed. */
  incremental: boolean;
  entriesChecked: number;
  /**
   * Values found removed under the log's erasure and expiry records (not tampering), by
   * record: its seq, kind, the request an erasure names, and how many values of the entries
   * checked it accounts for.
   */
  erased: { values: number; records: { recordSeq: number; kind: "erasure" | "expiry"; request?: string; values: number }[] };
  checkpointsChecked: number;
  signaturesChecked: boolean;
  durationMs: number;
}

/** The witness copies of one log: their tree sizes, and each note on demand. */
export interface WitnessCopies {
  sizes: readonly number[];
  read(size: number): Promise<string>;
}

/**
 * Ranges of an incremental verification: 2^12 entries, so that it recomputes at most 4,095
 * entries before its checkpoint, and reads one stored root per 4,096 entries before them (244
 * for a million) in one indexed query.
 */
export const INCREMENTAL_RANGE_LEVEL = 12;

interface TrustedCheckpoint {
  size: number;
  root: Uint8Array;
  source: "database" | "file" | "witness";
}

const SOURCE_NAME = { database: "checkpoint", file: "checkpoint file", witness: "witness copy of the checkpoint" } as const;

/** Scope → trusted checkpoints → the tree recomputed → checkpoints against it → report. */
export async function verifyLog(store: LedgerStore, logName: string, options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const scope = await scopeOf(store, logName, options);
  // A verified base whose ranges' stored roots are gone, or whose root no longer matches: verify everything.
  if (scope === undefined) return verifyLog(store, logName, { ...options, since: undefined });
  const findings: Finding[] = [];
  const trusted = await trustedCheckpoints(scope, options, findings);
  const tree = await recomputeTree(store, scope, trusted, options, findings);
  if (scope.since && !digestEqual(tree.rootAt(scope.since.size), scope.since.root)) return verifyLog(store, logName, { ...options, since: undefined });
  const good = checkpointsAgainstTree(scope.size, trusted, tree.rootAt, findings);
  // The proofs' leaves below the archived prefix are the archive's.
  const reads = withArchive(store, options.archiveLocation !== undefined ? openArchive(options.archiveLocation) : undefined);
  await checkConsistency(reads, scope.log.name, good, findings);

  findings.sort(compareFindings);
  const first = findings[0];
  return {
    log: scope.log.name,
    origin: scope.log.origin,
    size: scope.size,
    root: toHex(tree.root),
    verified: findings.length === 0,
    tamperClass: first?.class ?? null,
    firstBadSeq: first?.seq ?? null,
    findings: findings.slice(0, 100),
    fromSeq: scope.from,
    incremental: scope.since !== undefined,
    entriesChecked: tree.entriesChecked,
    erased: tree.erased,
    checkpointsChecked: trusted.length,
    signaturesChecked: scope.verifier !== undefined,
    durationMs: Math.round(performance.now() - started),
  };
}

/** What one verification covers: the log, its stored checkpoints and size, and the ranges recomputed. */
interface Scope {
  log: Log;
  stored: StoredCheckpoint[];
  size: number;
  verifier: ReturnType<typeof ed25519Verifier> | undefined;
  since: { size: number; root: Uint8Array } | undefined;
  level: number;
  rangeSize: number;
  /** First seq recomputed: the ranges before it are taken from their stored roots. */
  from: number;
  storedRoots: Uint8Array[];
}

async function scopeOf(store: LedgerStore, logName: string, options: VerifyOptions): Promise<Scope | undefined> {
  const log = await store.findLog(logName);
  // Checkpoints first: on a live log, a checkpoint signed after the size was read would
  // otherwise look like a truncated tail.
  const stored = await store.listCheckpoints(log.id);
  const size = await store.treeSize(log.id);
  const verifier = options.publicKey ? ed25519Verifier(log.origin, options.publicKey) : undefined;
  // Incremental: the ranges before the one holding the verified checkpoint are taken from
  // their stored roots; checkpoints below it were checked by the verification that vouched
  // for it.
  const since = options.since && options.since.size > 0 && options.since.size <= size ? options.since : undefined;
  const level = options.rangeLevel ?? (since ? INCREMENTAL_RANGE_LEVEL : RANGE_LEVEL);
  const rangeSize = 2 ** level;
  const from = since ? Math.floor(since.size / rangeSize) * rangeSize : 0;
  const storedRoots = from > 0 ? await storedRangeRoots(store, log.id, level, from / rangeSize) : [];
  if (storedRoots === undefined) return undefined;
  return { log, stored, size, verifier, since, level, rangeSize, from, storedRoots };
}

/** The checkpoints whose claims about the tree can be trusted: stored, from a file, witnessed; signatures checked when a key is given. */
async function trustedCheckpoints(scope: Scope, options: VerifyOptions, findings: Finding[]): Promise<TrustedCheckpoint[]> {
  const { log, stored, verifier } = scope;
  const inScope = (s: number) => s >= scope.from;
  if (options.witness && options.witness.sizes.length > 0 && !verifier) throw new VerifyError("NO_VERIFIER_KEY", "witness copies need the trusted verifier key");
  const storedSizes = new Set(stored.map((cp) => cp.size));
  const trusted: TrustedCheckpoint[] = [];
  for (const cp of stored) {
    if (!inScope(cp.size)) continue;
    if (!verifier) {
      trusted.push({ size: cp.size, root: cp.root, source: "database" });
      continue;
    }
    let parsed: Checkpoint;
    try {
      parsed = verifyCheckpoint(cp.note, verifier, log.origin);
    } catch (error) {
      findings.push({ class: "checkpoint_forged", seq: null, checkpointSize: cp.size, message: `checkpoint at size ${cp.size}: ${(error as Error).message}` });
      continue;
    }
    if (parsed.size !== BigInt(cp.size) || !digestEqual(parsed.root, cp.root)) {
      findings.push({ class: "checkpoint_forged", seq: null, checkpointSize: cp.size, message: `checkpoint row at size ${cp.size} differs from its signed note` });
      continue;
    }
    trusted.push({ size: cp.size, root: parsed.root, source: "database" });
  }
  if (options.checkpointNote !== undefined) {
    if (!verifier) throw new VerifyError("NO_VERIFIER_KEY", "a checkpoint file needs the trusted verifier key");
    let parsed: Checkpoint;
    try {
      parsed = verifyCheckpoint(options.checkpointNote, verifier, log.origin);
    } catch (error) {
      throw new VerifyError("CHECKPOINT_FILE_INVALID", `checkpoint file does not verify for ${log.origin}: ${(error as CoreError).message}`, { cause: error });
    }
    if (inScope(Number(parsed.size))) trusted.push({ size: Number(parsed.size), root: parsed.root, source: "file" });
  }
  for (const at of options.witness?.sizes ?? []) {
    // Every witnessed checkpoint must still be in the database (its root is checked below).
    if (!storedSizes.has(at)) {
      findings.push({ class: "checkpoint_missing", seq: null, checkpointSize: at, message: `the checkpoint at size ${at} has a witness copy but is missing from the database` });
    }
    if (!inScope(at)) continue;
    let parsed: Checkpoint;
    try {
      parsed = verifyCheckpoint(await options.witness!.read(at), verifier!, log.origin);
    } catch (error) {
      findings.push({ class: "checkpoint_forged", seq: null, checkpointSize: at, message: `the witness copy at size ${at} does not verify: ${(error as Error).message}` });
      continue;
    }
    if (Number(parsed.size) !== at) {
      findings.push({ class: "checkpoint_forged", seq: null, checkpointSize: at, message: `the witness copy filed at size ${at} is a checkpoint of size ${parsed.size}` });
      continue;
    }
    trusted.push({ size: at, root: parsed.root, source: "witness" });
  }
  return trusted.sort((a, b) => a.size - b.size);
}

/** The tree recomputed from the entries, range by range on every core; entry and node findings added. */
async function recomputeTree(store: LedgerStore, scope: Scope, trusted: TrustedCheckpoint[], options: VerifyOptions, findings: Finding[]) {
  const { log, size, since, level, rangeSize: RANGE_SIZE } = scope;
  const wanted = since ? [...trusted.map((c) => c.size), since.size] : trusted.map((c) => c.size);
  const last = (await store.archivedRanges(log.id)).at(-1);
  const archived = last && { log: log.name, size: last.toSeq, location: options.archiveLocation ?? last.location };
  const tasks: RangeTask[] = [];
  // Records archived by a retention run still authorize their removals (docs/erasure.md).
  const removals = await loadRemovalRecords(withArchive(store, options.archiveLocation !== undefined ? openArchive(options.archiveLocation) : undefined), log, size);
  for (let start = scope.from; start < size; start += RANGE_SIZE) {
    const end = Math.min(size, start + RANGE_SIZE);
    const sizes = [...new Set(wanted.filter((s) => s > start && s <= end && s % RANGE_SIZE !== 0))];
    tasks.push({ logId: log.id, origin: log.origin, leafVersion: log.leafVersion, start, end, sizes, level, removals: removals.index.slice(start, end), ...(archived ? { archived } : {}) });
  }
  const results = await runRanges(tasks, { store, url: options.url, schema: options.schema, ...(options.asWriter ? { asWriter: options.asWriter } : {}), threads: options.threads ?? 2 });
  const rangeRoots = [...scope.storedRoots, ...results.map((r) => r.root)];
  const partial = new Map<number, Uint8Array>();
  for (const r of results) for (const [s, root] of r.partialRoots) partial.set(s, root);
  const entriesChecked = results.reduce((n, r) => n + r.rows, 0);

  const entryFindings = classifyEntryFindings(log.origin, results.flatMap((r) => r.findings));
  findings.push(...entryFindings);
  // A stored node over a damaged entry differs because the entry does: report the entry only.
  const nodeFindings: Finding[] = [
    ...results.flatMap((r) => r.nodeFindings.map((n) => nodeFinding(n.level, n.index, n.problem))),
    ...(await checkUpperNodes(store, log.id, rangeRoots, size, level)),
  ];
  const damaged = entryFindings.map((f) => [f.seq!, f.until ?? f.seq! + 1] as const);
  findings.push(...nodeFindings.filter((n) => !damaged.some(([from, to]) => from < n.until! && to > n.seq!)));

  // RFC 6962 trees split at the largest power of two, so the root of any size is the tree
  // over the roots of the complete ranges below it and the partial range it ends in.
  const rootAt = (s: number): Uint8Array => {
    const full = Math.floor(s / RANGE_SIZE);
    const hashes = rangeRoots.slice(0, full);
    if (s % RANGE_SIZE !== 0) hashes.push(partial.get(s)!);
    return rootFromLeafHashes(hashes);
  };
  return { root: rootFromLeafHashes(rangeRoots), rootAt, entriesChecked, erased: erasedReport(removals, results) };
}

/** The values removed under records, summed over the ranges. */
function erasedReport(removals: RemovalRecords, results: readonly { erased: [number, number][] }[]): VerifyReport["erased"] {
  const byRecord = new Map<number, number>();
  for (const r of results) for (const [record, n] of r.erased) byRecord.set(record, (byRecord.get(record) ?? 0) + n);
  const records = [...byRecord].sort((a, b) => a[0] - b[0]).map(([recordSeq, values]) => {
    const request = removals.requests.get(recordSeq);
    return { recordSeq, kind: removals.kinds.get(recordSeq)!, ...(request !== undefined ? { request } : {}), values };
  });
  return { values: records.reduce((n, r) => n + r.values, 0), records };
}

/**
 * Each trusted checkpoint against the tree; a mismatch not explained by a damaged entry below
 * it means the history it signed was replaced. Returns the checkpoints that match.
 */
function checkpointsAgainstTree(size: number, trusted: TrustedCheckpoint[], rootAt: (s: number) => Uint8Array, findings: Finding[]): TrustedCheckpoint[] {
  const firstEntryFinding = () => Math.min(...findings.filter((f) => f.seq !== null && f.class !== "merkle_node_mismatch").map((f) => f.seq!), Infinity);
  let lastGood = 0;
  const good: TrustedCheckpoint[] = [];
  for (const cp of trusted) {
    if (cp.size > size) {
      findings.push({ class: "tail_truncated", seq: size, checkpointSize: cp.size, message: `the ${SOURCE_NAME[cp.source]} at size ${cp.size} shows entries ${size}..${cp.size - 1}, which are gone` });
      continue;
    }
    if (digestEqual(rootAt(cp.size), cp.root)) {
      lastGood = Math.max(lastGood, cp.size);
      good.push(cp);
      continue;
    }
    if (firstEntryFinding() < cp.size) continue;
    findings.push({
      class: "history_rewritten", seq: lastGood, until: cp.size, checkpointSize: cp.size,
      message: `entries verify among themselves but not against the signed ${SOURCE_NAME[cp.source]} at size ${cp.size}: history in seqs ${lastGood}..${cp.size - 1} was rewritten`,
    });
  }
  return good;
}

/** Consecutive checkpoints must be consistent through the proofs the store serves (RFC 9162 §2.1.4). */
async function checkConsistency(store: LedgerStore, logName: string, good: TrustedCheckpoint[], findings: Finding[]): Promise<void> {
  for (let i = 1; i < good.length; i++) {
    const a = good[i - 1]!;
    const b = good[i]!;
    if (a.size === b.size) continue;
    try {
      const p = await consistencyProofFor(store, logName, a.size, b.size);
      verifyConsistency(a.size, b.size, p.proof, a.root, b.root);
    } catch (error) {
      if (findings.some((f) => f.class === "merkle_node_mismatch")) continue;
      findings.push({ class: "merkle_node_mismatch", seq: a.size, message: `consistency proof ${a.size} → ${b.size} from stored nodes fails: ${(error as Error).message}` });
    }
  }
}

/**
 * The stored roots of the first `count` ranges (nodes of the range level), or undefined when
 * one is missing: then the link cannot be made and the caller verifies everything.
 */
async function storedRangeRoots(store: LedgerStore, logId: number, level: number, count: number): Promise<Uint8Array[] | undefined> {
  const rows = await store.levelNodes(logId, level, count);
  if (rows.length !== count || rows.some((r, i) => r.idx !== i || r.hash.length !== 32)) return undefined;
  return rows.map((r) => new Uint8Array(r.hash));
}

/** Stored nodes above the range level, compared with the tree over the range roots. */
async function checkUpperNodes(store: LedgerStore, logId: number, rangeRoots: Uint8Array[], size: number, level: number): Promise<Finding[]> {
  const complete = Math.floor(size / 2 ** level);
  const rows = await store.nodesAbove(logId, level);
  const have = new Map(rows.map((r) => [`${r.level}:${r.idx}`, r.hash]));
  const out: Finding[] = [];
  for (let l = level + 1; 2 ** (l - level) <= complete; l++) {
    const span = 2 ** (l - level);
    for (let i = 0; (i + 1) * span <= complete; i++) {
      const want = rootFromLeafHashes(rangeRoots.slice(i * span, (i + 1) * span));
      const got = have.get(`${l}:${i}`);
      if (!got || !digestEqual(got, want)) out.push(nodeFinding(l, i, got ? "mismatch" : "missing"));
    }
  }
  return out;
}

function nodeFinding(level: number, index: number, problem: "missing" | "mismatch"): Finding {
  return {
    class: "merkle_node_mismatch",
    seq: index * 2 ** level,
    until: (index + 1) * 2 ** level,
    message: `stored Merkle node (level ${level}, index ${index}) is ${problem === "missing" ? "missing" : "wrong"}`,
  };
}
