/**
 * Reads of the stored Merkle tree: complete-subtree nodes by id. Level 0 nodes are the
 * leaves (entries.leaf_hash); nodes of level STORED_NODE_MIN_LEVEL and up come from
 * merkle_nodes; the few levels between are rehashed from at most 2^(STORED_NODE_MIN_LEVEL-1)
 * leaves each. Every caller asks for O(log n) ids, fetched in at most two indexed queries.
 */
import { type NodeId, rangeNodes, rootFromLeafHashes } from "../core/merkle/index.js";
import type { merkleNodes } from "../../schema/ledger.js";
import type { Sql } from "./postgres/db.js";
import { LedgerError } from "./errors.js";

/** A merkle_nodes row; leaves (entries.leaf_hash) are read in the same shape, at level 0. */
type NodeRow = Pick<typeof merkleNodes.$inferSelect, "level" | "idx" | "hash">;

/** A number naming node (level, index): levels stay below 64 and indexes below 2^47. */
export const nodeKey = (level: number, index: number): number => index * 64 + level;

/**
 * Lowest level stored in merkle_nodes. Storing every level would write one node row per entry;
 * from level 4 up it is one per 8 entries, and a lower node costs at most 8 leaf reads.
 */
export const STORED_NODE_MIN_LEVEL = 4;

/**
 * The hashes of nodes `ids` of log `log` (its id, or its name), keyed by nodeKey. Throws
 * INCONSISTENT when one is missing.
 */
export async function fetchNodes(sql: Sql, log: number | string, ids: readonly NodeId[]): Promise<Map<number, Uint8Array>> {
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
  // One round trip for both kinds: the leaves, and the stored nodes joined to the wanted ids.
  // By name, the query needs no earlier one for the log's id (proofs.ts sends both at once).
  const rows =
    typeof log === "number"
      ? await sql<NodeRow[]>`
          select 0::smallint as level, seq as idx, leaf_hash as hash from entries
            where log_id = ${log} and seq = any(${[...leaves]}::bigint[])
          union all
          select n.level, n.idx, n.hash from merkle_nodes n
            join unnest(${levels}::smallint[], ${indexes}::bigint[]) as want(level, idx)
              on n.level = want.level and n.idx = want.idx
            where n.log_id = ${log}`
      : await sql<NodeRow[]>`
          with log as (select id from logs where name = ${log})
          select 0::smallint as level, seq as idx, leaf_hash as hash from entries
            where log_id = (select id from log) and seq = any(${[...leaves]}::bigint[])
          union all
          select n.level, n.idx, n.hash from merkle_nodes n
            join unnest(${levels}::smallint[], ${indexes}::bigint[]) as want(level, idx)
              on n.level = want.level and n.idx = want.idx
            where n.log_id = (select id from log)`;
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
export async function loadFrontier(sql: Sql, logId: number, size: number): Promise<Uint8Array[]> {
  const ids = rangeNodes(0, size);
  const found = await fetchNodes(sql, logId, ids);
  return ids.map((id) => found.get(nodeKey(id.level, id.index))!);
}
