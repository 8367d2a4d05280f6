/**
 * Reads checked against what the newest signed checkpoint commits to (docs/security.md,
 * "Verified reads"). An insider with the database can rewrite a row and recompute its payload
 * and leaf hashes so that the row agrees with itself; it cannot sign a checkpoint. So:
 *
 * - a checkpoint is trusted only when its note verifies with the log's public key, its row's
 *   size and root are the note's, and it extends the checkpoint trusted before it (a
 *   consistency proof, RFC 9162 §2.1.4.2) — a forged row, a rolled-back or rewritten history
 *   is refused;
 * - the stored tree's compact range at the trusted size must hash to the signed root
 *   (RFC 9162 §2.1.1); its nodes are then known good;
 * - an entry below the trusted size is served only when its leaf hash, hashed up with the
 *   stored siblings, meets a node known good: its range node, or any complete node verified
 *   before (a cache, so that a page of 50 neighbours costs one node query and, once seen, none).
 *   A page's leaves are hashed up together (planBatchInclusion): each node once, and only the
 *   siblings the page does not give itself are read.
 *
 * A complete node (level, index) covers the same leaves in every larger tree, and each trusted
 * checkpoint extends the one before, so a node once verified stays verified (verified-nodes.ts).
 */
import { digestEqual } from "../core/encoding/index.js";
import { type BatchPlan, compactRoot, planBatchInclusion, rangeNodes, verifyBatchInclusion, verifyConsistency, verifyInclusion } from "../core/merkle/index.js";
import { ed25519Verifier, verifyCheckpoint } from "../core/note/index.js";
import { consistencyProofFor, type LedgerStore, nodeKey, STORED_NODE_MIN_LEVEL, type StoredCheckpoint } from "../ledger/index.js";
import { ApiError } from "./api-error.js";
import { VerifiedNodes } from "./verified-nodes.js";

export interface LogRef {
  id: number;
  name: string;
  origin: string;
}

/** The newest checkpoint verified so far: signed, and extending every one trusted before. */
export interface Trusted {
  size: number;
  root: Uint8Array;
  note: string;
}

/** A served row, checkpoint or proof that does not match what the log committed to. */
export class InconsistentRead extends ApiError {
  constructor(
    readonly log: string,
    readonly seq: number | null,
    message: string,
  ) {
    super("LEDGER_INCONSISTENT", `${message}: the log was changed in the database and needs verifying`);
  }
}

interface LogState {
  trusted: Trusted | undefined;
  /** The compact ranges of the trusted sizes: kept apart from the bounded cache. */
  range: Map<number, Uint8Array>;
  /** Complete nodes verified under a trusted root (leaves included), at most `maxNodes`. */
  nodes: VerifiedNodes;
  /** Notes whose signatures verified, with the size and root they sign. */
  signed: Map<string, { size: number; root: Uint8Array }>;
}

/** Checking leaves `seqs` (ascending, below the trusted size `n`) against the nodes known good now. */
function planOf(s: LogState, n: number, seqs: readonly number[]): BatchPlan {
  return planBatchInclusion(n, seqs, (level, index) => {
    const key = nodeKey(level, index);
    return s.nodes.get(key) ?? s.range.get(key);
  });
}

/** A check planned ahead of a page (prefetchNodes): for leaves `seqs` at trusted size `size`. */
export interface NodesAhead {
  size: number;
  seqs: readonly number[];
  plan: BatchPlan;
  /** The stored nodes the plan wants, sent; absent when it wants none. */
  read?: Promise<Map<number, Uint8Array>>;
}

/** Logs per tenant whose newest checkpoints are read beside a page (prefetch). */
const PREFETCH_LOGS = 4;

export class ReadVerifier {
  private readonly logs = new Map<number, LogState>();
  /** Per tenant, the logs its recent pages held, least recent first. */
  private readonly recent = new Map<string, Map<number, true>>();

  constructor(
    private readonly publicKey: Uint8Array | undefined,
    private readonly maxNodes = 100_000,
  ) {}

  /** Without the checkpoints' public key, entries are checked against their own hashes only. */
  get enabled(): boolean {
    return this.publicKey !== undefined;
  }

  /**
   * Sends the newest-checkpoint reads of the logs a page of `tenant` is likely to hold — those
   * its recent pages held — at once, before the page's own query, so that they travel in the
   * same round trip (the connection pipelines them) instead of one after the page. They are
   * the reads trusted() makes, in the same transaction; a page holding another log reads that
   * log's after the page, as before. Nothing is decided here: a read not used is dropped.
   */
  prefetch(store: LedgerStore, tenant: string): Map<number, Promise<StoredCheckpoint | undefined>> {
    const reads = new Map<number, Promise<StoredCheckpoint | undefined>>();
    if (!this.publicKey) return reads;
    for (const logId of this.recent.get(tenant)?.keys() ?? []) reads.set(logId, this.readCheckpoint(store, logId));
    return reads;
  }

