/**
 * Requests per second per API key: a token bucket (RFC 2697's single-rate model, one bucket
 * per key) that holds `burst` tokens and refills at `perSecond`. A request takes one token; a
 * key whose bucket is empty is refused with RATE_LIMITED (HTTP 429) and told in how many
 * seconds a token is back (Retry-After, RFC 9110 §10.2.3).
 *
 * The buckets live in the API process: the bound is per process. With N API processes behind
 * one balancer a key may make N × the rate; a shared bucket (Redis) would cost a round trip on
 * every read and make reads fail with Redis, which today only ingest needs (docs/security.md).
 */
export interface RateBounds {
  /** SEALTRAIL_API_RATE_PER_KEY: tokens added per second. */
  perSecond: number;
  /** SEALTRAIL_API_RATE_BURST: most tokens a bucket holds (requests in a burst). */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept before full ones (keys idle long enough to be full again) are dropped. */
const PRUNE_AT = 10_000;

export class KeyRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly bounds: RateBounds) {}

  /** Takes a token of `keyId`'s bucket: 0 when admitted, else the milliseconds until one is back. */
  take(keyId: string, now = Date.now()): number {
    const { perSecond, burst } = this.bounds;
    const bucket = this.buckets.get(keyId) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * perSecond) / 1000);
    bucket.at = now;
    if (!this.buckets.has(keyId)) {
      if (this.buckets.size >= PRUNE_AT) this.prune(now);
      this.buckets.set(keyId, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) * 1000) / perSecond);
  }

  /** A bucket that would be full now is the same as none: memory stays bounded by the keys active lately. */
  private prune(now: number): void {
    const { perSecond, burst } = this.bounds;
    for (const [key, b] of this.buckets) if (b.tokens + ((now - b.at) * perSecond) / 1000 >= burst) this.buckets.delete(key);
  }
}
