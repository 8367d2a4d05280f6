import { describe, expect, it } from "vitest";
import { CoreError, type CoreErrorCode } from "../../src/core/errors.js";
import {
  appendToFrontier,
  compactRoot,
  consistencyProof,
  consistencyProofNodes,
  inclusionProof,
  inclusionProofNodes,
  proofFromNodes,
  rangeNodes,
  rootFromInclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from "../../src/core/merkle/index.js";
import { ReferenceTree, testLeafHashes } from "./merkle-reference.js";

function expectCode(fn: () => unknown, code: CoreErrorCode): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CoreError);
  expect((error as CoreError).code).toBe(code);
}

const flip = (proof: readonly Uint8Array[], i: number): Uint8Array[] =>
  proof.map((hash, j) => (j === i ? hash.map((b, k) => (k === 0 ? b ^ 8 : b)) : hash));

const leaves = testLeafHashes(13);
const ref = new ReferenceTree(leaves);
const other = new Uint8Array(32).fill(0xab);
const badNumbers: (number | bigint)[] = [-1, -1n, 1.5, Number.NaN, Infinity, 2 ** 53, 2n ** 64n];

describe("verifyInclusion rejects", () => {
  const [index, size] = [5, 13];
  const proof = inclusionProof(index, size, leaves);
  const [leaf, root] = [leaves[index]!, ref.mth(0, size)];

  it("a flipped bit in any proof hash, or a wrong leaf hash or root", () => {
    proof.forEach((_, i) => expectCode(() => verifyInclusion(index, size, leaf, flip(proof, i), root), "PROOF_MISMATCH"));
    expectCode(() => verifyInclusion(index, size, other, proof, root), "PROOF_MISMATCH");
    expectCode(() => verifyInclusion(index, size, leaf, proof, other), "PROOF_MISMATCH");
    expectCode(() => verifyInclusion(index + 1, size, leaf, proof, root), "PROOF_MISMATCH");
  });

  it("proofs of the wrong shape", () => {
    const short = proof.map((hash, i) => (i === 1 ? hash.subarray(1) : hash));
    expectCode(() => verifyInclusion(index, size, leaf, short, root), "PROOF_MALFORMED");
    expectCode(() => verifyInclusion(index, size, leaf, [...proof, other], root), "PROOF_MALFORMED");
    expectCode(() => verifyInclusion(index, size, leaf, proof.slice(1), root), "PROOF_MALFORMED");
    expectCode(() => verifyInclusion(index, size, leaf, [], root), "PROOF_MALFORMED");
    expectCode(() => verifyInclusion(0, 1, leaf, [other], leaf), "PROOF_MALFORMED");
    const junk = [...proof.slice(1), "x"] as unknown as Uint8Array[];
    expectCode(() => verifyInclusion(index, size, leaf, junk, root), "PROOF_MALFORMED");
    expectCode(() => verifyInclusion(index, size, leaf, null as unknown as Uint8Array[], root), "PROOF_MALFORMED");
  });

  it("broken preconditions before looking at the proof", () => {
    expectCode(() => verifyInclusion(13, 13, leaf, [], root), "INVALID_ARGUMENT");
    expectCode(() => verifyInclusion(0, 0, leaf, [], root), "INVALID_ARGUMENT");
    expectCode(() => verifyInclusion(index, size, leaf.subarray(1), proof, root), "INVALID_ARGUMENT");
    expectCode(() => verifyInclusion(index, size, leaf, [], root.subarray(1)), "INVALID_ARGUMENT");
    expectCode(() => rootFromInclusionProof(7, 3, leaf, proof), "INVALID_ARGUMENT");
    for (const bad of badNumbers) {
      expectCode(() => verifyInclusion(bad, size, leaf, proof, root), "INVALID_ARGUMENT");
      expectCode(() => verifyInclusion(index, bad, leaf, proof, root), "INVALID_ARGUMENT");
    }
    expectCode(() => verifyInclusion("5" as unknown as number, size, leaf, proof, root), "INVALID_ARGUMENT");
  });

  it("wrong-length proofs for uint64 sizes beyond 2^53 without crashing", () => {
    const max = 2n ** 64n - 1n;
    expectCode(() => verifyInclusion(max - 1n, max, leaf, proof, root), "PROOF_MALFORMED");
    // Leaf 2^64-2 is on the right border: one left sibling per level below the root.
    const proof63 = Array.from({ length: 63 }, () => other);
    expectCode(() => verifyInclusion(max - 1n, max, leaf, proof63, root), "PROOF_MISMATCH");
  });
});

