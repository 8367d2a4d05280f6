/**
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles) resource names and shapes: tile paths, which
 * tiles a tree of a given size has, and entry bundles. Section names are the spec's.
 */
import { CoreError } from "../errors.js";

/** Tiles are 8 levels high: 256 hashes wide when full ("Merkle Tree"). */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** Entry bundles prefix each entry with a big-endian uint16 length ("Log entries"). */
export const MAX_ENTRY_SIZE = 65535;

/** A tile: level 0–63 (or "entries" for an entry bundle), index, width 1–256 (256 = full). */
export interface TileId {
  level: number | "entries";
  index: number;
  width: number;
}

/** `<N>` as zero-padded 3-digit path elements, all but the last prefixed with `x` ("Merkle Tree"). */
export function encodeIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new CoreError("INVALID_ARGUMENT", `tile index: got ${index}`);
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, "0"));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join("/");
}

/** `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`, relative to the log's prefix. */
export function tilePath(tile: TileId): string {
  const suffix = tile.width === TILE_WIDTH ? "" : `.p/${tile.width}`;
  return `tile/${tile.level}/${encodeIndex(tile.index)}${suffix}`;
}

const PATH = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/** The tile a path names, or undefined when it is not a tlog-tiles path in canonical form. */
export function parseTilePath(path: string): TileId | undefined {
  const m = PATH.exec(path);
  if (!m) return undefined;
  const level = m[1] === "entries" ? "entries" : Number(m[1]);
  if (level !== "entries" && level > 63) return undefined;
  const groups = [...(m[2] ?? "").split("/").filter((g) => g !== "").map((g) => g.slice(1)), m[3]!];
  // "x000/001" would name tile 1 a second way: the first group must not be zero when there are several.
  if (groups.length > 1 && groups[0] === "000") return undefined;
  if (groups.length > 5) return undefined;
  const index = groups.reduce((n, g) => n * 1000 + Number(g), 0);
  const width = m[4] === undefined ? TILE_WIDTH : Number(m[4]);
  if (m[4] !== undefined && width > 255) return undefined;
  return { level, index, width };
}

/**
 * The width tile (level, index) has in a tree of `size` leaves: 256 if full, 1–255 if it is
 * the partial tile of that size, 0 if the tree has no such tile ("Partial Tiles": the partial
 * tile at level l has floor(s / 256^l) mod 256 hashes). Entry bundles are level 0's.
 */
export function tileWidth(level: number | "entries", index: number, size: number): number {
  const l = level === "entries" ? 0 : level;
  const hashes = Math.floor(size / TILE_WIDTH ** l);
  const full = Math.floor(hashes / TILE_WIDTH);
  if (index < full) return TILE_WIDTH;
  if (index === full) return hashes % TILE_WIDTH;
  return 0;
}

/** Every tile a tree of `size` has, full and partial, level by level (for a static export). */
export function tilesOf(size: number): TileId[] {
  const tiles: TileId[] = [];
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    const hashes = Math.floor(size / TILE_WIDTH ** level);
    for (let index = 0; index * TILE_WIDTH < hashes; index++) tiles.push({ level, index, width: Math.min(TILE_WIDTH, hashes - index * TILE_WIDTH) });
  }
  return tiles;
}

/** An entry bundle: each entry as a big-endian uint16 length and its bytes ("Log entries"). */
export function entryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_SIZE) throw new CoreError("INVALID_ARGUMENT", `entry of ${e.length} bytes, at most ${MAX_ENTRY_SIZE} in an entry bundle`);
    total += 2 + e.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    out[at] = e.length >> 8;
    out[at + 1] = e.length & 0xff;
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}

/** The entries of a bundle; INVALID_ARGUMENT when a length overruns it. */
export function readEntryBundle(bundle: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bundle.length; ) {
    if (at + 2 > bundle.length) throw new CoreError("INVALID_ARGUMENT", "entry bundle: truncated length");
    const n = (bundle[at]! << 8) | bundle[at + 1]!;
    if (at + 2 + n > bundle.length) throw new CoreError("INVALID_ARGUMENT", "entry bundle: entry overruns the bundle");
    out.push(bundle.subarray(at + 2, at + 2 + n));
    at += 2 + n;
  }
  return out;
}
