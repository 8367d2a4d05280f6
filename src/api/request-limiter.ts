/**
 * Requests in flight per API key and per tenant: one key, or one tenant's many keys, cannot
 * take every connection and every core while another tenant waits (security review: ten
 * concurrent heavy requests of one tenant made another's `{ logs { name } }` take 25 s). A
 * request over either bound waits for a slot, first come first served, for at most `waitMs`;
 * then it is refused with RATE_LIMITED (HTTP 429). A burst of one key is served at the pace
 * of its bound while other keys and tenants go on.
 */
import { ApiError } from "./api-error.js";
import type { Principal } from "./principal.js";

export interface ConcurrencyBounds {
  /** SEALTRAIL_API_MAX_CONCURRENT_PER_KEY */
  perKey: number;
  /** SEALTRAIL_API_MAX_CONCURRENT_PER_TENANT */
  perTenant: number;
  /** SEALTRAIL_API_CONCURRENCY_WAIT_MS: how long a request over a bound waits for a slot. */
  waitMs: number;
}

interface Waiter {
  principal: Principal;
  admit: () => void;
}

export class RequestLimiter {
  private readonly keys = new Map<string, number>();
  private readonly tenants = new Map<string, number>();
  private readonly waiting: Waiter[] = [];

  constructor(private readonly bounds: ConcurrencyBounds) {}

  /** Counts a request in, once it fits; returns its release. Throws ApiError RATE_LIMITED after waiting `waitMs`. */
  async enter(principal: Principal): Promise<() => void> {
    if (!this.fits(principal) || this.waiting.some((w) => w.principal.tenant === principal.tenant)) {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { principal, admit: () => (clearTimeout(timer), resolve()) };
        const timer = setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(new ApiError("RATE_LIMITED", `too many requests of this key or tenant in flight (at most ${this.bounds.perKey} per key, ${this.bounds.perTenant} per tenant); none freed within ${this.bounds.waitMs} ms, retry later`));
        }, this.bounds.waitMs);
        this.waiting.push(waiter);
        this.wake();
      });
    } else this.take(principal);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.keys, principal.keyId);
      decrement(this.tenants, principal.tenant);
      this.wake();
    };
  }

  private fits(p: Principal): boolean {
    return (this.keys.get(p.keyId) ?? 0) < this.bounds.perKey && (this.tenants.get(p.tenant) ?? 0) < this.bounds.perTenant;
  }

  private take(p: Principal): void {
    this.keys.set(p.keyId, (this.keys.get(p.keyId) ?? 0) + 1);
    this.tenants.set(p.tenant, (this.tenants.get(p.tenant) ?? 0) + 1);
  }

  /** Admits the waiters that fit now, in arrival order. */
  private wake(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      if (this.fits(w.principal)) {
        this.waiting.splice(i, 1);
        this.take(w.principal);
        w.admit();
      } else i++;
    }
  }
}

function decrement(counts: Map<string, number>, id: string): void {
  const n = (counts.get(id) ?? 1) - 1;
  if (n <= 0) counts.delete(id);
  else counts.set(id, n);
}
