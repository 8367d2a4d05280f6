import { CoreError } from "../errors.js";
import { digestEqual, HASH_SIZE } from "../encoding/index.js";
import { checkHash, emptyRoot, nodeHash } from "./hash.js";
import { bitLength, onesCount, toUint64, trailingZeros } from "./size.js";

/**
 * Proof verification, RFC 9162 §2.1.3.2 and §2.1.4.2, ported from transparency-dev/merkle
 * proof/verify.go. Arguments are checked first (INVALID_ARGUMENT), then the proof's shape
 * (PROOF_MALFORMED), and only then is anything hashed (PROOF_MISMATCH).
 */

/** Throws PROOF_MALFORMED unless every element of `proof` is a 32-byte hash. */
function checkProofShape(proof: readonly Uint8Array[]): void {
  if (!Array.isArray(proof)) {
    throw new CoreError("PROOF_MALFORMED", `proof: got ${typeof proof}, want an array of hashes`);
  }
  proof.forEach((hash: unknown, i) => {
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      const got = hash instanceof Uint8Array ? `${hash.length} bytes` : typeof hash;
      throw new CoreError("PROOF_MALFORMED", `proof[${i}]: got ${got}, want ${HASH_SIZE} bytes`);
    }
  });
}

function checkProofLength(proof: readonly Uint8Array[], want: number): void {
  if (proof.length !== want) {
    throw new CoreError("PROOF_MALFORMED", `proof length: got ${proof.length}, want ${want}`);
  }
}

/**
 * Splits the inclusion proof for leaf `index` in a tree of `size` at the level where the
 * paths to leaves index and size-1 diverge. Returns the lengths of the lower part (inner)
 * and the upper part (border), whose sum is the proof length.
 */
function decompInclProof(index: bigint, size: bigint): [inner: number, border: number] {
  const inner = bitLength(index ^ (size - 1n));
  return [inner, onesCount(index >> BigInt(inner))];
}

/** Chains proof hashes up from `seed`, the node at `index` on its level, on or below the right border. */
function chainInner(seed: Uint8Array, proof: readonly Uint8Array[], index: bigint): Uint8Array {
  proof.forEach((hash, i) => {
    seed = ((index >> BigInt(i)) & 1n) === 0n ? nodeHash(seed, hash) : nodeHash(hash, seed);
  });
  return seed;
}

/** Like chainInner, but takes only left siblings: the result is the subtree's earlier version. */
function chainInnerRight(seed: Uint8Array, proof: readonly Uint8Array[], index: bigint): Uint8Array {
  proof.forEach((hash, i) => {
    if (((index >> BigInt(i)) & 1n) === 1n) seed = nodeHash(hash, seed);
  });
  return seed;
}

/** Chains along the right border of the tree, where every proof hash is a left sibling. */
function chainBorderRight(seed: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  for (const hash of proof) seed = nodeHash(hash, seed);
  return seed;
}

/**
 * The root of the tree of `size` implied by an inclusion proof for the leaf with `leafHash`
 * at `index`. Requires 0 <= index < size and a 32-byte leafHash.
 */
export function rootFromInclusionProof(
  index: number | bigint,
  size: number | bigint,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  const i = toUint64("index", index);
  const n = toUint64("size", size);
  if (i >= n) throw new CoreError("INVALID_ARGUMENT", `index: got ${i}, want < size ${n}`);
  checkHash("leafHash", leafHash);
  checkProofShape(proof);

  const [inner, border] = decompInclProof(i, n);
  checkProofLength(proof, inner + border);
  const res = chainInner(leafHash, proof.slice(0, inner), i);
  return chainBorderRight(res, proof.slice(inner));
}

/**
 * Checks that `proof` proves the leaf with `leafHash` at `index` is in the tree of `size`
 * with `root`. Requires 0 <= index < size and 32-byte leafHash and root.
 */
export function verifyInclusion(
  index: number | bigint,
  size: number | bigint,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  checkHash("root", root);
  const calculated = rootFromInclusionProof(index, size, leafHash, proof);
  if (!digestEqual(calculated, root)) {
    throw new CoreError("PROOF_MISMATCH", "inclusion proof does not lead to root");
  }
}

/**
 * Checks that `proof` proves the tree of size2 with root2 extends the tree of size1 with
 * root1. Requires 0 <= size1 <= size2 and 32-byte roots.
 *
 * Where the reference rejects size1 = 0 as meaningless, this accepts it with an empty
 * proof and root1 equal to the empty-tree root: every tree extends the empty one, and a
 * log's first checkpoint is then verified like any other.
 */
export function verifyConsistency(
  size1: number | bigint,
  size2: number | bigint,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  const m = toUint64("size1", size1);
  const n = toUint64("size2", size2);
  if (m > n) throw new CoreError("INVALID_ARGUMENT", `size1: got ${m}, want <= size2 ${n}`);
  checkHash("root1", root1);
  checkHash("root2", root2);
  checkProofShape(proof);

  if (m === 0n || m === n) {
    checkProofLength(proof, 0);
    if (m === 0n && !digestEqual(root1, emptyRoot())) {
      throw new CoreError("PROOF_MISMATCH", "root1 is not the root of the empty tree");
    }
    if (m === n && !digestEqual(root1, root2)) {
      throw new CoreError("PROOF_MISMATCH", "root1 and root2 differ for equal sizes");
    }
    return;
  }

  let [inner, border] = decompInclProof(m - 1n, n);
  const shift = trailingZeros(m);
  inner -= shift; // shift < inner, since size1 < size2.

  // The proof starts with the root of the subtree of size 2^shift, unless that is the
  // whole old tree, whose root the verifier already has.
  const start = m === 1n << BigInt(shift) ? 0 : 1;
  checkProofLength(proof, start + inner + border);
  // The length check guarantees proof[0] exists when start = 1.
  const seed = start === 0 ? root1 : (proof[0] as Uint8Array);
  // Now the rest is a suffix of the inclusion proof for leaf size1-1 in the tree of size2.
  const rest = proof.slice(start);

  const mask = (m - 1n) >> BigInt(shift); // Chaining starts at level `shift`.
  let hash1 = chainInnerRight(seed, rest.slice(0, inner), mask);
  hash1 = chainBorderRight(hash1, rest.slice(inner));
  if (!digestEqual(hash1, root1)) {
    throw new CoreError("PROOF_MISMATCH", "consistency proof does not lead to root1");
  }
  let hash2 = chainInner(seed, rest.slice(0, inner), mask);
  hash2 = chainBorderRight(hash2, rest.slice(inner));
  if (!digestEqual(hash2, root2)) {
    throw new CoreError("PROOF_MISMATCH", "consistency proof does not lead to root2");
  }
}
