import { describe, expect, it } from "vitest";
import { toHex } from "../../src/core/encoding/index.js";
import { type NodeLookup, planBatchInclusion, rangeNodes, verifyBatchInclusion } from "../../src/core/merkle/index.js";
import { CoreError } from "../../src/core/errors.js";
import { ReferenceTree, testLeafHashes } from "./merkle-reference.js";

const SIZE = 70;
const leaves = testLeafHashes(SIZE);
const ref = new ReferenceTree(leaves);
/** The hash of complete node (level, index) per the reference; undefined past the tree. */
const node = (level: number, index: number): Uint8Array | undefined => {
  const begin = index * 2 ** level;
  return begin + 2 ** level <= SIZE ? ref.mth(begin, begin + 2 ** level) : undefined;
};
/** Only the compact range of the tree is known: what a signed root vouches for. */
const range = new Map(rangeNodes(0, SIZE).map((id) => [`${id.level}/${id.index}`, node(id.level, id.index)!]));
const rangeOnly: NodeLookup = (level, index) => range.get(`${level}/${index}`);
const key = (level: number, index: number) => `${level}/${index}`;

function check(indexes: number[], known: NodeLookup = rangeOnly, stored: NodeLookup = node, hashes = indexes.map((i) => leaves[i]!)) {
  const plan = planBatchInclusion(SIZE, indexes, known);
  return { plan, result: verifyBatchInclusion(plan, hashes, stored) };
}

describe("planBatchInclusion / verifyBatchInclusion", () => {
  it("verifies every set of neighbours, reading only the siblings the leaves do not give", () => {
    for (let from = 0; from < SIZE; from += 7) {
      for (const count of [1, 2, 5, 16, 33]) {
        const indexes = Array.from({ length: Math.min(count, SIZE - from) }, (_, k) => from + k);
        const { plan, result } = check(indexes);
        expect(result.ok, `${from}+${count}`).toBe(true);
        for (const { level, index } of plan.wanted) {
          // A wanted node lies wholly outside the leaves given, and is not known.
          const begin = index * 2 ** level;
          expect(indexes.some((i) => i >= begin && i < begin + 2 ** level)).toBe(false);
          expect(rangeOnly(level, index)).toBeUndefined();
        }
        // Every node reported verified is the tree's own.
        if (result.ok) for (const v of result.verified) expect(toHex(v.hash)).toBe(toHex(node(v.level, v.index)!));
      }
    }
  });

  it("reads nothing for a complete subtree whose root is known, and at most one sibling per level for a run", () => {
    // The tree of 70 has the range (6, 0), (2, 16), (1, 34): leaves 64…67 are node (2, 16).
    expect(check([64, 65, 66, 67]).plan.wanted).toEqual([]);
    const { plan } = check(Array.from({ length: 20 }, (_, k) => 10 + k));
    const perLevel = new Map<number, number>();
    for (const { level } of plan.wanted) perLevel.set(level, (perLevel.get(level) ?? 0) + 1);
    for (const n of perLevel.values()) expect(n).toBeLessThanOrEqual(2);
  });

  it("uses a node known below the range instead of reading its sibling path above", () => {
    const known: NodeLookup = (level, index) => rangeOnly(level, index) ?? (level === 3 && index === 2 ? node(3, 2) : undefined);
    const { plan, result } = check([17], known);
    expect(plan.wanted.map((id) => key(id.level, id.index))).toEqual(["0/16", "1/9", "2/5"]);
    expect(result.ok).toBe(true);
  });

  it("refuses a changed leaf, naming the leaves under the known node it fails to reach", () => {
    for (const bad of [0, 17, 63, 64, 69]) {
      const indexes = bad < 60 ? Array.from({ length: 10 }, (_, k) => Math.max(0, bad - 3) + k) : [bad];
      const hashes = indexes.map((i) => (i === bad ? new Uint8Array(32).fill(9) : leaves[i]!));
      const { result } = check(indexes, rangeOnly, node, hashes);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.first).toBeLessThanOrEqual(bad);
        expect(result.last).toBeGreaterThanOrEqual(bad);
      }
    }
  });

  it("names the one leaf when the leaf itself is known", () => {
    const known: NodeLookup = (level, index) => rangeOnly(level, index) ?? (level === 0 ? node(0, index) : undefined);
    const indexes = [20, 21, 22, 23];
    const { result } = check(indexes, known, node, indexes.map((i) => (i === 22 ? new Uint8Array(32) : leaves[i]!)));
    expect(result).toEqual({ ok: false, first: 22, last: 22 });
  });

  it("refuses a changed stored sibling: stored nodes are only data until hashed up to a known one", () => {
    const indexes = [40, 41, 42];
    const stored: NodeLookup = (level, index) => (level === 0 && index === 43 ? new Uint8Array(32).fill(1) : node(level, index));
    expect(check(indexes, rangeOnly, stored).result.ok).toBe(false);
  });

  it("reports a leaf no known node lies over, and refuses to verify with it", () => {
    const plan = planBatchInclusion(SIZE, [5], () => undefined);
    expect(plan.unanchored).toBe(5);
  });

  it("states its preconditions: ascending leaves below the size, a hash for each, every wanted node given", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error instanceof CoreError ? error.code : String(error);
      }
      return "no error";
    };
    expect(code(() => planBatchInclusion(SIZE, [3, 2], rangeOnly))).toBe("INVALID_ARGUMENT");
    expect(code(() => planBatchInclusion(SIZE, [3, 3], rangeOnly))).toBe("INVALID_ARGUMENT");
    expect(code(() => planBatchInclusion(SIZE, [SIZE], rangeOnly))).toBe("INVALID_ARGUMENT");
    const plan = planBatchInclusion(SIZE, [1, 2], rangeOnly);
    expect(code(() => verifyBatchInclusion(plan, [leaves[1]!], node))).toBe("INVALID_ARGUMENT");
    expect(code(() => verifyBatchInclusion(plan, [leaves[1]!, leaves[2]!], () => undefined))).toBe("INVALID_ARGUMENT");
    expect(code(() => verifyBatchInclusion(planBatchInclusion(SIZE, [5], () => undefined), [leaves[5]!], node))).toBe("INVALID_ARGUMENT");
  });
});