  /** Sends the newest-checkpoint read of the log trusted() takes, without waiting for it. */
  readCheckpoint(store: LedgerStore, logId: number): Promise<StoredCheckpoint | undefined> {
    const read = store.latestCheckpoint(logId);
    // Consumed by trusted(), or dropped; a failure is the transaction's and surfaces there.
    read.catch(() => {});
    return read;
  }

  /**
   * Plans the check of `leaves` of the log against the trusted tree (the cache as it is now)
   * and sends the read of the stored nodes it needs, without waiting for it: right behind the
   * page's query for the entries it is expected to hold (verified-reads.ts readsAhead), else
   * before its rows are re-hashed, so that the database answers while they are. leaves() takes
   * the plan when it checks the same leaves at the same size (a plan stays right: the nodes it
   * counts as known were verified, and stay so), what the read found, and reads the rest.
   * Undefined when no plan can be made.
   */
  prefetchNodes(store: LedgerStore, logId: number, leaves: readonly { seq: number }[]): NodesAhead | undefined {
    const s = this.logs.get(logId);
    const n = s?.trusted?.size;
    if (!s || n === undefined || !this.publicKey) return undefined;
    const seqs = seqsBelow(leaves, n);
    const plan = planOf(s, n, seqs);
    if (plan.unanchored !== undefined) return undefined;
    if (plan.wanted.length === 0) return { size: n, seqs, plan };
    const read = store.fetchNodes(logId, plan.wanted);
    // Consumed by leaves(), or dropped; a failure is read again there.
    read.catch(() => {});
    return { size: n, seqs, plan, read };
  }

  /** Notes that a page of `tenant` held `logId` (the most recent few kept per tenant). */
  served(tenant: string, logId: number): void {
    let logs = this.recent.get(tenant);
    if (!logs) {
      if (this.recent.size >= 10_000) this.recent.clear();
      this.recent.set(tenant, (logs = new Map()));
    }
    logs.delete(logId);
    logs.set(logId, true);
    if (logs.size > PREFETCH_LOGS) logs.delete(logs.keys().next().value!);
  }

  private state(log: LogRef): LogState {
    let s = this.logs.get(log.id);
    if (!s) {
      s = { trusted: undefined, range: new Map(), nodes: new VerifiedNodes(this.maxNodes), signed: new Map() };
      this.logs.set(log.id, s);
    }
    return s;
  }

  /**
   * The newest checkpoint of the log once verified (undefined before the first, or without a
   * key). Read again on every call: a checkpoint row added, removed or changed is seen at once.
   * `read` is that read when already sent, in the same transaction (prefetch below).
   */
  async trusted(store: LedgerStore, log: LogRef, read?: Promise<StoredCheckpoint | undefined>): Promise<Trusted | undefined> {
    if (!this.publicKey) return undefined;
    const s = this.state(log);
    const row = await (read ?? store.latestCheckpoint(log.id));
    if (!row) {
      if (s.trusted) throw new InconsistentRead(log.name, null, `log ${log.name} has no checkpoint, but one of size ${s.trusted.size} was verified before`);
      return undefined;
    }
    const t = s.trusted;
    if (t && row.note === t.note && row.size === t.size && digestEqual(row.root, t.root)) return t;
    this.checkSigned(log, s, row);
    if (t) {
      if (row.size < t.size) throw new InconsistentRead(log.name, null, `log ${log.name}'s newest checkpoint is of size ${row.size}, but one of size ${t.size} was verified before`);
      if (row.size === t.size) {
        if (!digestEqual(row.root, t.root)) throw new InconsistentRead(log.name, null, `log ${log.name} has two signed roots at size ${t.size}`);
        return t;
      }
      await this.linked(store, log, t.size, t.root, row.size, row.root);
    }
    await this.adoptRange(store, log, s, row.size, row.root);
    const next = { size: row.size, root: row.root, note: row.note };
    if (!s.trusted || s.trusted.size < next.size) s.trusted = next;
    return s.trusted;
  }

  /** A checkpoint row about to be served: signed by the log's key, and on the trusted history. */
  async checkpoint(store: LedgerStore, log: LogRef, row: StoredCheckpoint, trusted: Trusted | undefined): Promise<void> {
    if (!this.publicKey) return;
    const s = this.state(log);
    this.checkSigned(log, s, row);
    if (trusted) await this.anchor(store, log, trusted, row.size, row.root);
  }

