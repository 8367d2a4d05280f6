/** The GraphQL API's settings (docs/configuration.md). */
import { ConfigError } from "./config-error.js";
import { flag, positive } from "./env-values.js";
import { loadOidc, type OidcSetting } from "./oidc.js";

/** The GraphQL API's limits and switches. */
export interface ApiConfig {
  /** PORT (default 4000). */
  port: number;
  /** SEALTRAIL_API_HOST: the address serve listens on (default 127.0.0.1, loopback only). */
  host: string;
  /** NODE_ENV=production: introspection and the landing page default to off. */
  production: boolean;
  /** NODE_ENV=development: errors carry their original message and stack. Never in production. */
  development: boolean;
  /** SEALTRAIL_API_INTROSPECTION=true|false (default: on outside production). */
  introspection: boolean;
  /** SEALTRAIL_API_LANDING_PAGE=true|false (default: on outside production). */
  landingPage: boolean;
  /** SEALTRAIL_API_MAX_PAGE_SIZE: largest `first` of a connection (default 500). */
  maxPageSize: number;
  /** SEALTRAIL_API_MAX_DEPTH: deepest selection accepted (default 10). */
  maxDepth: number;
  /** SEALTRAIL_API_MAX_COMPLEXITY: largest estimated cost of one operation (default 20000). */
  maxComplexity: number;
  /** SEALTRAIL_API_MAX_BODY_BYTES: largest request body (default 1 MiB). */
  maxBodyBytes: number;
  /** SEALTRAIL_API_TIMEOUT_MS: statement timeout of a request's queries (default 10000). */
  timeoutMs: number;
  /**
   * SEALTRAIL_API_REQUEST_TIMEOUT_MS: wall-clock limit of one GraphQL request (a query or
   * mutation, over HTTP or WebSocket; not a subscription's lifetime): no ledger read starts
   * after it, the fields left answer TIMEOUT (default 10000; docs/security.md).
   */
  requestTimeoutMs: number;
  /** SEALTRAIL_API_READ_LOG_FLUSH_MS: how long read records may wait to be batched (default 200). */
  readLogFlushMs: number;
  /**
   * SEALTRAIL_API_KEY_RECHECK_MS: how often the keys of open WebSocket connections are checked
   * again; a revoked key's connections are closed within this (default 5000; docs/security.md).
   */
  keyRecheckMs: number;
  /**
   * SEALTRAIL_API_SUBSCRIPTION_RECORD_MS: how often an open subscription that delivered entries
   * writes a part of its read record (default 10000; docs/security.md).
   */
  subscriptionRecordMs: number;
  /** SEALTRAIL_API_MAX_CONCURRENT_PER_KEY: GraphQL operations one key may have in flight, over HTTP and WebSocket (default 32). */
  maxConcurrentPerKey: number;
  /** SEALTRAIL_API_MAX_CONCURRENT_PER_TENANT: GraphQL operations one tenant's keys may have in flight, over HTTP and WebSocket (default 64). */
  maxConcurrentPerTenant: number;
  /** SEALTRAIL_API_CONCURRENCY_WAIT_MS: how long a request past either bound waits for a slot before 429 (default 10000). */
  concurrencyWaitMs: number;
  /** SEALTRAIL_API_RATE_PER_KEY: GraphQL operations per second one key may start, per API process (default 100). */
  ratePerKey: number;
  /** SEALTRAIL_API_RATE_BURST: operations one key may start at once above its rate (default 200). */
  rateBurst: number;
  /**
   * SEALTRAIL_API_SIGNIN_*: the console's sign-in with an API key, per client address (docs/security.md):
   * `failures` failed sign-ins in a burst, one more every `failureRefillMs` (defaults 10, 30000);
   * `attempts` sign-ins in all in a burst, one more every `attemptRefillMs` (defaults 30, 2000).
   */
  signIn: { failures: number; failureRefillMs: number; attempts: number; attemptRefillMs: number };
  /** SEALTRAIL_API_DB_POOL: connections of the API's request pool; queries and mutations in flight, in all (default 10). */
  dbPool: number;
  /** SEALTRAIL_API_DB_POOL_PER_TENANT: most of them one tenant's requests hold (default three quarters of the pool). */
  dbPoolPerTenant: number;
  /**
   * SEALTRAIL_API_SEARCH_TAIL_MAX: most entries past a log's search index that one search reads
   * directly before it fails with SERVICE_UNAVAILABLE (default 50000, about a second).
   */
  searchTailMax: number;
  /** SEALTRAIL_OIDC_*: the console's single sign-on with OpenID Connect; absent: API keys only (oidc.ts). */
  oidc?: OidcSetting | undefined;
}

