/**
 * Statements on the stored Merkle tree: leaves (entries.leaf_hash, level 0) and interior nodes
 * (merkle_nodes), read by id, by level, or as a binary COPY of index ranges.
 */
import type { NodeId } from "../../core/merkle/index.js";
import { assembleNodes, planNodeRead } from "../tree.js";
import type { NodeRow, NodeSpan, RawRowHandler } from "../store.js";
import { readCopyRows } from "./copy-binary.js";
import type { Sql } from "./db.js";

/**
 * The hashes of nodes `ids` of log `log` (its id, or its name), keyed by nodeKey; INCONSISTENT
 * when one is missing. One round trip for both kinds: the leaves, and the stored nodes joined
 * to the wanted ids. By name, the query needs no earlier one for the log's id (proofs.ts sends
 * both at once).
 */
export async function fetchNodes(sql: Sql, log: number | string, ids: readonly NodeId[]): Promise<Map<number, Uint8Array>> {
  const { leaves, levels, indexes } = planNodeRead(ids);
  const rows =
    typeof log === "number"
      ? await sql<NodeRow[]>`
          select 0::smallint as level, seq as idx, leaf_hash as hash from entries
            where log_id = ${log} and seq = any(${leaves}::bigint[])
          union all
          select n.level, n.idx, n.hash from merkle_nodes n
            join unnest(${levels}::smallint[], ${indexes}::bigint[]) as want(level, idx)
              on n.level = want.level and n.idx = want.idx
            where n.log_id = ${log}`
      : await sql<NodeRow[]>`
          with log as (select id from logs where name = ${log})
          select 0::smallint as level, seq as idx, leaf_hash as hash from entries
            where log_id = (select id from log) and seq = any(${leaves}::bigint[])
          union all
          select n.level, n.idx, n.hash from merkle_nodes n
            join unnest(${levels}::smallint[], ${indexes}::bigint[]) as want(level, idx)
              on n.level = want.level and n.idx = want.idx
            where n.log_id = (select id from log)`;
  return assembleNodes(rows, ids, log);
}

/** Stores interior nodes completed by a batch (inside the append transaction). */
export function insertNodes(tx: Sql, logId: number, nodes: readonly { level: number; index: number; hash: Uint8Array }[]) {
  return tx`insert into merkle_nodes (log_id, level, idx, hash)
    select ${logId}, node.level, node.idx, substring(${Buffer.concat(nodes.map((n) => n.hash))}::bytea from (32 * node.n - 31)::int for 32)
    from unnest(${nodes.map((n) => n.level)}::smallint[], ${nodes.map((n) => n.index)}::bigint[]) with ordinality as node(level, idx, n)`;
}

export function levelNodes(sql: Sql, logId: number, level: number, count: number): Promise<NodeRow[]> {
  return sql<NodeRow[]>`
    select level, idx, hash from merkle_nodes where log_id = ${logId} and level = ${level} and idx < ${count} order by idx`;
}

export function nodesAbove(sql: Sql, logId: number, level: number): Promise<NodeRow[]> {
  return sql<NodeRow[]>`
    select level, idx, hash from merkle_nodes where log_id = ${logId} and level > ${level}`;
}

/** Stored nodes of the spans as a binary COPY, one index range scan per level. */
export async function scanNodes(sql: Sql, logId: number, spans: readonly NodeSpan[], onRow: RawRowHandler): Promise<number> {
  if (spans.length === 0) return 0;
  const ranges = spans.map((s) => `(level = ${Number(s.level)} and idx >= ${Number(s.first)} and idx < ${Number(s.first) + Number(s.width)})`);
  const stream = await sql
    .unsafe(`copy (select level, idx, hash from merkle_nodes where log_id = ${Number(logId)} and (${ranges.join(" or ")})) to stdout (format binary)`)
    .readable();
  return readCopyRows(stream, onRow);
}
