/**
 * Reads of the stored Merkle tree: complete-subtree nodes by id. Level 0 nodes are the
 * leaves (entries.leaf_hash); nodes of level STORED_NODE_MIN_LEVEL and up come from
 * merkle_nodes; the few levels between are rehashed from at most 2^(STORED_NODE_MIN_LEVEL-1)
 * leaves each. Every caller asks for O(log n) ids, fetched in at most two indexed queries.
 */
import { type NodeId, rangeNodes, rootFromLeafHashes } from "../core/merkle.js";
import type { Sql } from "./db.js";
import { LedgerError } from "./errors.js";

export const nodeKey = (level: number, index: number): string => `${level}:${index}`;

/**
 * Lowest level stored in merkle_nodes. Storing every level would write one node row per entry;
 * from level 4 up it is one per 8 entries, and a lower node costs at most 8 leaf reads.
 */
export const STORED_NODE_MIN_LEVEL = 4;

export async function fetchNodes(sql: Sql, logId: number, ids: readonly NodeId[]): Promise<Map<string, Uint8Array>> {
  const leaves: number[] = [];
  const levels: number[] = [];
  const indexes: number[] = [];
  for (const id of ids) {
    if (id.level >= STORED_NODE_MIN_LEVEL) {
      levels.push(id.level);
      indexes.push(id.index);
    } else {
      for (let seq = id.index * 2 ** id.level; seq < (id.index + 1) * 2 ** id.level; seq++) leaves.push(seq);
    }
  }
  // One round trip for both kinds: the leaves, and the stored nodes joined to the wanted ids.
  const rows = await sql<{ level: number; idx: number; hash: Buffer }[]>`
    select 0::smallint as level, seq as idx, leaf_hash as hash from entries
      where log_id = ${logId} and seq = any(${leaves}::bigint[])
    union all
    select n.level, n.idx, n.hash from merkle_nodes n
      join unnest(${levels}::smallint[], ${indexes}::bigint[]) as want(level, idx)
        on n.level = want.level and n.idx = want.idx
      where n.log_id = ${logId}`;
  const found = new Map<string, Uint8Array>();
  for (const r of rows) found.set(nodeKey(r.level, r.idx), new Uint8Array(r.hash));
  for (const id of ids) {
    if (id.level > 0 && id.level < STORED_NODE_MIN_LEVEL) {
      const first = id.index * 2 ** id.level;
      const span: Uint8Array[] = [];
      for (let seq = first; seq < first + 2 ** id.level; seq++) {
        const leaf = found.get(nodeKey(0, seq));
        if (leaf) span.push(leaf);
      }
      if (span.length === 2 ** id.level) found.set(nodeKey(id.level, id.index), rootFromLeafHashes(span));
    }
  }
  for (const id of ids) {
    if (!found.has(nodeKey(id.level, id.index))) {
      throw new LedgerError("INCONSISTENT", `Merkle node (level ${id.level}, index ${id.index}) of log ${logId} is missing: verify the log`);
    }
  }
  return found;
}

/** The hashes of the complete subtrees covering [0, size), left to right (the compact range). */
export async function loadFrontier(sql: Sql, logId: number, size: number): Promise<Uint8Array[]> {
  const ids = rangeNodes(0, size);
  const found = await fetchNodes(sql, logId, ids);
  return ids.map((id) => found.get(nodeKey(id.level, id.index))!);
}
