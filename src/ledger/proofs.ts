/**
 * Inclusion and consistency proofs served from the stored tree: the proof plan (which
 * complete subtrees each proof hash covers) comes from the core, the O(log n) node hashes
 * from one indexed query, and the core assembles the proof (RFC 9162 §2.1.3, §2.1.4). When
 * the sizes are given, the plan needs no read of the log, and the log and the nodes are read
 * in one round trip.
 */
import { compactRoot, consistencyProofNodes, inclusionProofNodes, type NodeId, proofFromNodes, rangeNodes } from "../core/merkle/index.js";
import { LedgerError } from "./errors.js";
import type { LedgerStore } from "./store.js";
import { nodeKey } from "./tree.js";

export interface InclusionProof {
  log: string;
  origin: string;
  index: number;
  size: number;
  leafHash: Uint8Array;
  proof: Uint8Array[];
  root: Uint8Array;
}

export interface ConsistencyProof {
  log: string;
  origin: string;
  size1: number;
  size2: number;
  proof: Uint8Array[];
  root1: Uint8Array;
  root2: Uint8Array;
}

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new LedgerError("INVALID_INPUT", `${name}: got ${value}, want a non-negative integer`);
}

/** Root of the tree of `size` from its compact range (rangeNodes(0, size)). */
export async function rootAt(store: LedgerStore, logId: number, size: number): Promise<Uint8Array> {
  const ids = rangeNodes(0, size);
  const found = await store.fetchNodes(logId, ids);
  return compactRoot(ids.map((id) => found.get(nodeKey(id.level, id.index))!));
}

/**
 * The log and the hashes of `ids` in one round trip: both queries are sent at once, the node
 * query naming the log by name. Only for a plan that does not depend on the log's size; the
 * caller checks the size before using the hashes. `found` is undefined when a node was
 * missing: the two statements may run on different connections, the node query first, so the
 * caller asks again in order before calling the log inconsistent.
 */
async function logAndNodes(store: LedgerStore, logName: string, ids: NodeId[]) {
  const [log, found] = await Promise.allSettled([store.findLogWithSize(logName), store.fetchNodes(logName, ids)]);
  if (log.status === "rejected") throw log.reason;
  if (found.status === "rejected" && !(found.reason instanceof LedgerError && found.reason.code === "INCONSISTENT")) throw found.reason;
  const lookup = found.status === "fulfilled" ? (id: NodeId) => found.value.get(nodeKey(id.level, id.index))! : undefined;
  return { log: log.value, lookup };
}

const validCount = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/** Proof that entry `index` is in the tree of `size` (default: the current size). */
export async function inclusionProofFor(store: LedgerStore, logName: string, index: number, size?: number): Promise<InclusionProof> {
  if (size !== undefined && validCount(index) && validCount(size) && index < size) {
    // The plan is known before the log is read: one round trip.
    const range = rangeNodes(0, size);
    const plan = inclusionProofNodes(index, size);
    const { log, lookup } = await logAndNodes(store, logName, [...plan.flatMap((p) => p.ids), ...range, { level: 0, index }]);
    if (size > log.size) throw new LedgerError("OUT_OF_RANGE", `size: got ${size}, want at most the tree size ${log.size}`);
    if (lookup) return { log: log.name, origin: log.origin, index, size, leafHash: lookup({ level: 0, index }), proof: proofFromNodes(plan, lookup), root: compactRoot(range.map(lookup)) };
  }
  const log = await store.findLogWithSize(logName);
  const current = log.size;
  const n = size ?? current;
  checkCount("seq", index);
  checkCount("size", n);
  if (n > current) throw new LedgerError("OUT_OF_RANGE", `size: got ${n}, want at most the tree size ${current}`);
  if (index >= n) throw new LedgerError("OUT_OF_RANGE", `seq: got ${index}, want less than the tree size ${n}`);
  const range = rangeNodes(0, n);
  const plan = inclusionProofNodes(index, n);
  const found = await store.fetchNodes(log.id, [...plan.flatMap((p) => p.ids), ...range, { level: 0, index }]);
  const lookup = (id: NodeId) => found.get(nodeKey(id.level, id.index))!;
  return { log: log.name, origin: log.origin, index, size: n, leafHash: lookup({ level: 0, index }), proof: proofFromNodes(plan, lookup), root: compactRoot(range.map(lookup)) };
}

/** Proof that the tree of size1 is a prefix of the tree of size2 (default: the current size). */
export async function consistencyProofFor(store: LedgerStore, logName: string, size1: number, size2?: number): Promise<ConsistencyProof> {
  if (size2 !== undefined && validCount(size1) && validCount(size2) && size1 <= size2) {
    // The plan is known before the log is read: one round trip.
    const range1 = rangeNodes(0, size1);
    const range2 = rangeNodes(0, size2);
    const plan = consistencyProofNodes(size1, size2);
    const { log, lookup } = await logAndNodes(store, logName, [...plan.flatMap((p) => p.ids), ...range1, ...range2]);
    if (size2 > log.size) throw new LedgerError("OUT_OF_RANGE", `to: got ${size2}, want at most the tree size ${log.size}`);
    if (lookup) return { log: log.name, origin: log.origin, size1, size2, proof: proofFromNodes(plan, lookup), root1: compactRoot(range1.map(lookup)), root2: compactRoot(range2.map(lookup)) };
  }
  const log = await store.findLogWithSize(logName);
  const current = log.size;
  const n2 = size2 ?? current;
  checkCount("from", size1);
  checkCount("to", n2);
  if (n2 > current) throw new LedgerError("OUT_OF_RANGE", `to: got ${n2}, want at most the tree size ${current}`);
  if (size1 > n2) throw new LedgerError("OUT_OF_RANGE", `from: got ${size1}, want at most to (${n2})`);
  const range1 = rangeNodes(0, size1);
  const range2 = rangeNodes(0, n2);
  const plan = consistencyProofNodes(size1, n2);
  const found = await store.fetchNodes(log.id, [...plan.flatMap((p) => p.ids), ...range1, ...range2]);
  const lookup = (id: NodeId) => found.get(nodeKey(id.level, id.index))!;
  return { log: log.name, origin: log.origin, size1, size2: n2, proof: proofFromNodes(plan, lookup), root1: compactRoot(range1.map(lookup)), root2: compactRoot(range2.map(lookup)) };
}
