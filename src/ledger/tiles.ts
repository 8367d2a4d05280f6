/**
 * Reads for the C2SP tlog-tiles API (https://c2sp.org/tlog-tiles) from the stored tree: a
 * tile at level L holds the hashes of tree level 8·L ("Merkle Tree": the MTH of each full tile
 * below), so level 0 tiles are entries.leaf_hash and higher ones are merkle_nodes rows, which
 * are stored from level STORED_NODE_MIN_LEVEL (4) up; entry bundles hold each entry's leaf
 * data, whose RFC 9162 leaf hash is the level 0 tile's hash. Plus which logs are public.
 */
import { leafData } from "../core/entry/index.js";
import { TILE_HEIGHT, TILE_WIDTH } from "../core/tiles/index.js";
import type { Sql } from "./db.js";
import { LedgerError } from "./errors.js";
import { streamEntries } from "./period-entries.js";
import { STORED_NODE_MIN_LEVEL } from "./tree.js";

const encoder = new TextEncoder();

/** The `width` hashes of tile (level, index), concatenated (32 bytes each). */
export async function tileHashes(sql: Sql, logId: number, level: number, index: number, width: number): Promise<Uint8Array> {
  const first = index * TILE_WIDTH;
  const treeLevel = level * TILE_HEIGHT;
  const rows =
    level === 0
      ? await sql<{ hash: Buffer }[]>`
          select leaf_hash as hash from entries
          where log_id = ${logId} and seq >= ${first} and seq < ${first + width} order by seq`
      : await sql<{ hash: Buffer }[]>`
          select hash from merkle_nodes
          where log_id = ${logId} and level = ${treeLevel} and idx >= ${first} and idx < ${first + width} order by idx`;
  if (rows.length !== width) {
    throw new LedgerError("INCONSISTENT", `tile ${level}/${index} of log ${logId}: ${rows.length} of ${width} hashes stored: verify the log`);
  }
  const out = new Uint8Array(width * 32);
  rows.forEach((r, i) => out.set(r.hash, i * 32));
  return out;
}

/** The leaf data (UTF-8 canonical JSON, core/entry leafData) of entries [index·256, index·256 + width). */
export async function bundleEntries(sql: Sql, logId: number, origin: string, index: number, width: number): Promise<Uint8Array[]> {
  const first = index * TILE_WIDTH;
  const out: Uint8Array[] = [];
  for await (const batch of streamEntries(sql, logId, origin, first, first + width)) {
    for (const e of batch) out.push(encoder.encode(leafData(e)));
  }
  if (out.length !== width) throw new LedgerError("INCONSISTENT", `entry bundle ${index} of log ${logId}: ${out.length} of ${width} entries stored: verify the log`);
  return out;
}

/** Whether the log's tiles are public: its newest visibility row says so. */
export async function isPublicLog(sql: Sql, logId: number): Promise<boolean> {
  const [row] = await sql<{ public: boolean }[]>`
    select public from log_visibility where log_id = ${logId} order by at desc limit 1`;
  return row?.public ?? false;
}

export async function setLogVisibility(sql: Sql, logId: number, isPublic: boolean): Promise<void> {
  await sql`insert into log_visibility (log_id, public) values (${logId}, ${isPublic})`;
}

/** What a tiles request needs of its log, in one round trip: the log, whether it is public, its newest checkpoint's size. */
export async function tileLogState(sql: Sql, name: string): Promise<{ id: number; tenant: string; origin: string; public: boolean; size: number | null } | undefined> {
  const [row] = await sql<{ id: number; tenant: string; origin: string; public: boolean | null; size: number | null }[]>`
    select l.id, l.tenant, l.origin,
      (select v.public from log_visibility v where v.log_id = l.id order by v.at desc limit 1) as public,
      (select max(c.size) from checkpoints c where c.log_id = l.id) as size
    from logs l where l.name = ${name}`;
  return row ? { ...row, public: row.public ?? false } : undefined;
}
