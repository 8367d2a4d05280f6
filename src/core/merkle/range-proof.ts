/**
 * Proof that a run of entries is exactly the leaves [first, end) of a signed tree: the hashes
 * of rangeNodes(0, first) (the tree's frontier before the run, as transparency-dev/merkle
 * compact.Range keeps it), the run's leaf hashes appended to that frontier give the root of
 * the tree of size `end`, and an RFC 9162 §2.1.4 consistency proof shows that tree is a prefix
 * of the signed one. No entry of the run can be left out, added or moved without changing a
 * root. The verifier streams: it holds O(log n) hashes whatever the run's length.
 */
import { CoreError } from "../errors.js";
import { appendToFrontier } from "./frontier.js";
import { compactRoot } from "./hash.js";
import { verifyConsistency } from "./verify.js";

/** Leaf hashes are appended in batches of this many (appendToFrontier copies the frontier per call). */
const BATCH = 4096;

export class RangeAccumulator {
  private frontier: Uint8Array[];
  private size: number;
  private batch: Uint8Array[] = [];

  /** `frontier`: hashes of rangeNodes(0, first), left to right. */
  constructor(readonly first: number, frontier: readonly Uint8Array[]) {
    this.frontier = appendToFrontier(frontier, first, []).frontier;
    this.size = first;
  }

  add(leafHash: Uint8Array): void {
    this.batch.push(leafHash);
    if (this.batch.length >= BATCH) this.flush();
  }

  /** Leaves appended so far: the run is [first, end). */
  get end(): number {
    return this.size + this.batch.length;
  }

  /** Root of the tree of size `end`. */
  root(): Uint8Array {
    this.flush();
    return compactRoot(this.frontier);
  }

  /**
   * Throws PROOF_MISMATCH (or PROOF_MALFORMED) unless the tree of size `end` is a prefix of the
   * tree of `size` with `root`, by `proof`.
   */
  verify(size: number | bigint, proof: readonly Uint8Array[], root: Uint8Array): void {
    const end = this.end;
    if (BigInt(end) > BigInt(size)) throw new CoreError("PROOF_MISMATCH", `the run ends at ${end}, beyond the tree size ${size}`);
    verifyConsistency(end, size, proof, this.root(), root);
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const appended = appendToFrontier(this.frontier, this.size, this.batch);
    this.frontier = appended.frontier;
    this.size = appended.size;
    this.batch = [];
  }
}
