/**
 * What an archive holds for a log, under the log's name: its C2SP tlog-tiles for the archived
 * size (LOG/checkpoint: the signed note of that size with its cosignatures; LOG/tile/L/N and
 * LOG/tile/entries/N, partial tiles kept beside the full ones), which any tlog-tiles client
 * verifies offline with the log's vkey; and LOG/rows/N, each archived entry's row as a pack's
 * events.jsonl line (core/pack: payload, chain hash), one file per entry bundle, from which
 * `sealtrail verify` and packs read archived ranges.
 */
import { TILE_WIDTH, tilePath } from "../../core/tiles/index.js";

/** The level 0 tile (or bundle, rows file) holding `seq` in an archive of `size` entries: its index and width. */
export function tileOf(seq: number, size: number): { index: number; width: number } {
  const index = Math.floor(seq / TILE_WIDTH);
  return { index, width: Math.min(TILE_WIDTH, size - index * TILE_WIDTH) };
}

export const checkpointKey = (log: string) => `${log}/checkpoint`;

export const tileKey = (log: string, level: number | "entries", index: number, width: number) => `${log}/${tilePath({ level, index, width })}`;

export function rowsKey(log: string, index: number, width: number): string {
  return `${log}/rows/${tilePath({ level: "entries", index, width }).slice("tile/entries/".length)}`;
}