  /** A root of the stored tree at `size`, about to be served: on the trusted history. */
  async anchor(store: LedgerStore, log: LogRef, trusted: Trusted, size: number, root: Uint8Array): Promise<void> {
    if (size === trusted.size) {
      if (!digestEqual(root, trusted.root)) throw new InconsistentRead(log.name, null, `the stored tree of log ${log.name} at size ${size} does not hash to its signed root`);
    } else if (size < trusted.size) await this.linked(store, log, size, root, trusted.size, trusted.root);
    else await this.linked(store, log, trusted.size, trusted.root, size, root);
  }

  /**
   * Checks each leaf below the trusted size against the signed tree (see the file comment);
   * a leaf that fails throws. Leaves at or past the trusted size are not covered by a
   * signature yet and pass (their rows were checked against their own hashes).
   */
  async leaves(store: LedgerStore, log: LogRef, trusted: Trusted, leaves: readonly { seq: number; leafHash: Uint8Array }[], ahead?: NodesAhead): Promise<void> {
    const s = this.state(log);
    const n = trusted.size;
    const below: { seq: number; leafHash: Uint8Array }[] = [];
    for (const leaf of [...leaves].filter((l) => l.seq < n).sort((a, b) => a.seq - b.seq)) {
      const prev = below.at(-1);
      if (prev?.seq !== leaf.seq) below.push(leaf);
      else if (!digestEqual(prev.leafHash, leaf.leafHash)) throw new InconsistentRead(log.name, leaf.seq, `log ${log.name} gave two leaf hashes for entry ${leaf.seq}`);
    }
    if (below.length === 0) return;
    const seqs = below.map((leaf) => leaf.seq);
    const plan = ahead?.size === n && sameSeqs(ahead.seqs, seqs) ? ahead.plan : planOf(s, n, seqs);
    if (plan.unanchored !== undefined) throw new InconsistentRead(log.name, plan.unanchored, `no verified node over entry ${plan.unanchored} of log ${log.name}`);
    // Stored nodes are only data until hashed up to a known node below: those read ahead
    // (prefetchNodes) count as read here.
    const found = new Map<number, Uint8Array>();
    let missing = plan.wanted;
    const fetched = ahead?.read && missing.length > 0 ? await ahead.read.catch(() => undefined) : undefined;
    if (fetched) {
      missing = missing.filter(({ level, index }) => {
        const key = nodeKey(level, index);
        const hash = fetched.get(key);
        if (hash) found.set(key, hash);
        return !hash;
      });
    }
    if (missing.length > 0) {
      const read = await store.fetchNodes(log.id, missing).catch((error) => {
        throw new InconsistentRead(log.name, seqs[0]!, `the stored tree of log ${log.name} is missing nodes (${(error as Error).message})`);
      });
      for (const [key, hash] of read) found.set(key, hash);
    }
    const result = verifyBatchInclusion(plan, below.map((leaf) => leaf.leafHash), (level, index) => found.get(nodeKey(level, index)));
    if (!result.ok) {
      const which = result.first === result.last ? `entry ${result.first}` : `entry ${result.first} (or another of ${result.first}–${result.last})`;
      throw new InconsistentRead(log.name, result.first, `${which} of log ${log.name} is not the entry the signed checkpoint of size ${n} commits to`);
    }
    for (const { level, index, hash } of result.verified) s.nodes.set(nodeKey(level, index), hash);
  }

  /** An inclusion proof about to be served: it leads from its leaf to its root. */
  static checkInclusion(log: string, index: number, size: number, leafHash: Uint8Array, proof: Uint8Array[], root: Uint8Array): void {
    try {
      verifyInclusion(index, size, leafHash, proof, root);
    } catch (error) {
      throw new InconsistentRead(log, index, `the stored tree of log ${log} gives an inclusion proof of entry ${index} that does not verify (${(error as Error).message})`);
    }
  }

  /** A consistency proof about to be served: it links its two roots. */
  static checkConsistency(log: string, size1: number, size2: number, proof: Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
    try {
      verifyConsistency(size1, size2, proof, root1, root2);
    } catch (error) {
      throw new InconsistentRead(log, null, `the stored tree of log ${log} gives a consistency proof from ${size1} to ${size2} that does not verify (${(error as Error).message})`);
    }
  }

