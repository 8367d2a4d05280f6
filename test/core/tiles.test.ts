/** C2SP tlog-tiles paths, tile widths of a tree size, and entry bundles. */
import { describe, expect, it } from "vitest";
import { encodeIndex, entryBundle, parseTilePath, readEntryBundle, tilePath, tilesOf, tileWidth } from "../../src/core/tiles/index.js";

describe("tile paths", () => {
  it("encode the index in 3-digit groups, all but the last with x (the spec's example)", () => {
    expect(encodeIndex(1234067)).toBe("x001/x234/067");
    expect(encodeIndex(0)).toBe("000");
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe("tile/0/x001/x234/067");
    expect(tilePath({ level: "entries", index: 5, width: 17 })).toBe("tile/entries/005.p/17");
    expect(parseTilePath("tile/2/x001/x234/067.p/9")).toEqual({ level: 2, index: 1234067, width: 9 });
    expect(parseTilePath("tile/entries/000")).toEqual({ level: "entries", index: 0, width: 256 });
  });

  it.each(["tile/0/1", "tile/00/000", "tile/64/000", "tile/0/x000/001", "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/01", "tile/a/000", "tile/0/001/002"])("refuse the non-canonical %s", (path) => {
    expect(parseTilePath(path)).toBeUndefined();
  });
});

describe("tiles of a tree size", () => {
  it("match the spec's example of 70,000 entries", () => {
    const tiles = tilesOf(70_000);
    expect(tiles.filter((t) => t.level === 0 && t.width === 256)).toHaveLength(273);
    expect(tiles.filter((t) => t.width < 256)).toEqual([{ level: 0, index: 273, width: 112 }, { level: 1, index: 1, width: 17 }, { level: 2, index: 0, width: 1 }]);
    expect(tiles.filter((t) => t.level === 1 && t.width === 256)).toHaveLength(1);
    expect(tileWidth(0, 273, 70_000)).toBe(112);
    expect(tileWidth(0, 274, 70_000)).toBe(0);
    // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1"
    expect(tilesOf(256)).toEqual([{ level: 0, index: 0, width: 256 }, { level: 1, index: 0, width: 1 }]);
    expect(tilesOf(0)).toEqual([]);
  });
});

describe("entry bundles", () => {
  it("prefix each entry with its big-endian uint16 length, up to 65535 bytes", () => {
    const entries = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(65535).fill(7)];
    const bundle = entryBundle(entries);
    expect([...bundle.subarray(0, 5)]).toEqual([0, 3, 1, 2, 3]);
    expect(readEntryBundle(bundle)).toEqual(entries);
    expect(() => entryBundle([new Uint8Array(65536)])).toThrow(/65535/);
    expect(() => readEntryBundle(Uint8Array.from([0, 5, 1]))).toThrow(/overruns/);
  });
});
