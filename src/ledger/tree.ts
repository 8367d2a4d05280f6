/**
 * Reads of the stored Merkle tree: complete-subtree nodes by id. Level 0 nodes are the
 * leaves (entries.leaf_hash); higher levels come from merkle_nodes. Every caller asks for
 * O(log n) ids, fetched in one indexed round trip.
 */
import { type NodeId, rangeNodes } from "../core/merkle.js";
import type { Sql } from "./db.js";
import { LedgerError } from "./errors.js";

export const nodeKey = (level: number, index: number): string => `${level}:${index}`;

export async function fetchNodes(sql: Sql, logId: number, ids: readonly NodeId[]): Promise<Map<string, Uint8Array>> {
  const leaves: number[] = [];
  const levels: number[] = [];
  const indexes: number[] = [];
  for (const id of ids) {
    if (Number(id.level) === 0) leaves.push(Number(id.index));
    else {
      levels.push(Number(id.level));
      indexes.push(Number(id.index));
    }
  }
  const found = new Map<string, Uint8Array>();
  if (leaves.length > 0) {
    const rows = await sql<{ seq: number; hash: Buffer }[]>`
      select seq, leaf_hash as hash from entries where log_id = ${logId} and seq = any(${leaves}::bigint[])`;
    for (const r of rows) found.set(nodeKey(0, r.seq), new Uint8Array(r.hash));
  }
  if (levels.length > 0) {
    const rows = await sql<{ level: number; idx: number; hash: Buffer }[]>`
      select n.level, n.idx, n.hash from merkle_nodes n
      join unnest(${levels}::smallint[], ${indexes}::bigint[]) as want(level, idx)
        on n.level = want.level and n.idx = want.idx
      where n.log_id = ${logId}`;
    for (const r of rows) found.set(nodeKey(r.level, r.idx), new Uint8Array(r.hash));
  }
  for (const id of ids) {
    if (!found.has(nodeKey(Number(id.level), Number(id.index)))) {
      throw new LedgerError("INCONSISTENT", `Merkle node (level ${id.level}, index ${id.index}) of log ${logId} is missing: verify the log`);
    }
  }
  return found;
}

/** The hashes of the complete subtrees covering [0, size), left to right (the compact range). */
export async function loadFrontier(sql: Sql, logId: number, size: number): Promise<Uint8Array[]> {
  const ids = rangeNodes(0, size);
  const found = await fetchNodes(sql, logId, ids);
  return ids.map((id) => found.get(nodeKey(Number(id.level), Number(id.index)))!);
}
