/**
 * C2SP tlog-tiles: tile and entry-bundle paths, the tiles of a tree size (full and partial),
 * and the entry bundle encoding.
 */
export { encodeIndex, entryBundle, MAX_ENTRY_SIZE, parseTilePath, readEntryBundle, TILE_HEIGHT, TILE_WIDTH, type TileId, tilePath, tilesOf, tileWidth } from "./tile-path.js";
