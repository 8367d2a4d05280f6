/**
 * Configuration from the environment, read once at the edge (CLI, server, workers) and passed
 * inward. Every variable is listed in the README.
 */
export interface Config {
  /** DATABASE_URL: the Postgres the ledger lives in. */
  databaseUrl: string;
  /** SEALTRAIL_DB_SCHEMA: the Postgres schema holding the ledger tables. */
  schema: string;
  /** REDIS_URL: queues and pub/sub. */
  redisUrl: string;
  /** SEALTRAIL_SIGNING_KEY: path of the Ed25519 private key (PKCS8 PEM) that signs checkpoints. */
  signingKeyPath: string | undefined;
  /** SEALTRAIL_KEY_NAME: the signer's name in signed notes; else read from the .vkey beside the key. */
  keyName: string | undefined;
  /** SEALTRAIL_VERIFIER_KEY: the trusted note verifier key (vkey text, or a file holding it). */
  verifierKey: string | undefined;
  /** SEALTRAIL_MAX_PAYLOAD_BYTES: largest canonical payload accepted (default 1 MiB). */
  maxPayloadBytes: number;
  /** SEALTRAIL_ORIGIN_PREFIX: origins of new logs (and of the tenants' audit logs) are `<prefix>/<name>`. */
  originPrefix: string;
  api: ApiConfig;
  ingest: IngestConfig;
  search: SearchConfig;
}

/** The search indexer that `sealtrail worker` runs beside the ingest worker. */
export interface SearchConfig {
  /** SEALTRAIL_SEARCH_INDEXER=true|false: run it in this worker (default true). */
  indexer: boolean;
  /** SEALTRAIL_SEARCH_INDEX_INTERVAL_MS: pause between passes once caught up (default 1000). */
  intervalMs: number;
  /** SEALTRAIL_SEARCH_INDEX_BATCH: entries indexed per transaction (default 5000). */
  batch: number;
}

/** The ingest queue and its worker. */
export interface IngestConfig {
  /** SEALTRAIL_INGEST_QUEUE: the BullMQ queue name (default ingest). */
  queue: string;
  /** SEALTRAIL_INGEST_CONCURRENCY: jobs a worker process has in hand at once (default 4). */
  concurrency: number;
  /** SEALTRAIL_INGEST_LOCK_MS: how long a dead worker's job stays locked (default 30000). */
  lockDurationMs: number;
  /** SEALTRAIL_INGEST_STALLED_INTERVAL_MS: how often stalled jobs are looked for (default 30000). */
  stalledIntervalMs: number;
  /** SEALTRAIL_INGEST_MAX_BATCH: most events in one job (default 10000). */
  maxBatchEvents: number;
}

/** The GraphQL API's limits and switches. */
export interface ApiConfig {
  /** PORT (default 4000). */
  port: number;
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
  /** SEALTRAIL_API_TIMEOUT_MS: statement timeout of a request's queries, and of the request (default 10000). */
  timeoutMs: number;
  /** SEALTRAIL_API_READ_LOG_FLUSH_MS: how long read records may wait to be batched (default 200). */
  readLogFlushMs: number;
  /**
   * SEALTRAIL_API_SEARCH_TAIL_MAX: most entries past a log's search index that one search reads
   * directly before it fails with SERVICE_UNAVAILABLE (default 50000, about a second).
   */
  searchTailMax: number;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigError(`${name}: got ${JSON.stringify(text)}, want a positive integer`);
  return n;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new ConfigError(`${name}: got ${JSON.stringify(text)}, want true or false`);
}

/** A malformed environment variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const production = env.NODE_ENV === "production";
  const port = positive(env, "PORT", 4000);
  if (port > 65535) throw new ConfigError(`PORT: got ${port}, want 1–65535`);
  return {
    port,
    production,
    development: env.NODE_ENV === "development",
    introspection: flag(env, "SEALTRAIL_API_INTROSPECTION", !production),
    landingPage: flag(env, "SEALTRAIL_API_LANDING_PAGE", !production),
    maxPageSize: positive(env, "SEALTRAIL_API_MAX_PAGE_SIZE", 500),
    maxDepth: positive(env, "SEALTRAIL_API_MAX_DEPTH", 10),
    maxComplexity: positive(env, "SEALTRAIL_API_MAX_COMPLEXITY", 20_000),
    maxBodyBytes: positive(env, "SEALTRAIL_API_MAX_BODY_BYTES", 1 << 20),
    timeoutMs: positive(env, "SEALTRAIL_API_TIMEOUT_MS", 10_000),
    readLogFlushMs: positive(env, "SEALTRAIL_API_READ_LOG_FLUSH_MS", 200),
    searchTailMax: positive(env, "SEALTRAIL_API_SEARCH_TAIL_MAX", 50_000),
  };
}

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const queue = env.SEALTRAIL_INGEST_QUEUE || "ingest";
  // BullMQ separates its Redis keys with ":".
  if (queue.includes(":")) throw new ConfigError(`SEALTRAIL_INGEST_QUEUE: got ${JSON.stringify(queue)}, want a name without ":"`);
  return {
    queue,
    concurrency: positive(env, "SEALTRAIL_INGEST_CONCURRENCY", 4),
    lockDurationMs: positive(env, "SEALTRAIL_INGEST_LOCK_MS", 30_000),
    stalledIntervalMs: positive(env, "SEALTRAIL_INGEST_STALLED_INTERVAL_MS", 30_000),
    maxBatchEvents: positive(env, "SEALTRAIL_INGEST_MAX_BATCH", 10_000),
  };
}

export function loadSearchConfig(env: NodeJS.ProcessEnv = process.env): SearchConfig {
  return {
    indexer: flag(env, "SEALTRAIL_SEARCH_INDEXER", true),
    intervalMs: positive(env, "SEALTRAIL_SEARCH_INDEX_INTERVAL_MS", 1000),
    batch: positive(env, "SEALTRAIL_SEARCH_INDEX_BATCH", 5000),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const maxPayload = Number(env.SEALTRAIL_MAX_PAYLOAD_BYTES ?? 1 << 20);
  return {
    databaseUrl: env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
    schema: env.SEALTRAIL_DB_SCHEMA || "sealtrail",
    redisUrl: env.REDIS_URL || "redis://127.0.0.1:6379",
    signingKeyPath: env.SEALTRAIL_SIGNING_KEY || undefined,
    keyName: env.SEALTRAIL_KEY_NAME || undefined,
    verifierKey: env.SEALTRAIL_VERIFIER_KEY || undefined,
    maxPayloadBytes: Number.isSafeInteger(maxPayload) && maxPayload > 0 ? maxPayload : 1 << 20,
    originPrefix: (env.SEALTRAIL_ORIGIN_PREFIX || "sealtrail.local").replace(/\/+$/, ""),
    // Read lazily: only `serve` needs it, and a malformed value must not break other commands.
    get api() {
      return loadApiConfig(env);
    },
    // Likewise only for the worker and producers.
    get ingest() {
      return loadIngestConfig(env);
    },
    get search() {
      return loadSearchConfig(env);
    },
  };
}
