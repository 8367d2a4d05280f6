/**
 * Seeded, reproducible samples of a population. An entry's rank is
 * SHA-256("<seed>\n<origin>\n<seq>") in hex; the sample is the `size` entries of lowest rank.
 * Anyone holding the population file and the seed can recompute it with sha256sum, in any
 * order of reading, and the builder keeps only `size` candidates while the population streams.
 */
import { CoreError } from "../errors.js";
import { sha256, toHex } from "../encoding/index.js";

export function sampleRank(seed: string, origin: string, seq: number): string {
  return toHex(sha256(`${seed}\n${origin}\n${seq}`));
}

export interface SampleItem<T> {
  rank: string;
  item: T;
}

/** The `size` offers of lowest rank seen so far (ties cannot happen: ranks are distinct hashes of distinct seqs). */
export class SampleSelector<T> {
  private readonly kept: SampleItem<T>[] = [];

  constructor(readonly size: number) {
    if (!Number.isSafeInteger(size) || size < 0) throw new CoreError("INVALID_ARGUMENT", `sample size: got ${size}, want a non-negative integer`);
  }

  /** Whether an offer of this rank would be kept now: lets a caller build an item only when it will be. */
  keeps(rank: string): boolean {
    return this.size > 0 && (this.kept.length < this.size || rank < this.kept[this.kept.length - 1]!.rank);
  }

  offer(rank: string, item: T): void {
    if (this.size === 0) return;
    const full = this.kept.length >= this.size;
    if (full && rank >= this.kept[this.kept.length - 1]!.rank) return;
    // Binary search for the insertion point: the list stays sorted by rank.
    let lo = 0;
    let hi = this.kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.kept[mid]!.rank < rank) lo = mid + 1;
      else hi = mid;
    }
    this.kept.splice(lo, 0, { rank, item });
    if (this.kept.length > this.size) this.kept.pop();
  }

  /** The sample, lowest rank first. */
  items(): SampleItem<T>[] {
    return [...this.kept];
  }
}
