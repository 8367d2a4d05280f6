import { describe, expect, it } from "vitest";
import { VerifiedNodes } from "../../src/api/verified-nodes.js";

const hash = (n: number) => new Uint8Array(32).fill(n);

describe("VerifiedNodes", () => {
  it("holds at most its bound, keeping the nodes read again (those near the root) over the rest", () => {
    const nodes = new VerifiedNodes(100);
    nodes.set(-1, hash(1)); // read by every page
    for (let key = 0; key < 1_000; key++) {
      nodes.set(key, hash(2));
      expect(nodes.get(-1)).toEqual(hash(1));
      expect(nodes.size).toBeLessThanOrEqual(100);
    }
    expect(nodes.get(999)).toEqual(hash(2));
    expect(nodes.get(0)).toBeUndefined();
  });

  it("keeps its own copy of each hash, and refuses one that is not 32 bytes", () => {
    const nodes = new VerifiedNodes(10);
    const given = hash(7);
    nodes.set(5, given);
    given.fill(0);
    expect(nodes.get(5)).toEqual(hash(7));
    // A node already kept is not replaced.
    nodes.set(5, hash(8));
    expect(nodes.get(5)).toEqual(hash(7));
    // Moved to the young generation when read from the old one, with the same bytes.
    for (let key = 100; key < 105; key++) nodes.set(key, hash(key));
    expect(nodes.get(5)).toEqual(hash(7));
    for (let key = 200; key < 204; key++) nodes.set(key, hash(key - 100));
    expect(nodes.get(5)).toEqual(hash(7));
    expect(nodes.size).toBeLessThanOrEqual(10);
    expect(() => nodes.set(6, new Uint8Array(31))).toThrow(RangeError);
  });

  it("takes memory as it fills, not its bound at once (one cache per log served)", () => {
    const nodes = new VerifiedNodes(100_000);
    for (let key = 0; key < 130; key++) nodes.set(key, hash(key % 250));
    expect(nodes.byteLength).toBeLessThanOrEqual(256 * 32);
    for (let key = 130; key < 10_000; key++) nodes.set(key, hash(key % 250));
    expect(nodes.byteLength).toBeGreaterThanOrEqual(10_000 * 32);
    expect(nodes.byteLength).toBeLessThanOrEqual(2 * 10_000 * 32);
    // Hashes written before the buffer grew, and views taken before it, are unchanged.
    expect(nodes.get(7)).toEqual(hash(7));
    const early = nodes.get(3)!;
    for (let key = 10_000; key < 20_000; key++) nodes.set(key, hash(1));
    expect(early).toEqual(hash(3));
    expect(nodes.get(3)).toEqual(hash(3));
  });
});
