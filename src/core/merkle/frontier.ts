import { CoreError } from "../errors.js";
import { checkHash, nodeHash } from "./hash.js";
import { onesCount, toSafeUint } from "./size.js";

/**
 * The appender's view of the tree, after transparency-dev/merkle compact.Range for [0, size):
 * the frontier is the hashes of rangeNodes(0, size), left to right (one perfect subtree per
 * one bit of size, largest first), and compactRoot(frontier) is the tree's root.
 */

/** A perfect subtree completed by an append: node (level, index) and its hash, level >= 1. */
export interface NewNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

export interface FrontierAppend {
  /** Hashes of rangeNodes(0, size) for the new size. */
  readonly frontier: Uint8Array[];
  /** The new tree size: the old size plus the number of leaves appended. */
  readonly size: number;
  /** Interior nodes completed by the append, in the order they were completed. */
  readonly nodes: NewNode[];
}

/**
 * Appends leaf hashes to the tree of `size` whose frontier is given (compact.Range.Append
 * with a visitor). Leaf hashes are level 0 nodes the caller already has, so `nodes` lists
 * only interior nodes. The input frontier is not modified.
 *
 * Requires frontier.length = number of one bits of size, all hashes 32 bytes, and the new
 * size to be a safe integer (else INVALID_ARGUMENT).
 */
export function appendToFrontier(
  frontier: readonly Uint8Array[],
  size: number | bigint,
  leafHashes: readonly Uint8Array[],
): FrontierAppend {
  const n = toSafeUint("size", size);
  const want = onesCount(n);
  if (frontier.length !== want) {
    throw new CoreError("INVALID_ARGUMENT", `frontier length: got ${frontier.length}, want ${want}`);
  }
  frontier.forEach((hash, i) => checkHash(`frontier[${i}]`, hash));
  leafHashes.forEach((hash, i) => checkHash(`leafHashes[${i}]`, hash));
  const newSize = toSafeUint("size + leafHashes.length", n + BigInt(leafHashes.length));

  const stack = frontier.slice();
  const nodes: NewNode[] = [];
  let position = Number(n);
  for (const leaf of leafHashes) {
    // Leaf `position` completes one subtree per trailing one bit of its position: each
    // merges the top of the stack (its left sibling) with the subtree just completed.
    let hash = leaf;
    let level = 0;
    for (let index = position; index % 2 === 1; ) {
      hash = nodeHash(stack.pop() as Uint8Array, hash); // One frontier hash per one bit.
      index = (index - 1) / 2;
      level++;
      nodes.push({ level, index, hash });
    }
    stack.push(hash);
    position++;
  }
  return { frontier: stack, size: Number(newSize), nodes };
}
