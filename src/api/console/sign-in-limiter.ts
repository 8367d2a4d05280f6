/**
 * The console's sign-in with an API key, bounded per client address (client-address.ts): a
 * token bucket of failed sign-ins and one of sign-ins in all (the single-rate model of
 * rate-limiter.ts). An attempt takes a token of each before its key is looked up, and a
 * sign-in that succeeds gives its failure token back: attempts in flight at once cannot pass
 * the bound together, and while an address is refused, a right key is refused as a wrong one
 * is, so the refusal tells nothing about the key (OWASP ASVS 4.0 V2.2.1, anti-automation).
 *
 * Memory is bounded: at most `maxAddresses` addresses are kept, the one used least lately
 * dropped first. A dropped address starts again with full buckets, which an attacker could
 * reach only by using more addresses than that, each of which has its own buckets anyway.
 */
export interface SignInBounds {
  /** SEALTRAIL_API_SIGNIN_FAILURES: failed sign-ins an address may make in a burst. */
  failures: number;
  /** SEALTRAIL_API_SIGNIN_FAILURE_REFILL_MS: one more failed sign-in allowed every this many ms. */
  failureRefillMs: number;
  /** SEALTRAIL_API_SIGNIN_ATTEMPTS: sign-ins in all an address may make in a burst. */
  attempts: number;
  /** SEALTRAIL_API_SIGNIN_ATTEMPT_REFILL_MS: one more sign-in allowed every this many ms. */
  attemptRefillMs: number;
}

interface Buckets {
  failures: number;
  attempts: number;
  at: number;
}

/** Addresses kept (about 100 bytes each): 10,000 is a megabyte. */
export const MAX_SIGN_IN_ADDRESSES = 10_000;

export class SignInLimiter {
  private readonly addresses = new Map<string, Buckets>();

  constructor(private readonly bounds: SignInBounds, private readonly maxAddresses = MAX_SIGN_IN_ADDRESSES) {}

  /** Takes one token of each of `address`'s buckets: 0 when admitted, else the ms until both have one (nothing taken). */
  admit(address: string, now = Date.now()): number {
    const b = this.refilled(address, now);
    const { failureRefillMs, attemptRefillMs } = this.bounds;
    if (b.failures >= 1 && b.attempts >= 1) {
      b.failures -= 1;
      b.attempts -= 1;
      return 0;
    }
    return Math.ceil(Math.max((1 - Math.min(1, b.failures)) * failureRefillMs, (1 - Math.min(1, b.attempts)) * attemptRefillMs));
  }

  /** The attempt admitted last for `address` signed in: its failure token is given back. */
  signedIn(address: string, now = Date.now()): void {
    const b = this.refilled(address, now);
    b.failures = Math.min(this.bounds.failures, b.failures + 1);
  }

  /** How many addresses are kept now. */
  get size(): number {
    return this.addresses.size;
  }

  /** The address's buckets refilled to `now`, moved to the most lately used end of the map. */
  private refilled(address: string, now: number): Buckets {
    const { failures, failureRefillMs, attempts, attemptRefillMs } = this.bounds;
    let b = this.addresses.get(address);
    if (b) this.addresses.delete(address);
    else {
      b = { failures, attempts, at: now };
      // A Map iterates in insertion order, and every use re-inserts: the first key is the least lately used.
      if (this.addresses.size >= this.maxAddresses) this.addresses.delete(this.addresses.keys().next().value!);
    }
    const elapsed = Math.max(0, now - b.at);
    b.failures = Math.min(failures, b.failures + elapsed / failureRefillMs);
    b.attempts = Math.min(attempts, b.attempts + elapsed / attemptRefillMs);
    b.at = Math.max(b.at, now);
    this.addresses.set(address, b);
    return b;
  }
}