/**
 * An address to listen on: an IPv4 or IPv6 address or a host name. The default is loopback:
 * the API is reached from other machines only when an operator says so (0.0.0.0, ::, or an
 * interface's address), as the container image does.
 */
export function listenHost(text: string, name: string): string {
  if (!/^[A-Za-z0-9.:%_-]{1,253}$/.test(text)) throw new ConfigError("ENV_INVALID", `${name}: got ${JSON.stringify(text)}, want an address to listen on (127.0.0.1, ::1, 0.0.0.0, ::, a host name)`);
  return text;
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const production = env.NODE_ENV === "production";
  const port = positive(env, "PORT", 4000);
  if (port > 65535) throw new ConfigError("ENV_INVALID", `PORT: got ${port}, want 1–65535`);
  const dbPool = positive(env, "SEALTRAIL_API_DB_POOL", 10);
  return {
    port,
    host: listenHost(env.SEALTRAIL_API_HOST ?? "127.0.0.1", "SEALTRAIL_API_HOST"),
    production,
    development: env.NODE_ENV === "development",
    introspection: flag(env, "SEALTRAIL_API_INTROSPECTION", !production),
    landingPage: flag(env, "SEALTRAIL_API_LANDING_PAGE", !production),
    maxPageSize: positive(env, "SEALTRAIL_API_MAX_PAGE_SIZE", 500),
    maxDepth: positive(env, "SEALTRAIL_API_MAX_DEPTH", 10),
    maxComplexity: positive(env, "SEALTRAIL_API_MAX_COMPLEXITY", 20_000),
    maxBodyBytes: positive(env, "SEALTRAIL_API_MAX_BODY_BYTES", 1 << 20),
    timeoutMs: positive(env, "SEALTRAIL_API_TIMEOUT_MS", 10_000),
    requestTimeoutMs: positive(env, "SEALTRAIL_API_REQUEST_TIMEOUT_MS", 10_000),
    readLogFlushMs: positive(env, "SEALTRAIL_API_READ_LOG_FLUSH_MS", 200),
    keyRecheckMs: positive(env, "SEALTRAIL_API_KEY_RECHECK_MS", 5_000),
    subscriptionRecordMs: positive(env, "SEALTRAIL_API_SUBSCRIPTION_RECORD_MS", 10_000),
    maxConcurrentPerKey: positive(env, "SEALTRAIL_API_MAX_CONCURRENT_PER_KEY", 32),
    maxConcurrentPerTenant: positive(env, "SEALTRAIL_API_MAX_CONCURRENT_PER_TENANT", 64),
    concurrencyWaitMs: positive(env, "SEALTRAIL_API_CONCURRENCY_WAIT_MS", 10_000),
    ratePerKey: positive(env, "SEALTRAIL_API_RATE_PER_KEY", 100),
    rateBurst: positive(env, "SEALTRAIL_API_RATE_BURST", 200),
    signIn: {
      failures: positive(env, "SEALTRAIL_API_SIGNIN_FAILURES", 10),
      failureRefillMs: positive(env, "SEALTRAIL_API_SIGNIN_FAILURE_REFILL_MS", 30_000),
      attempts: positive(env, "SEALTRAIL_API_SIGNIN_ATTEMPTS", 30),
      attemptRefillMs: positive(env, "SEALTRAIL_API_SIGNIN_ATTEMPT_REFILL_MS", 2_000),
    },
    dbPool,
    dbPoolPerTenant: Math.min(dbPool, positive(env, "SEALTRAIL_API_DB_POOL_PER_TENANT", Math.max(1, Math.floor((dbPool * 3) / 4)))),
    searchTailMax: positive(env, "SEALTRAIL_API_SEARCH_TAIL_MAX", 50_000),
    oidc: loadOidc(env),
  };
}
