/**
 * Writes a log's archived prefix grown from `from` to a checkpoint's size: the level 0 tiles,
 * entry bundles and rows files that change (partial ones keep their older, narrower files),
 * the upper tiles, then the checkpoint note last, so that a reader never finds a checkpoint
 * whose tiles are not all there (C2SP tlog-tiles).
 */
import { leafData } from "../../core/entry/index.js";
import { formatEntryLine, type PackEntry } from "../../core/pack/index.js";
import { entryBundle, TILE_WIDTH, tilesOf } from "../../core/tiles/index.js";
import { withCosignatures } from "../cosignatures.js";
import { LedgerError } from "../errors.js";
import type { LedgerStore, Log, StoredCheckpoint } from "../store.js";
import { tileHashes } from "../tiles.js";
import { checkpointKey, rowsKey, tileKey } from "./archive-layout.js";
import type { ArchiveStore } from "./archive-store.js";

const encoder = new TextEncoder();

/** `store` reads the prefix already archived (withArchive); returns the number of files written. */
export async function writeArchive(store: LedgerStore, archive: ArchiveStore, log: Log, checkpoint: StoredCheckpoint, from: number): Promise<number> {
  let files = 0;
  for (const tile of tilesOf(checkpoint.size)) {
    const level = tile.level as number;
    // A tile full at `from` is in the archive already, and full tiles never change.
    if ((tile.index + 1) * TILE_WIDTH ** (level + 1) <= from) continue;
    if (level > 0) {
      await archive.put(tileKey(log.name, level, tile.index, tile.width), await tileHashes(store, log.id, level, tile.index, tile.width));
      files++;
      continue;
    }
    const first = tile.index * TILE_WIDTH;
    const entries: PackEntry[] = [];
    for await (const batch of store.streamEntries(log.id, log.origin, first, first + tile.width)) {
      entries.push(...batch);
    }
    if (entries.length !== tile.width) throw new LedgerError("INCONSISTENT", `archiving log ${log.name}: ${entries.length} of ${tile.width} entries of tile ${tile.index}: verify the log`);
    const hashes = new Uint8Array(32 * tile.width);
    entries.forEach((e, i) => hashes.set(e.leafHash, 32 * i));
    await archive.put(tileKey(log.name, 0, tile.index, tile.width), hashes);
    await archive.put(tileKey(log.name, "entries", tile.index, tile.width), entryBundle(entries.map((e) => encoder.encode(leafData(e)))));
    await archive.put(rowsKey(log.name, tile.index, tile.width), encoder.encode(entries.map((e) => `${formatEntryLine(e)}\n`).join("")));
    files += 3;
  }
  await archive.put(checkpointKey(log.name), encoder.encode(withCosignatures(checkpoint.note, await store.cosignaturesAt(log.id, checkpoint.size))));
  return files + 1;
}
