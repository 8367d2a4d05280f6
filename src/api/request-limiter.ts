/**
 * Requests in flight per API key and per tenant: one key, or one tenant's many keys, cannot
 * take every connection and every core while another tenant waits (security review: ten
 * concurrent heavy requests of one tenant made another's `{ logs { name } }` take 25 s). A
 * request over either bound is refused at once with RATE_LIMITED (HTTP 429), never queued.
 */
import { ApiError } from "./api-error.js";
import type { Principal } from "./principal.js";

export interface ConcurrencyBounds {
  /** SEALTRAIL_API_MAX_CONCURRENT_PER_KEY */
  perKey: number;
  /** SEALTRAIL_API_MAX_CONCURRENT_PER_TENANT */
  perTenant: number;
}

export class RequestLimiter {
  private readonly keys = new Map<string, number>();
  private readonly tenants = new Map<string, number>();

  constructor(private readonly bounds: ConcurrencyBounds) {}

  /** Counts a request in; returns its release. Throws ApiError RATE_LIMITED when a bound is reached. */
  enter(principal: Principal): () => void {
    const key = this.keys.get(principal.keyId) ?? 0;
    const tenant = this.tenants.get(principal.tenant) ?? 0;
    if (key >= this.bounds.perKey) throw new ApiError("RATE_LIMITED", `this key has ${key} requests in flight, the most it may; retry when one has been answered`);
    if (tenant >= this.bounds.perTenant) throw new ApiError("RATE_LIMITED", `this tenant has ${tenant} requests in flight, the most it may; retry when one has been answered`);
    this.keys.set(principal.keyId, key + 1);
    this.tenants.set(principal.tenant, tenant + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.keys, principal.keyId);
      decrement(this.tenants, principal.tenant);
    };
  }
}

function decrement(counts: Map<string, number>, id: string): void {
  const n = (counts.get(id) ?? 1) - 1;
  if (n <= 0) counts.delete(id);
  else counts.set(id, n);
}
