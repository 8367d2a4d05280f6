/**
 * What one key and one tenant may ask of the API at once (security review: ten concurrent heavy
 * requests of one tenant made another's `{ logs { name } }` take 25 s):
 * - a rate per key (rate-limiter.ts): past it a request is refused at once, with Retry-After;
 *   every entrance a key (or a webhook source's secret) opens draws on it: GraphQL over HTTP
 *   and WebSocket, pack downloads, tiles of a private log, webhook deliveries;
 * - requests in flight per key and per tenant;
 * - a tenant's share of the database pool: requests that hold one of its connections (queries
 *   and mutations, not an open subscription) are at most `pool` in all and `poolPerTenant` per
 *   tenant, so one tenant never takes every connection while another waits.
 * A request over an in-flight bound waits for a slot for at most `waitMs`, then is refused
 * with RATE_LIMITED (HTTP 429). Waiters are admitted fairly: a freed slot goes to the waiting
 * tenant with the fewest requests in flight (arrival order among equals), so a tenant's burst
 * is served at the pace of its share while other tenants go on. Every refusal is recorded
 * (refusal-log.ts).
 */
import type { ApiConfig } from "../config/index.js";
import { ApiError } from "./api-error.js";
import type { Principal } from "./principal.js";
import { KeyRateLimiter, type RateBounds } from "./rate-limiter.js";
import type { ReadRecord } from "./read-log.js";
import type { RefusalLog } from "./refusal-log.js";

export interface ConcurrencyBounds {
  /** SEALTRAIL_API_MAX_CONCURRENT_PER_KEY */
  perKey: number;
  /** SEALTRAIL_API_MAX_CONCURRENT_PER_TENANT */
  perTenant: number;
  /** SEALTRAIL_API_DB_POOL: connections of the API's request pool. */
  pool: number;
  /** SEALTRAIL_API_DB_POOL_PER_TENANT: most of them one tenant's requests hold. */
  poolPerTenant: number;
  /** SEALTRAIL_API_CONCURRENCY_WAIT_MS: how long a request over a bound waits for a slot. */
  waitMs: number;
  rate?: RateBounds;
}

export interface Entry {
  transport: ReadRecord["transport"];
  /** Holds a pool connection while it runs (a query or mutation; not a subscription). */
  pooled: boolean;
  /** The query text (or a plain route's method and path), for the record of a refusal. */
  query?: string;
  /** A plain route's name and access, for the record of a refusal (refusal-log.ts). */
  fields?: string[];
  access?: "read" | "write";
}

interface Waiter {
  principal: Principal;
  pooled: boolean;
  admit: () => void;
}

export class RequestLimiter {
  private readonly keys = new Map<string, number>();
  private readonly tenants = new Map<string, number>();
  private readonly pooledTenants = new Map<string, number>();
  private pooled = 0;
  private readonly waiting: Waiter[] = [];
  private readonly rate: KeyRateLimiter | undefined;
  /** Set by createApiServer once its recorder exists. */
  refusals: RefusalLog | undefined;

  constructor(private readonly bounds: ConcurrencyBounds) {
    this.rate = bounds.rate ? new KeyRateLimiter(bounds.rate) : undefined;
  }

  /** Counts a request in, once it fits; returns its release. Throws ApiError RATE_LIMITED (recorded). */
  async enter(principal: Principal, entry: Entry): Promise<() => void> {
    this.charge(principal, entry);
    const pooled = entry.pooled;
    if (this.waiting.length > 0 || !this.fits(principal, pooled)) {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { principal, pooled, admit: () => (clearTimeout(timer), resolve()) };
        const timer = setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          try {
            this.refuse(principal, entry, `too many requests of this key or tenant in flight (at most ${this.bounds.perKey} per key, ${this.bounds.perTenant} per tenant, ${this.bounds.poolPerTenant} of ${this.bounds.pool} database connections per tenant); none freed within ${this.bounds.waitMs} ms, retry later`, 1);
          } catch (error) {
            reject(error);
          }
        }, this.bounds.waitMs);
        this.waiting.push(waiter);
        this.wake();
      });
    } else this.count(principal, pooled, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.count(principal, pooled, -1);
      this.wake();
    };
  }

  /**
   * Takes one of the key's tokens, or throws ApiError RATE_LIMITED (recorded) with
   * `extensions.retryAfter` in seconds. Alone, for the entrances that hold no database
   * connection while they run (a pack download streams a file, a webhook delivery goes onto
   * the ingest queue): they draw on the key's rate, not on the in-flight bounds.
   */
  charge(principal: Principal, entry: Omit<Entry, "pooled">): void {
    const waitMs = this.rate?.take(principal.keyId) ?? 0;
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      this.refuse(principal, entry, `this key's rate of ${this.bounds.rate!.perSecond} requests per second (bursts of ${this.bounds.rate!.burst}) is used up; retry in ${seconds} s`, seconds);
    }
  }

  private refuse(principal: Principal, entry: Omit<Entry, "pooled">, message: string, retryAfterSeconds: number): never {
    this.refusals?.note(principal, entry);
    throw new ApiError("RATE_LIMITED", message, { extensions: { retryAfter: retryAfterSeconds } });
  }

  private fits(p: Principal, pooled: boolean): boolean {
    const b = this.bounds;
    if ((this.keys.get(p.keyId) ?? 0) >= b.perKey || (this.tenants.get(p.tenant) ?? 0) >= b.perTenant) return false;
    return !pooled || (this.pooled < b.pool && (this.pooledTenants.get(p.tenant) ?? 0) < b.poolPerTenant);
  }

  private count(p: Principal, pooled: boolean, by: 1 | -1): void {
    add(this.keys, p.keyId, by);
    add(this.tenants, p.tenant, by);
    if (pooled) {
      add(this.pooledTenants, p.tenant, by);
      this.pooled += by;
    }
  }

  /** Admits the waiters that fit now: each freed slot to the fitting waiter whose tenant has the fewest in flight. */
  private wake(): void {
    for (;;) {
      let best = -1;
      let fewest = Infinity;
      for (let i = 0; i < this.waiting.length; i++) {
        const w = this.waiting[i]!;
        const inFlight = this.tenants.get(w.principal.tenant) ?? 0;
        if (inFlight < fewest && this.fits(w.principal, w.pooled)) [best, fewest] = [i, inFlight];
      }
      if (best < 0) return;
      const [w] = this.waiting.splice(best, 1);
      this.count(w!.principal, w!.pooled, 1);
      w!.admit();
    }
  }
}

function add(counts: Map<string, number>, id: string, by: 1 | -1): void {
  const n = (counts.get(id) ?? 0) + by;
  if (n <= 0) counts.delete(id);
  else counts.set(id, n);
}

/** The bounds SEALTRAIL_API_* set (docs/configuration.md). */
export function limiterFor(config: ApiConfig): RequestLimiter {
  return new RequestLimiter({
    perKey: config.maxConcurrentPerKey,
    perTenant: config.maxConcurrentPerTenant,
    pool: config.dbPool,
    poolPerTenant: config.dbPoolPerTenant,
    waitMs: config.concurrencyWaitMs,
    rate: { perSecond: config.ratePerKey, burst: config.rateBurst },
  });
}
