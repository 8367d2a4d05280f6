/** Statement reading one level of the stored tree over an index range, as the tiles are cut from it. */
import type { Sql } from "./db.js";

/** Hashes of tree level `level` at indexes [from, to) in index order: leaves (level 0) or stored nodes. */
export async function levelHashes(sql: Sql, logId: number, level: number, from: number, to: number): Promise<Buffer[]> {
  const rows =
    level === 0
      ? await sql<{ hash: Buffer }[]>`
          select leaf_hash as hash from entries
          where log_id = ${logId} and seq >= ${from} and seq < ${to} order by seq`
      : await sql<{ hash: Buffer }[]>`
          select hash from merkle_nodes
          where log_id = ${logId} and level = ${level} and idx >= ${from} and idx < ${to} order by idx`;
  return rows.map((r) => r.hash);
}
