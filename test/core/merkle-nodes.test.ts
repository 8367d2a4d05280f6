import { describe, expect, it } from "vitest";
import { toHex } from "../../src/core/encoding/index.js";
import {
  appendToFrontier,
  compactRoot,
  consistencyProof,
  consistencyProofNodes,
  inclusionProof,
  inclusionProofNodes,
  proofFromNodes,
  rangeNodes,
  rootFromLeafHashes,
  type NodeId,
  type ProofNode,
} from "../../src/core/merkle/index.js";
import { ReferenceTree, testLeafHashes } from "./merkle-reference.js";

const hexes = (hashes: readonly Uint8Array[]): string[] => hashes.map(toHex);
const idCount = (plan: readonly ProofNode[]): number =>
  plan.reduce((sum, element) => sum + element.ids.length, 0);

const SIZE = 70;
const leaves = testLeafHashes(SIZE);
const ref = new ReferenceTree(leaves);
/** What the database would return: the hash of a perfect subtree. */
const lookup = (id: NodeId): Uint8Array => {
  const begin = id.index * 2 ** id.level;
  const end = begin + 2 ** id.level;
  if (end > SIZE) throw new Error(`node (${id.level}, ${id.index}) is not complete`);
  return ref.mth(begin, end);
};

describe("rangeNodes", () => {
  it("decomposes [0b110, 0b11101) into subtrees of 2, 8, 8, 4, 1 leaves (compact.Decompose)", () => {
    expect(rangeNodes(0b110, 0b11101)).toEqual([
      { level: 1, index: 3 },
      { level: 3, index: 1 },
      { level: 3, index: 2 },
      { level: 2, index: 6 },
      { level: 0, index: 28 },
    ]);
  });

  it("covers [begin, end) left to right with the fewest perfect subtrees", () => {
    for (let end = 0; end <= 80; end++) {
      for (let begin = 0; begin <= end; begin++) {
        let pos = begin;
        const ids = rangeNodes(begin, end);
        for (const { level, index } of ids) {
          expect(index * 2 ** level).toBe(pos); // Contiguous and aligned.
          pos += 2 ** level;
        }
        expect(pos).toBe(end);
        // Minimal: no two adjacent siblings that could have been one node.
        ids.slice(1).forEach((id, i) => {
          const prev = ids[i]!;
          expect(prev.level === id.level && prev.index % 2 === 0 && prev.index + 1 === id.index).toBe(false);
        });
      }
    }
  });

  it("handles sizes beyond 32 bits", () => {
    const size = 2 ** 52 + 2 ** 33 + 5;
    expect(rangeNodes(0, size)).toEqual([
      { level: 52, index: 0 },
      { level: 33, index: 2 ** 19 },
      { level: 2, index: (2 ** 52 + 2 ** 33) / 4 },
      { level: 0, index: 2 ** 52 + 2 ** 33 + 4 },
    ]);
  });
});

describe("proof node plans", () => {
  it("give the direct inclusion proof for every index < size <= 70", () => {
    for (let size = 1; size <= SIZE; size++) {
      for (let index = 0; index < size; index++) {
        const plan = inclusionProofNodes(index, size);
        const proof = proofFromNodes(plan, lookup);
        expect(hexes(proof)).toEqual(hexes(inclusionProof(index, size, leaves)));
      }
    }
  });

  it("give the direct consistency proof for every size1 <= size2 <= 70", () => {
    for (let size2 = 0; size2 <= SIZE; size2++) {
      for (let size1 = 0; size1 <= size2; size1++) {
        const plan = consistencyProofNodes(size1, size2);
        const proof = proofFromNodes(plan, lookup);
        expect(hexes(proof)).toEqual(hexes(consistencyProof(size1, size2, leaves)));
      }
    }
  });

  it("need O(log n) node ids", () => {
    const sizes = [2 ** 53 - 1, 2 ** 40 + 12345, 1_000_003, 2 ** 20, 97];
    for (const size of sizes) {
      const bound = 2 * Math.ceil(Math.log2(size + 1));
      for (const index of [0, 1, Math.floor(size / 3), size - 2, size - 1]) {
        expect(idCount(inclusionProofNodes(index, size))).toBeLessThanOrEqual(bound);
        expect(idCount(consistencyProofNodes(index + 1, size))).toBeLessThanOrEqual(bound);
      }
    }
    // The same with bigint arguments.
    expect(inclusionProofNodes(5n, 97n)).toEqual(inclusionProofNodes(5, 97));
  });
});

describe("appendToFrontier", () => {
  it("matches full recomputation for batches of every size", () => {
    const all = testLeafHashes(200);
    const allRef = new ReferenceTree(all);
    for (const batch of [1, 2, 3, 7, 16, 33]) {
      let frontier: Uint8Array[] = [];
      let size = 0;
      const stored = new Map<string, string>();
      while (size < all.length) {
        const appended = appendToFrontier(frontier, size, all.slice(size, size + batch));
        ({ frontier, size } = appended);
        for (const node of appended.nodes) {
          expect(node.level).toBeGreaterThanOrEqual(1);
          const key = `${node.level},${node.index}`;
          expect(stored.has(key)).toBe(false);
          stored.set(key, toHex(node.hash));
        }
        const ids = rangeNodes(0, size);
        const want = ids.map(({ level, index }) => allRef.mth(index * 2 ** level, (index + 1) * 2 ** level));
        expect(hexes(frontier)).toEqual(hexes(want));
        expect(toHex(compactRoot(frontier))).toBe(toHex(rootFromLeafHashes(all.slice(0, size))));
      }
      // Every perfect subtree of level >= 1 was reported exactly once, with its hash.
      let count = 0;
      for (let level = 1; 2 ** level <= all.length; level++) {
        for (let index = 0; (index + 1) * 2 ** level <= all.length; index++, count++) {
          const hash = allRef.mth(index * 2 ** level, (index + 1) * 2 ** level);
          expect(stored.get(`${level},${index}`)).toBe(toHex(hash));
        }
      }
      expect(stored.size).toBe(count);
    }
  });

  it("does not modify the frontier it is given", () => {
    const frontier = [leaves[0]!];
    appendToFrontier(frontier, 1, [leaves[1]!]);
    expect(frontier).toEqual([leaves[0]!]);
  });
});
