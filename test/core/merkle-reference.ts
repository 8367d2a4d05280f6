import { createHash } from "node:crypto";

/**
 * RFC 9162 §2.1 written as the RFC reads (recursion over D[lo:hi]), with its own SHA-256
 * calls, as an independent reference for src/core/merkle*.ts. Subtree hashes are memoised,
 * so all proofs of a tree cost O(n^2) instead of O(n^3) hashes. Test use only.
 */

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const part of parts) h.update(part);
  return new Uint8Array(h.digest());
}

export function refLeafHash(entry: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0), entry);
}

export function refNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(1), left, right);
}

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export class ReferenceTree {
  private readonly memo = new Map<string, Uint8Array>();

  constructor(readonly leafHashes: readonly Uint8Array[]) {}

  /** MTH(D[lo:hi]). */
  mth(lo = 0, hi = this.leafHashes.length): Uint8Array {
    const key = `${lo},${hi}`;
    let hash = this.memo.get(key);
    if (hash === undefined) {
      const n = hi - lo;
      if (n === 0) hash = sha256();
      else if (n === 1) hash = this.leafHashes[lo]!;
      else hash = refNodeHash(this.mth(lo, lo + split(n)), this.mth(lo + split(n), hi));
      this.memo.set(key, hash);
    }
    return hash;
  }

  /** PATH(m, D[lo:hi]), 0 <= m < hi - lo. */
  path(m: number, lo = 0, hi = this.leafHashes.length): Uint8Array[] {
    const n = hi - lo;
    if (n === 1) return [];
    const k = split(n);
    if (m < k) return [...this.path(m, lo, lo + k), this.mth(lo + k, hi)];
    return [...this.path(m - k, lo + k, hi), this.mth(lo, lo + k)];
  }

  /** PROOF(m, D[0:n]) for 0 < m <= n; [] for m = 0 (sealtrail's extension). */
  proof(m: number, n: number): Uint8Array[] {
    return m === 0 ? [] : this.subproof(m, 0, n, true);
  }

  private subproof(m: number, lo: number, hi: number, b: boolean): Uint8Array[] {
    const n = hi - lo;
    if (m === n) return b ? [] : [this.mth(lo, hi)];
    const k = split(n);
    if (m <= k) return [...this.subproof(m, lo, lo + k, b), this.mth(lo + k, hi)];
    return [...this.subproof(m - k, lo + k, hi, false), this.mth(lo, lo + k)];
  }
}

/** Deterministic distinct entries for tests: entry i is the bytes of "entry-<i>". */
export function testLeafHashes(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => refLeafHash(new TextEncoder().encode(`entry-${i}`)));
}