describe("verifyConsistency rejects", () => {
  const [size1, size2] = [6, 13];
  const proof = consistencyProof(size1, size2, leaves);
  const [root1, root2] = [ref.mth(0, size1), ref.mth(0, size2)];
  const empty = rootFromLeafHashes([]);

  it("a flipped bit, wrong roots, swapped roots", () => {
    proof.forEach((_, i) => expectCode(() => verifyConsistency(size1, size2, flip(proof, i), root1, root2), "PROOF_MISMATCH"));
    expectCode(() => verifyConsistency(size1, size2, proof, other, root2), "PROOF_MISMATCH");
    expectCode(() => verifyConsistency(size1, size2, proof, root1, other), "PROOF_MISMATCH");
    expectCode(() => verifyConsistency(size1, size2, proof, root2, root1), "PROOF_MISMATCH");
  });

  it("proofs of the wrong shape", () => {
    expectCode(() => verifyConsistency(size1, size2, [], root1, root2), "PROOF_MALFORMED");
    expectCode(() => verifyConsistency(size1, size2, proof.slice(1), root1, root2), "PROOF_MALFORMED");
    expectCode(() => verifyConsistency(size1, size2, [...proof, root2], root1, root2), "PROOF_MALFORMED");
    expectCode(() => verifyConsistency(size1, size2, [proof[0]!, ...proof], root1, root2), "PROOF_MALFORMED");
    const short = proof.map((hash, i) => (i === 0 ? hash.subarray(0, 31) : hash));
    expectCode(() => verifyConsistency(size1, size2, short, root1, root2), "PROOF_MALFORMED");
  });

  it("non-empty proofs where none is needed, and roots that disagree there", () => {
    expectCode(() => verifyConsistency(0, size2, [root2], empty, root2), "PROOF_MALFORMED");
    expectCode(() => verifyConsistency(0, 0, [empty], empty, empty), "PROOF_MALFORMED");
    expectCode(() => verifyConsistency(size1, size1, [root1], root1, root1), "PROOF_MALFORMED");
    expectCode(() => verifyConsistency(0, size2, [], root1, root2), "PROOF_MISMATCH");
    expectCode(() => verifyConsistency(size1, size1, [], root1, root2), "PROOF_MISMATCH");
    verifyConsistency(0, size2, [], empty, root2);
    verifyConsistency(0, 0, [], empty, empty);
    verifyConsistency(size1, size1, [], root1, root1);
  });

  it("broken preconditions before looking at the proof", () => {
    expectCode(() => verifyConsistency(size2, size1, proof, root1, root2), "INVALID_ARGUMENT");
    expectCode(() => verifyConsistency(size1, size2, [], root1.subarray(1), root2), "INVALID_ARGUMENT");
    expectCode(() => verifyConsistency(size1, size2, [], root1, new Uint8Array(0)), "INVALID_ARGUMENT");
    for (const bad of badNumbers) {
      expectCode(() => verifyConsistency(bad, size2, proof, root1, root2), "INVALID_ARGUMENT");
      expectCode(() => verifyConsistency(size1, bad, proof, root1, root2), "INVALID_ARGUMENT");
    }
  });
});

describe("generation and node helpers reject broken preconditions", () => {
  it("in proof generation", () => {
    expectCode(() => inclusionProof(3, 3, leaves), "INVALID_ARGUMENT");
    expectCode(() => inclusionProof(0, 14, leaves), "INVALID_ARGUMENT");
    expectCode(() => inclusionProof(-1, 3, leaves), "INVALID_ARGUMENT");
    expectCode(() => consistencyProof(4, 3, leaves), "INVALID_ARGUMENT");
    expectCode(() => consistencyProof(3, 14, leaves), "INVALID_ARGUMENT");
    expectCode(() => rootFromLeafHashes([leaves[0]!, new Uint8Array(31)]), "INVALID_ARGUMENT");
    expectCode(() => inclusionProof(0, 2, [leaves[0]!, new Uint8Array(33)]), "INVALID_ARGUMENT");
  });

  it("in node plans", () => {
    expectCode(() => inclusionProofNodes(3, 3), "INVALID_ARGUMENT");
    expectCode(() => inclusionProofNodes(0, 2n ** 53n), "INVALID_ARGUMENT");
    expectCode(() => consistencyProofNodes(4, 3), "INVALID_ARGUMENT");
    expectCode(() => rangeNodes(5, 4), "INVALID_ARGUMENT");
    expectCode(() => rangeNodes(0.5, 4), "INVALID_ARGUMENT");
    const plan = inclusionProofNodes(0, 5);
    expectCode(() => proofFromNodes(plan, () => new Uint8Array(31)), "INVALID_ARGUMENT");
    expectCode(() => proofFromNodes([{ ids: [] }], () => leaves[0]!), "INVALID_ARGUMENT");
  });

  it("in the frontier", () => {
    expectCode(() => appendToFrontier([], 1, [leaves[0]!]), "INVALID_ARGUMENT");
    expectCode(() => appendToFrontier([leaves[0]!], 3, [leaves[1]!]), "INVALID_ARGUMENT");
    expectCode(() => appendToFrontier([new Uint8Array(8)], 1, [leaves[1]!]), "INVALID_ARGUMENT");
    expectCode(() => appendToFrontier([leaves[0]!], 1, [new Uint8Array(8)]), "INVALID_ARGUMENT");
    expectCode(() => appendToFrontier([], -1, []), "INVALID_ARGUMENT");
    expectCode(() => compactRoot([leaves[0]!, new Uint8Array(3)]), "INVALID_ARGUMENT");
  });
});
