import { CoreError } from "../errors.js";
import { checkHash, compactRoot } from "./hash.js";
import { bitLength, toSafeUint, trailingZeros } from "./size.js";

/**
 * Which stored nodes a proof needs, ported from transparency-dev/merkle proof/proof.go
 * (proof.Nodes) and compact/nodes.go (RangeNodes), for a database that stores the hash of
 * every perfect subtree but not the "ephemeral" nodes on the right border of the tree.
 */

/**
 * Node (level, index) is the root of the perfect subtree over leaves
 * [index·2^level, (index+1)·2^level). Level 0 nodes are leaf hashes.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/**
 * One element of a proof: the perfect subtrees it covers, left to right. Usually one id;
 * for the ephemeral node, the compact range under it, whose hashes folded right to left
 * with nodeHash (compactRoot) give the element.
 */
export interface ProofNode {
  readonly ids: readonly NodeId[];
}

function nodeId(level: number, index: bigint): NodeId {
  return { level, index: Number(index) };
}

/** compact.Decompose + RangeNodes on bigint: the perfect subtrees covering [begin, end). */
function rangeIds(begin: bigint, end: bigint): NodeId[] {
  let left = 0n;
  let right = end;
  if (begin !== 0n) {
    // Only nodes strictly below the point where the paths to leaves begin-1 and end
    // diverge are in the range: the zero bits of begin-1 on the left border, the one
    // bits of end on the right border.
    const mask = (1n << BigInt(bitLength((begin - 1n) ^ end) - 1)) - 1n;
    left = ~(begin - 1n) & mask;
    right = end & mask;
  }
  const ids: NodeId[] = [];
  let pos = begin;
  for (; left !== 0n; ) {
    const level = trailingZeros(left); // Left border: lower levels first.
    ids.push(nodeId(level, pos >> BigInt(level)));
    pos += 1n << BigInt(level);
    left ^= 1n << BigInt(level);
  }
  for (; right !== 0n; ) {
    const level = bitLength(right) - 1; // Right border: upper levels first.
    ids.push(nodeId(level, pos >> BigInt(level)));
    pos += 1n << BigInt(level);
    right ^= 1n << BigInt(level);
  }
  return ids;
}

/**
 * The perfect subtrees covering leaves [begin, end), left to right (the compact range).
 * rangeNodes(0, size) is the frontier of a tree of that size. Requires begin <= end.
 */
export function rangeNodes(begin: number | bigint, end: number | bigint): NodeId[] {
  const b = toSafeUint("begin", begin);
  const e = toSafeUint("end", end);
  if (b > e) throw new CoreError("INVALID_ARGUMENT", `begin: got ${b}, want <= end ${e}`);
  return rangeIds(b, e);
}

/**
 * The proof that node (level, index) is in the tree of `size`, the node itself first, then
 * the rest bottom up (proof.go nodes()). Below the fork, where the paths to the node and to
 * leaf `size` diverge, the proof takes the siblings along the path; at the fork, the
 * fork's sibling is ephemeral (its subtree is incomplete) and is given by the compact
 * range [end, size); above it, the perfect subtrees left of the fork, lower levels first.
 */
function pathNodes(index: bigint, level: number, size: bigint): ProofNode[] {
  const inner = bitLength(index ^ (size >> BigInt(level))) - 1;
  const forkLevel = level + inner;
  const forkIndex = index >> BigInt(inner);
  const begin = forkIndex << BigInt(forkLevel);
  const end = (forkIndex + 1n) << BigInt(forkLevel);

  const plan: ProofNode[] = [{ ids: [nodeId(level, index)] }];
  for (let l = level, i = index; l < forkLevel; l++, i >>= 1n) {
    plan.push({ ids: [nodeId(l, i ^ 1n)] });
  }
  const ephemeral = rangeIds(end, size);
  if (ephemeral.length > 0) plan.push({ ids: ephemeral });
  for (const id of rangeIds(0n, begin).reverse()) plan.push({ ids: [id] });
  return plan;
}

/** Nodes of the inclusion proof for leaf `index` in the tree of `size`. Requires 0 <= index < size. */
export function inclusionProofNodes(index: number | bigint, size: number | bigint): ProofNode[] {
  const i = toSafeUint("index", index);
  const n = toSafeUint("size", size);
  if (i >= n) throw new CoreError("INVALID_ARGUMENT", `index: got ${i}, want < size ${n}`);
  return pathNodes(i, 0, n).slice(1); // The verifier has the leaf hash.
}

/**
 * Nodes of the consistency proof between the trees of size1 and size2. Requires
 * 0 <= size1 <= size2; empty when size1 = size2 or size1 = 0 (see consistencyProof).
 */
export function consistencyProofNodes(size1: number | bigint, size2: number | bigint): ProofNode[] {
  const m = toSafeUint("size1", size1);
  const n = toSafeUint("size2", size2);
  if (m > n) throw new CoreError("INVALID_ARGUMENT", `size1: got ${m}, want <= size2 ${n}`);
  if (m === 0n || m === n) return [];
  // The largest perfect subtree ending at leaf size1-1, and its inclusion in size2.
  const level = trailingZeros(m);
  const plan = pathNodes((m - 1n) >> BigInt(level), level, n);
  // When size1 is a power of two that subtree is the old tree, whose root the verifier has.
  return (m & (m - 1n)) === 0n ? plan.slice(1) : plan;
}

/**
 * Assembles a proof from a plan and the stored hashes of its nodes (proof.Nodes.Rehash).
 * `lookup` returns the hash of a perfect subtree; a missing or wrong-length hash is an
 * INVALID_ARGUMENT, as is an element without ids.
 */
export function proofFromNodes(
  plan: readonly ProofNode[],
  lookup: (id: NodeId) => Uint8Array,
): Uint8Array[] {
  return plan.map((element, i) => {
    if (element.ids.length === 0) {
      throw new CoreError("INVALID_ARGUMENT", `plan[${i}].ids: got 0 ids, want at least 1`);
    }
    const hashes = element.ids.map((id) => {
      const hash = lookup(id);
      checkHash(`hash of node (${id.level}, ${id.index})`, hash);
      return hash;
    });
    return compactRoot(hashes);
  });
}
