/**
 * Complete nodes of one log verified under a trusted root (read-verifier.ts), keyed by nodeKey,
 * at most `max`. Two generations stand for least-recently-used order: a node read is moved to
 * the young one, and when it is full the old one is dropped. The nodes near the root, which
 * every page meets, stay; a full cache no longer forgets them all at once.
 *
 * Why a node may be kept across checkpoints: a complete node (level, index) covers the same
 * leaves in every larger tree, and each trusted checkpoint extends the one before (a
 * consistency proof), so a node once verified stays verified. What the cache holds is what a
 * signed root committed to, not what the database says now: a row changed after its leaf was
 * cached is caught by its re-hashed leaf, which no longer equals the cached one.
 */
export class VerifiedNodes {
  private young = new Map<number, Uint8Array>();
  private old = new Map<number, Uint8Array>();

  constructor(private readonly max: number) {}

  get(key: number): Uint8Array | undefined {
    const hash = this.young.get(key);
    if (hash) return hash;
    const aged = this.old.get(key);
    if (aged) this.set(key, aged);
    return aged;
  }

  set(key: number, hash: Uint8Array): void {
    this.young.set(key, hash);
    if (this.young.size >= Math.max(1, this.max / 2)) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
