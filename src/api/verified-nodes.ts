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
  private young: Generation;
  private old: Generation | undefined;
  private readonly half: number;

  constructor(max: number) {
    this.half = Math.max(1, Math.floor(max / 2));
    this.young = new Generation(this.half);
  }

  /** The node's hash: a view of the cache's bytes, which a slot never changes once written. */
  get(key: number): Uint8Array | undefined {
    const hash = this.young.get(key);
    if (hash) return hash;
    const aged = this.old?.get(key);
    if (aged) this.set(key, aged);
    return aged;
  }

  set(key: number, hash: Uint8Array): void {
    if (this.young.has(key)) return;
    if (this.young.full) {
      this.old = this.young;
      this.young = new Generation(this.half);
    }
    this.young.add(key, hash);
  }

  get size(): number {
    return this.young.size + (this.old?.size ?? 0);
  }

  /** The bytes its hashes take. */
  get byteLength(): number {
    return this.young.byteLength + (this.old?.byteLength ?? 0);
  }
}

/**
 * One generation's hashes, copied into one buffer and indexed by small integers: a node kept
 * is no object of its own. Kept as objects, each page's ~130 new nodes outlived the young
 * generation of the garbage collector and were copied out of it, and a random page's tail
 * latency grew with them (docs/benchmarks-history.md). The buffer grows as the generation
 * fills (a server holds one cache per log it serves, most of them small); a view handed out
 * keeps the buffer it was cut from, whose written slots never change.
 */
class Generation {
  private readonly at = new Map<number, number>();
  private bytes = new Uint8Array(0);

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.at.size;
  }

  get full(): boolean {
    return this.at.size >= this.capacity;
  }

  get byteLength(): number {
    return this.bytes.length;
  }

  has(key: number): boolean {
    return this.at.has(key);
  }

  get(key: number): Uint8Array | undefined {
    const slot = this.at.get(key);
    return slot === undefined ? undefined : this.bytes.subarray(slot * 32, slot * 32 + 32);
  }

  add(key: number, hash: Uint8Array): void {
    if (hash.length !== 32) throw new RangeError(`a node hash is 32 bytes, got ${hash.length}`);
    const slot = this.at.size;
    if ((slot + 1) * 32 > this.bytes.length) {
      const grown = new Uint8Array(Math.min(this.capacity, Math.max(64, 2 * slot)) * 32);
      grown.set(this.bytes.subarray(0, slot * 32));
      this.bytes = grown;
    }
    this.bytes.set(hash, slot * 32);
    this.at.set(key, slot);
  }
}
