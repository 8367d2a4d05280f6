/**
 * Reads of the stored Merkle tree: complete-subtree nodes by id. Level 0 nodes are the
 * leaves; nodes of level STORED_NODE_MIN_LEVEL and up are stored; the few levels between are
 * rehashed from at most 2^(STORED_NODE_MIN_LEVEL-1) leaves each. Every caller asks for
 * O(log n) ids, which the store reads in one round trip (postgres/nodes.ts).
 */
import { type NodeId, rangeNodes, rootFromLeafHashes } from "../core/merkle/index.js";
import { LedgerError } from "./errors.js";
import type { NodeRow, TreeStore } from "./store.js";

/** A number naming node (level, index): levels stay below 64 and indexes below 2^47. */
export const nodeKey = (level: number, index: number): number => index * 64 + level;

/**
 * Lowest level stored in merkle_nodes. Storing every level would write one node row per entry;
 * from level 4 up it is one per 8 entries, and a lower node costs at most 8 leaf reads.
 */
export const STORED_NODE_MIN_LEVEL = 4;

/** What to read for nodes `ids`: the leaves by seq, and the stored nodes by (level, index). */
export function planNodeRead(ids: readonly NodeId[]): { leaves: number[]; levels: number[]; indexes: number[] } {
  // Proof plans and compact ranges overlap: each leaf and node is asked for once.
  const leaves = new Set<number>();
  const nodes = new Set<number>();
  const levels: number[] = [];
  const indexes: number[] = [];
  for (const id of ids) {
    if (id.level >= STORED_NODE_MIN_LEVEL) {
      const key = nodeKey(id.level, id.index);
      if (nodes.has(key)) continue;
      nodes.add(key);
      levels.push(id.level);
      indexes.push(id.index);
    } else {
      for (let seq = id.index * 2 ** id.level; seq < (id.index + 1) * 2 ** id.level; seq++) leaves.add(seq);
    }
  }
  return { leaves: [...leaves], levels, indexes };
}

/**
 * The hashes of nodes `ids` from the rows read for planNodeRead(ids), keyed by nodeKey: the
 * levels below the stored ones rehashed from their leaves. Throws INCONSISTENT when one is
 * missing (`log` names the log in the message).
 */
export function assembleNodes(rows: readonly NodeRow[], ids: readonly NodeId[], log: number | string): Map<number, Uint8Array> {
  const found = new Map<number, Uint8Array>();
  for (const r of rows) found.set(nodeKey(r.level, r.idx), r.hash);
  for (const id of ids) {
    if (id.level > 0 && id.level < STORED_NODE_MIN_LEVEL && !found.has(nodeKey(id.level, id.index))) {
      const root = rehash(found, id);
      if (root) found.set(nodeKey(id.level, id.index), root);
    }
  }
  for (const id of ids) {
    if (!found.has(nodeKey(id.level, id.index))) {
      throw new LedgerError("INCONSISTENT", `Merkle node (level ${id.level}, index ${id.index}) of log ${log} is missing: verify the log`);
    }
  }
  return found;
}

/** The hash of a node below the stored levels from its leaves; undefined if one is missing. */
function rehash(found: Map<number, Uint8Array>, id: NodeId): Uint8Array | undefined {
  const width = 2 ** id.level;
  const first = id.index * width;
  const span: Uint8Array[] = [];
  for (let seq = first; seq < first + width; seq++) {
    const leaf = found.get(nodeKey(0, seq));
    if (!leaf) return undefined;
    span.push(leaf);
  }
  // The node roots the perfect subtree over these leaves: its hash is their MTH (RFC 9162 §2.1.1).
  return rootFromLeafHashes(span);
}

/** The hashes of the complete subtrees covering [0, size), left to right (the compact range). */
export async function loadFrontier(store: Pick<TreeStore, "fetchNodes">, logId: number, size: number): Promise<Uint8Array[]> {
  const ids = rangeNodes(0, size);
  const found = await store.fetchNodes(logId, ids);
  return ids.map((id) => found.get(nodeKey(id.level, id.index))!);
}
