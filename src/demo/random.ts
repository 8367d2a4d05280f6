/**
 * The demo's randomness: SHA-256 of the seed and a counter (a hash-based DRBG in spirit,
 * NIST SP 800-90A §10.1.1, without its reseeding), so the same seed gives the same quarter on
 * every machine and Node version — Math.random cannot be seeded.
 */
import { createHash } from "node:crypto";

export class DemoRandom {
  private counter = 0;
  private pool: Buffer = Buffer.alloc(0);

  constructor(private readonly seed: string) {}

  /** A uniform float in [0, 1). */
  next(): number {
    if (this.pool.length < 4) {
      this.pool = createHash("sha256").update(`${this.seed}\0${this.counter++}`).digest();
    }
    const value = this.pool.readUInt32BE(0);
    this.pool = this.pool.subarray(4);
    return value / 0x1_0000_0000;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}