  private checkSigned(log: LogRef, s: LogState, row: StoredCheckpoint): void {
    let signed = s.signed.get(row.note);
    if (!signed) {
      try {
        const cp = verifyCheckpoint(row.note, ed25519Verifier(log.origin, this.publicKey!), log.origin);
        signed = { size: Number(cp.size), root: cp.root };
      } catch (error) {
        throw new InconsistentRead(log.name, null, `the checkpoint of log ${log.name} at size ${row.size} is not signed by the log's key (${(error as Error).message})`);
      }
      if (s.signed.size > 1_000) s.signed.clear();
      s.signed.set(row.note, signed);
    }
    if (signed.size !== row.size || !digestEqual(signed.root, row.root)) {
      throw new InconsistentRead(log.name, null, `the checkpoint row of log ${log.name} at size ${row.size} does not hold what its note signs (size ${signed.size})`);
    }
  }

  /** The stored tree proves the tree of size1 with root1 is a prefix of the tree of size2 with root2. */
  private async linked(store: LedgerStore, log: LogRef, size1: number, root1: Uint8Array, size2: number, root2: Uint8Array): Promise<void> {
    let proof: Uint8Array[];
    try {
      proof = (await consistencyProofFor(store, log.name, size1, size2)).proof;
    } catch (error) {
      throw new InconsistentRead(log.name, null, `log ${log.name} cannot link size ${size1} to size ${size2} (${(error as Error).message})`);
    }
    try {
      verifyConsistency(size1, size2, proof, root1, root2);
    } catch {
      throw new InconsistentRead(log.name, null, `the tree of log ${log.name} at size ${size2} does not extend the one at size ${size1}`);
    }
  }

  private async adoptRange(store: LedgerStore, log: LogRef, s: LogState, size: number, root: Uint8Array): Promise<void> {
    const ids = rangeNodes(0, size);
    let hashes: Uint8Array[];
    try {
      const found = await store.fetchNodes(log.id, ids);
      hashes = ids.map((id) => found.get(nodeKey(id.level, id.index))!);
    } catch (error) {
      throw new InconsistentRead(log.name, null, `the stored tree of log ${log.name} at size ${size} is incomplete (${(error as Error).message})`);
    }
    if (!digestEqual(compactRoot(hashes), root)) throw new InconsistentRead(log.name, null, `the stored tree of log ${log.name} at size ${size} does not hash to its signed root`);
    // Added to, not replaced: the ranges of earlier trusted sizes are complete nodes of this
    // tree too, and a request may still be checking leaves against one of them.
    if (s.range.size > 10_000) s.range.clear();
    ids.forEach((id, i) => s.range.set(nodeKey(id.level, id.index), hashes[i]!));
    await this.adoptTop(store, log, s, size);
  }

  /**
   * Verifies the top of the tree once per trusted size: the stored nodes of the lowest level
   * with at most TOP_NODES complete nodes, hashed up to the compact range just verified, are
   * kept beside it with every node above them. A page then reads siblings below that level
   * only, from its first call (at 100k entries, level 7 and up: 781 nodes, ~1,500 hashes).
   * Nodes that do not hash up are simply not kept: the pages that need them read and check
   * them as before, and fail there.
   */
  private async adoptTop(store: LedgerStore, log: LogRef, s: LogState, size: number): Promise<void> {
    let level = STORED_NODE_MIN_LEVEL;
    while (Math.floor(size / 2 ** level) > TOP_NODES) level++;
    const count = Math.floor(size / 2 ** level);
    if (count < 2) return;
    const rows = await store.levelNodes(log.id, level, count);
    if (rows.length !== count || rows.some((row, i) => row.idx !== i)) return;
    // The nodes of `level` as the leaves of a tree of `count`, whose compact range is the
    // trusted one's above `level`.
    const plan = planBatchInclusion(count, rows.map((_, i) => i), (up, index) => s.range.get(nodeKey(up + level, index)));
    if (plan.unanchored !== undefined || plan.wanted.length > 0) return;
    const result = verifyBatchInclusion(plan, rows.map((row) => row.hash), () => undefined);
    if (result.ok) for (const node of result.verified) s.range.set(nodeKey(node.level + level, node.index), node.hash);
  }
}

/** The most nodes of one level adoptTop reads per trusted size. */
const TOP_NODES = 1024;

/** Whether two ascending lists of seqs are the same. */
function sameSeqs(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((seq, k) => seq === b[k]);
}

/** The seqs of `leaves` below `n`, ascending, once each. */
function seqsBelow(leaves: readonly { seq: number }[], n: number): number[] {
  const seqs = leaves.map((leaf) => leaf.seq).filter((seq) => seq < n).sort((a, b) => a - b);
  return seqs.filter((seq, k) => k === 0 || seq !== seqs[k - 1]);
}
