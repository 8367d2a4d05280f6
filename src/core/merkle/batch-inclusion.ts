import { CoreError } from "../errors.js";
import { digestEqual } from "../encoding/index.js";
import { nodeHash } from "./hash.js";
import type { NodeId } from "./nodes.js";

/**
 * Inclusion of many leaves at once, against nodes already known good rather than one root: the
 * leaves are hashed up together, level by level (RFC 9162 §2.1.1), each node computed once,
 * until every path meets a known node. Where two leaves share a subtree the path above it is
 * hashed once, and a sibling that is itself computed from the leaves is neither read nor
 * hashed again; what neither the leaves nor the known nodes give is read from the stored tree
 * (`wanted`). A leaf passes when the node its path meets equals the known one: by SHA-256's
 * collision resistance, every node on the way, and every sibling hashed in, is then the
 * node of the tree the known nodes come from.
 */

/** A node's hash when known (or stored), else undefined. */
export type NodeLookup = (level: number, index: number) => Uint8Array | undefined;

interface PlannedLevel {
  /** The nodes computed at this level, ascending: the leaves at level 0, then their parents. */
  indexes: number[];
  /** Each one's known hash, where it is known: its path stops there. */
  known: (Uint8Array | undefined)[];
  /** The first and last leaf under each (those given), for a mismatch's report. */
  first: number[];
  last: number[];
  /** Siblings known good, not computed. */
  siblings: Map<number, Uint8Array>;
}

export interface BatchPlan {
  readonly size: number;
  readonly levels: readonly PlannedLevel[];
  /** The siblings neither computed nor known: to be read from the stored tree. */
  readonly wanted: readonly NodeId[];
  /** The first leaf over which no known node lies below the tree's root (nothing can vouch for it). */
  readonly unanchored?: number;
}

export interface VerifiedNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

export type BatchResult =
  | { ok: true; verified: VerifiedNode[] }
  /** The leaves first…last (of those given) lie under a known node their hashes do not reach. */
  | { ok: false; first: number; last: number };

/**
 * Which nodes checking leaves `indexes` of a tree of `size` against `known` needs.
 * Preconditions: `indexes` ascending, without repeats, each below `size` (else INVALID_ARGUMENT).
 * Every node of the tree's compact range (RFC 9162 §2.1.1) should be known: a leaf with no
 * known node over it below an incomplete one is reported as `unanchored`.
 */
export function planBatchInclusion(size: number, indexes: readonly number[], known: NodeLookup): BatchPlan {
  for (let k = 0; k < indexes.length; k++) {
    const index = indexes[k]!;
    if (!Number.isSafeInteger(index) || index < 0 || index >= size || (k > 0 && index <= indexes[k - 1]!)) {
      throw new CoreError("INVALID_ARGUMENT", `indexes[${k}]: got ${index}, want ascending leaf indexes below ${size}`);
    }
  }
  const levels: PlannedLevel[] = [];
  const wanted: NodeId[] = [];
  let current = [...indexes];
  let first = [...indexes];
  let last = [...indexes];
  for (let level = 0; current.length > 0; level++) {
    const here: PlannedLevel = { indexes: current, known: current.map((index) => known(level, index)), first, last, siblings: new Map() };
    levels.push(here);
    const up: number[] = [];
    const upFirst: number[] = [];
    const upLast: number[] = [];
    for (let k = 0; k < current.length; k++) {
      if (here.known[k]) continue;
      const index = current[k]!;
      const parent = Math.floor(index / 2);
      // The parent must be a complete node of the tree: past the compact range, nothing vouches.
      if ((parent + 1) * 2 ** (level + 1) > size) return { size, levels, wanted, unanchored: first[k]! };
      const sibling = index % 2 === 1 ? index - 1 : index + 1;
      const computed = index % 2 === 1 ? k > 0 && current[k - 1] === sibling : current[k + 1] === sibling;
      if (!computed) {
        const hash = known(level, sibling);
        if (hash) here.siblings.set(sibling, hash);
        else wanted.push({ level, index: sibling });
      }
      if (up.at(-1) === parent) {
        upLast[upLast.length - 1] = last[k]!;
      } else {
        up.push(parent);
        upFirst.push(first[k]!);
        upLast.push(last[k]!);
      }
    }
    current = up;
    first = upFirst;
    last = upLast;
  }
  return { size, levels, wanted };
}

/**
 * Hashes the leaves up along `plan` (leafHashes[k] is the hash of leaf plan.levels[0].indexes[k]),
 * taking the wanted siblings from `stored`. Returns the nodes it verified (the leaves, the
 * nodes computed, the stored siblings hashed in), or the leaves under the first known node
 * their hashes do not reach. Throws INVALID_ARGUMENT for an unanchored plan or a wanted node
 * `stored` does not give.
 */
export function verifyBatchInclusion(plan: BatchPlan, leafHashes: readonly Uint8Array[], stored: NodeLookup): BatchResult {
  if (plan.unanchored !== undefined) throw new CoreError("INVALID_ARGUMENT", `leaf ${plan.unanchored}: no known node over it in the tree of size ${plan.size}`);
  const leaves = plan.levels[0]?.indexes.length ?? 0;
  if (leafHashes.length !== leaves) throw new CoreError("INVALID_ARGUMENT", `leafHashes: got ${leafHashes.length}, want ${leaves}`);
  const verified: VerifiedNode[] = [];
  let hashes = leafHashes;
  for (let level = 0; level < plan.levels.length; level++) {
    const here = plan.levels[level]!;
    const computed = new Map<number, Uint8Array>();
    for (let k = 0; k < here.indexes.length; k++) {
      const known = here.known[k];
      if (known && !digestEqual(hashes[k]!, known)) return { ok: false, first: here.first[k]!, last: here.last[k]! };
      computed.set(here.indexes[k]!, hashes[k]!);
      if (!known) verified.push({ level, index: here.indexes[k]!, hash: hashes[k]! });
    }
    const above = plan.levels[level + 1];
    if (!above) break;
    const child = (index: number): Uint8Array => {
      const hash = computed.get(index) ?? here.siblings.get(index);
      if (hash) return hash;
      const read = stored(level, index);
      if (!read) throw new CoreError("INVALID_ARGUMENT", `node (${level}, ${index}): wanted, but not given`);
      verified.push({ level, index, hash: read });
      return read;
    };
    hashes = above.indexes.map((parent) => nodeHash(child(2 * parent), child(2 * parent + 1)));
  }
  return { ok: true, verified };
}
