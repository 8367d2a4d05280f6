/**
 * Inclusion and consistency proofs served from the stored tree: the proof plan (which
 * complete subtrees each proof hash covers) comes from the core, the O(log n) node hashes
 * from one indexed query, and the core assembles the proof (RFC 9162 §2.1.3, §2.1.4).
 */
import { compactRoot, consistencyProofNodes, inclusionProofNodes, type NodeId, proofFromNodes, rangeNodes } from "../core/merkle.js";
import type { Sql } from "./db.js";
import { LedgerError } from "./errors.js";
import { findLogWithSize } from "./logs.js";
import { fetchNodes, nodeKey } from "./tree.js";

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
export async function rootAt(sql: Sql, logId: number, size: number): Promise<Uint8Array> {
  const ids = rangeNodes(0, size);
  const found = await fetchNodes(sql, logId, ids);
  return compactRoot(ids.map((id) => found.get(nodeKey(id.level, id.index))!));
}

async function assemble(sql: Sql, logId: number, plan: ReturnType<typeof inclusionProofNodes>, extra: NodeId[]) {
  const ids = [...plan.flatMap((p) => p.ids), ...extra];
  const found = await fetchNodes(sql, logId, ids);
  const lookup = (id: NodeId) => found.get(nodeKey(id.level, id.index))!;
  return { proof: proofFromNodes(plan, lookup), lookup };
}

/** Proof that entry `index` is in the tree of `size` (default: the current size). */
export async function inclusionProofFor(sql: Sql, logName: string, index: number, size?: number): Promise<InclusionProof> {
  const log = await findLogWithSize(sql, logName);
  const current = log.size;
  const n = size ?? current;
  checkCount("seq", index);
  checkCount("size", n);
  if (n > current) throw new LedgerError("OUT_OF_RANGE", `size: got ${n}, want at most the tree size ${current}`);
  if (index >= n) throw new LedgerError("OUT_OF_RANGE", `seq: got ${index}, want less than the tree size ${n}`);
  const range = rangeNodes(0, n);
  const { proof, lookup } = await assemble(sql, log.id, inclusionProofNodes(index, n), [...range, { level: 0, index }]);
  return {
    log: log.name,
    origin: log.origin,
    index,
    size: n,
    leafHash: lookup({ level: 0, index }),
    proof,
    root: compactRoot(range.map(lookup)),
  };
}

/** Proof that the tree of size1 is a prefix of the tree of size2 (default: the current size). */
export async function consistencyProofFor(sql: Sql, logName: string, size1: number, size2?: number): Promise<ConsistencyProof> {
  const log = await findLogWithSize(sql, logName);
  const current = log.size;
  const n2 = size2 ?? current;
  checkCount("from", size1);
  checkCount("to", n2);
  if (n2 > current) throw new LedgerError("OUT_OF_RANGE", `to: got ${n2}, want at most the tree size ${current}`);
  if (size1 > n2) throw new LedgerError("OUT_OF_RANGE", `from: got ${size1}, want at most to (${n2})`);
  const range1 = rangeNodes(0, size1);
  const range2 = rangeNodes(0, n2);
  const { proof, lookup } = await assemble(sql, log.id, consistencyProofNodes(size1, n2), [...range1, ...range2]);
  return {
    log: log.name,
    origin: log.origin,
    size1,
    size2: n2,
    proof,
    root1: compactRoot(range1.map(lookup)),
    root2: compactRoot(range2.map(lookup)),
  };
}
