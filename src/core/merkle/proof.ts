import { CoreError } from "../errors.js";
import { subtreeRoot } from "./hash.js";
import { toSafeUint } from "./size.js";

/**
 * Proof generation from the full list of leaf hashes, written as the RFC 9162 definitions
 * read, with the recursion unrolled into a walk down the tree over [lo, hi) ranges. Each
 * step hashes one sibling subtree, so a proof costs O(n) hashes. The database layer builds
 * proofs from stored nodes instead (nodes.ts); these are the reference for it.
 */

/** Largest power of two strictly less than n, for n >= 2 (the k of RFC 9162 §2.1.1). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkSize(name: string, size: number, leafHashes: readonly Uint8Array[]): void {
  if (size > leafHashes.length) {
    throw new CoreError(
      "INVALID_ARGUMENT",
      `${name}: got ${size}, want <= ${leafHashes.length} (the number of leaf hashes)`,
    );
  }
}

/**
 * PATH(index, D[0:size]) of RFC 9162 §2.1.3.1: the inclusion proof for leaf `index` in the
 * tree of the first `size` leaf hashes, ordered from the leaf up.
 * Requires 0 <= index < size <= leafHashes.length.
 */
export function inclusionProof(
  index: number | bigint,
  size: number | bigint,
  leafHashes: readonly Uint8Array[],
): Uint8Array[] {
  const m = Number(toSafeUint("index", index));
  const n = Number(toSafeUint("size", size));
  if (m >= n) throw new CoreError("INVALID_ARGUMENT", `index: got ${m}, want < size ${n}`);
  checkSize("size", n, leafHashes);

  // PATH(m, D[lo:hi]) = PATH(m, D[lo:lo+k]) : MTH(D[lo+k:hi])        if m < k
  //                   = PATH(m - k, D[lo+k:hi]) : MTH(D[lo:lo+k])    if m >= k
  const topDown: Uint8Array[] = [];
  let lo = 0;
  let hi = n;
  let i = m;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (i < k) {
      topDown.push(subtreeRoot(leafHashes, lo + k, hi));
      hi = lo + k;
    } else {
      topDown.push(subtreeRoot(leafHashes, lo, lo + k));
      lo += k;
      i -= k;
    }
  }
  return topDown.reverse();
}

/**
 * PROOF(size1, D[0:size2]) of RFC 9162 §2.1.4.1: the consistency proof between the trees of
 * the first size1 and size2 leaf hashes. Requires 0 <= size1 <= size2 <= leafHashes.length.
 * The proof is empty when size1 = size2, and also when size1 = 0, for which the RFC defines
 * none: every tree extends the empty one (verifyConsistency accepts exactly that).
 */
export function consistencyProof(
  size1: number | bigint,
  size2: number | bigint,
  leafHashes: readonly Uint8Array[],
): Uint8Array[] {
  const m = Number(toSafeUint("size1", size1));
  const n = Number(toSafeUint("size2", size2));
  if (m > n) throw new CoreError("INVALID_ARGUMENT", `size1: got ${m}, want <= size2 ${n}`);
  checkSize("size2", n, leafHashes);
  if (m === 0 || m === n) return [];

  // SUBPROOF(m, D[lo:hi], b) = [] if m = hi - lo and b; [MTH(D[lo:hi])] if m = hi - lo and !b
  //   = SUBPROOF(m, D[lo:lo+k], b) : MTH(D[lo+k:hi])              if m <= k
  //   = SUBPROOF(m - k, D[lo+k:hi], false) : MTH(D[lo:lo+k])      if m > k
  const topDown: Uint8Array[] = [];
  let lo = 0;
  let hi = n;
  let rest = m;
  let complete = true; // The b flag: the current subtree is the whole old tree.
  while (rest !== hi - lo) {
    const k = splitPoint(hi - lo);
    if (rest <= k) {
      topDown.push(subtreeRoot(leafHashes, lo + k, hi));
      hi = lo + k;
    } else {
      topDown.push(subtreeRoot(leafHashes, lo, lo + k));
      lo += k;
      rest -= k;
      complete = false;
    }
  }
  if (!complete) topDown.push(subtreeRoot(leafHashes, lo, hi));
  return topDown.reverse();
}
