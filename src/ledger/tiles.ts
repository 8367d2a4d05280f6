/**
 * Reads for the C2SP tlog-tiles API (https://c2sp.org/tlog-tiles) from the stored tree: a
 * tile at level L holds the hashes of tree level 8·L ("Merkle Tree": the MTH of each full tile
 * below), so level 0 tiles are entries.leaf_hash and higher ones are merkle_nodes rows, which
 * are stored from level STORED_NODE_MIN_LEVEL (4) up; entry bundles hold each entry's leaf
 * data, whose RFC 9162 leaf hash is the level 0 tile's hash.
 */
import { leafData } from "../core/entry/index.js";
import { TILE_HEIGHT, TILE_WIDTH } from "../core/tiles/index.js";
import type { LedgerStore } from "./store.js";
import { LedgerError } from "./errors.js";
import { STORED_NODE_MIN_LEVEL } from "./tree.js";

const encoder = new TextEncoder();

/** The `width` hashes of tile (level, index), concatenated (32 bytes each). */
export async function tileHashes(store: LedgerStore, logId: number, level: number, index: number, width: number): Promise<Uint8Array> {
  const first = index * TILE_WIDTH;
  const rows = await store.levelHashes(logId, level * TILE_HEIGHT, first, first + width);
  if (rows.length !== width) {
    throw new LedgerError("INCONSISTENT", `tile ${level}/${index} of log ${logId}: ${rows.length} of ${width} hashes stored: verify the log`);
  }
  const out = new Uint8Array(width * 32);
  rows.forEach((hash, i) => out.set(hash, i * 32));
  return out;
}

/** The leaf data (UTF-8 canonical JSON, core/entry leafData) of entries [index·256, index·256 + width). */
export async function bundleEntries(store: LedgerStore, logId: number, origin: string, index: number, width: number): Promise<Uint8Array[]> {
  const first = index * TILE_WIDTH;
  const out: Uint8Array[] = [];
  for await (const batch of store.streamEntries(logId, origin, first, first + width)) {
    for (const e of batch) out.push(encoder.encode(leafData(e)));
  }
  if (out.length !== width) throw new LedgerError("INCONSISTENT", `entry bundle ${index} of log ${logId}: ${out.length} of ${width} entries stored: verify the log`);
  return out;
}

