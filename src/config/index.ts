/**
 * Configuration from the environment, read once at the edge (CLI, server, workers) and passed
 * inward. Every variable is listed in docs/configuration.md. The settings' types and parsers live here
 * (webhook sources, the capture priority): the domains that use them import config, and
 * config imports nothing but the core.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CHECKPOINT_POLICY } from "../core/note/index.js";
import { DEFAULT_FULL_SWEEP_CRON, DEFAULT_INCREMENTAL_SWEEP_CRON } from "../core/sweep/index.js";
import { CAPTURE_PRIORITIES, type CapturePriority, DEFAULT_CAPTURE_PRIORITY } from "./capture-priority.js";
import { parseWebhookSources, type WebhookSource } from "./webhook-sources.js";
import { ConfigError } from "./config-error.js";
import { loadTsaUrl, loadWitnesses, type WitnessSetting } from "./witnesses.js";
import { type CaptureApiSetting, loadCaptureApi } from "./capture-api.js";
import { type ApiConfig, loadApiConfig } from "./api-config.js";
import { flag, positive } from "./env-values.js";

export { ConfigError, type ConfigErrorCode } from "./config-error.js";
export { type ApiConfig, listenHost, loadApiConfig } from "./api-config.js";
export { loadWitnesses, type WitnessSetting } from "./witnesses.js";
export { type CaptureApiSetting, loadCaptureApi } from "./capture-api.js";
export { isLoopback, loadOidc, type OidcSetting, SSO_CALLBACK_PATH } from "./oidc.js";
export { CAPTURE_PRIORITIES, type CapturePriority, DEFAULT_CAPTURE_PRIORITY } from "./capture-priority.js";
export { DEFAULT_TOLERANCE_SECONDS, parseWebhookSources, type WebhookFormat, type WebhookSource } from "./webhook-sources.js";

export interface Config {
  /** DATABASE_URL: the Postgres the ledger lives in. */
  databaseUrl: string;
  /** SEALTRAIL_DB_SCHEMA: the Postgres schema holding the ledger tables. */
  schema: string;
  /** SEALTRAIL_DB_ROLE_PREFIX: prefix of the deployment's database roles; else `<database>_<schema>` (docs/security.md). */
  rolePrefix: string | undefined;
  /** SEALTRAIL_DB_SERVICE_PASSWORD: `sealtrail migrate` creates the services' login `<prefix>_service` with it (docs/security.md). */
  servicePassword: string | undefined;
  /** REDIS_URL: queues and pub/sub. */
  redisUrl: string;
  /** SEALTRAIL_SIGNING_KEY: path of the Ed25519 private key (PKCS8 PEM) that signs checkpoints. */
  signingKeyPath: string | undefined;
  /** SEALTRAIL_KEY_NAME: the signer's name in signed notes; else read from the .vkey beside the key. */
  keyName: string | undefined;
  /** SEALTRAIL_VERIFIER_KEY: the trusted note verifier key (vkey text, or a file holding it). */
  verifierKey: string | undefined;
  /** SEALTRAIL_PACK_KEY: Ed25519 private key (PKCS8 PEM) that signs evidence packs; default the signing key. */
  packKeyPath: string | undefined;
  /** SEALTRAIL_PACK_EXPORTERS: module paths of third-party exporters, comma-separated. */
  packExporters: string[];
  /** SEALTRAIL_MAX_PAYLOAD_BYTES: largest canonical payload accepted (default 1 MiB). */
  maxPayloadBytes: number;
  /** SEALTRAIL_ORIGIN_PREFIX: origins of new logs (and of the tenants' audit logs) are `<prefix>/<name>`. */
  originPrefix: string;
  /** SEALTRAIL_SPOOL_DIR: where tmux capture spools output before it is shipped. */
  spoolDir: string;
  /** SEALTRAIL_TMUX_CAPTURE_PRIORITY: idle (SCHED_IDLE, the default) or normal, for the captures attach starts. */
  capturePriority: CapturePriority;
  /** SEALTRAIL_API_URL with SEALTRAIL_API_TOKEN(_FILE): tmux capture ships to the API instead of Redis. */
  captureApi: CaptureApiSetting | undefined;
  api: ApiConfig;
  ingest: IngestConfig;
  /** SEALTRAIL_WEBHOOK_SOURCES (JSON) or SEALTRAIL_WEBHOOK_SOURCES_FILE (a file holding it). */
  webhookSources: ReadonlyMap<string, WebhookSource>;
  integrity: IntegrityConfig;
  packs: PacksConfig;
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
  /** SEALTRAIL_SEARCH_INDEXERS: indexers this process runs at once, on different logs (default 2). */
  indexers: number;
}

/** The evidence queue, its worker and where packs are kept. */
export interface PacksConfig {
  /** SEALTRAIL_PACK_DIR: where the evidence worker writes packs and the API serves them (default ./packs). */
  dir: string;
  /** SEALTRAIL_EVIDENCE_QUEUE: the BullMQ queue name (default evidence). */
  queue: string;
  /** SEALTRAIL_PACK_CONCURRENCY: packs a worker builds at once (default 1). */
  concurrency: number;
}

/** Checkpoints, witness copies, sweeps and alerts (the integrity worker). */
export interface IntegrityConfig {
  /** SEALTRAIL_WITNESS_DIR: where checkpoint copies are written outside the database (none when unset). */
  witnessDir: string | undefined;
  /** SEALTRAIL_CHECKPOINT_EVERY: sign after this many new entries (default 10000) … */
  checkpointEvery: number;
  /** SEALTRAIL_CHECKPOINT_INTERVAL: … or after this many seconds, when the tree grew (default 60). */
  checkpointIntervalMs: number;
  /** SEALTRAIL_SWEEP_CRON: the full sweep's cron pattern, UTC (default nightly at 02:00; `off`: none). */
  fullSweepCron: string | null;
  /** SEALTRAIL_SWEEP_INCREMENTAL_CRON: the incremental sweep's (default every 5 minutes; `off`: none). */
  incrementalSweepCron: string | null;
  /** SEALTRAIL_RETENTION_CRON: when retention policies are applied, UTC (default daily at 03:30; `off`: never). */
  retentionCron: string | null;
  /** SEALTRAIL_ARCHIVE_DIR: where entries past their hot window are archived (default: sealtrail/archive under XDG_STATE_HOME; `up`: the state directory's archive/). */
  archiveDir: string;
  /** SEALTRAIL_SWEEP_QUEUE (default sweep) and SEALTRAIL_ALERT_QUEUE (default alerts). */
  sweepQueue: string;
  alertQueue: string;
  /** SEALTRAIL_SWEEP_THREADS: verifier threads of a sweep (default 2). */
  sweepThreads: number;
  /** SEALTRAIL_ALERT_WEBHOOKS: URLs alerts are POSTed to, separated by commas or spaces. */
  alertWebhooks: string[];
  /** SEALTRAIL_ALERT_SECRET: the HMAC-SHA256 key of alert signatures (required with webhooks). */
  alertSecret: string | undefined;
  /** SEALTRAIL_ALERT_TIMEOUT_MS: how long a webhook has to answer (default 10000). */
  alertTimeoutMs: number;
  /** SEALTRAIL_WITNESSES: cosigning witnesses new checkpoints are submitted to (witnesses.ts). */
  witnesses: WitnessSetting[];
  /** SEALTRAIL_WITNESS_QUORUM: cosignatures each newest checkpoint must have, else witness.quorum (default all witnesses). */
  witnessQuorum: number | undefined;
  /** SEALTRAIL_TSA_URL: the RFC 3161 time-stamping authority checkpoints are stamped by. */
  tsaUrl: string | undefined;
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
  /** SEALTRAIL_INGEST_MAX_BATCH: most events in one job, so in one request of any source (default 10000). */
  maxBatchEvents: number;
  /** SEALTRAIL_INGEST_WAIT_MS: how long a producer waits for its events' commit (default 10000). */
  waitTimeoutMs: number;
}

function capturePriority(env: NodeJS.ProcessEnv): CapturePriority {
  const text = env.SEALTRAIL_TMUX_CAPTURE_PRIORITY || DEFAULT_CAPTURE_PRIORITY;
  if (!(CAPTURE_PRIORITIES as readonly string[]).includes(text)) throw new ConfigError("ENV_INVALID", `SEALTRAIL_TMUX_CAPTURE_PRIORITY: got ${JSON.stringify(text)}, want ${CAPTURE_PRIORITIES.join(" or ")}`);
  return text as CapturePriority;
}

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const queue = env.SEALTRAIL_INGEST_QUEUE || "ingest";
  // BullMQ separates its Redis keys with ":".
  if (queue.includes(":")) throw new ConfigError("ENV_INVALID", `SEALTRAIL_INGEST_QUEUE: got ${JSON.stringify(queue)}, want a name without ":"`);
  return {
    queue,
    concurrency: positive(env, "SEALTRAIL_INGEST_CONCURRENCY", 4),
    lockDurationMs: positive(env, "SEALTRAIL_INGEST_LOCK_MS", 30_000),
    stalledIntervalMs: positive(env, "SEALTRAIL_INGEST_STALLED_INTERVAL_MS", 30_000),
    maxBatchEvents: positive(env, "SEALTRAIL_INGEST_MAX_BATCH", 10_000),
    waitTimeoutMs: positive(env, "SEALTRAIL_INGEST_WAIT_MS", 10_000),
  };
}

export function loadWebhookSources(env: NodeJS.ProcessEnv = process.env): ReadonlyMap<string, WebhookSource> {
  const inline = env.SEALTRAIL_WEBHOOK_SOURCES;
  const file = env.SEALTRAIL_WEBHOOK_SOURCES_FILE;
  if (inline && file) throw new ConfigError("ENV_INVALID", "SEALTRAIL_WEBHOOK_SOURCES and SEALTRAIL_WEBHOOK_SOURCES_FILE: set one, not both");
  const name = file ? "SEALTRAIL_WEBHOOK_SOURCES_FILE" : "SEALTRAIL_WEBHOOK_SOURCES";
  let text = inline;
  if (file) {
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError("FILE", `${name}: ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
    }
  }
  try {
    return parseWebhookSources(text, env);
  } catch (error) {
    throw new ConfigError("ENV_INVALID", `${name}: ${(error as Error).message}`, { cause: error });
  }
}

const CRON = /^\S+( \S+){4,5}$/;

/** Daily at 03:30 UTC: after the nightly full sweep (02:00), before the working day. */
const DEFAULT_RETENTION_CRON = "30 3 * * *";

function cron(env: NodeJS.ProcessEnv, name: string, fallback: string): string | null {
  const text = (env[name] ?? "").trim();
  if (text === "") return fallback;
  if (/^(off|none|false)$/i.test(text)) return null;
  if (!CRON.test(text)) throw new ConfigError("ENV_INVALID", `${name}: got ${JSON.stringify(text)}, want a cron pattern of 5 or 6 fields, or off`);
  return text;
}

function queueName(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const queue = env[name] || fallback;
  if (queue.includes(":")) throw new ConfigError("ENV_INVALID", `${name}: got ${JSON.stringify(queue)}, want a name without ":"`);
  return queue;
}

export function loadIntegrityConfig(env: NodeJS.ProcessEnv = process.env): IntegrityConfig {
  const alertWebhooks = (env.SEALTRAIL_ALERT_WEBHOOKS ?? "").split(/[\s,]+/).filter((u) => u !== "");
  for (const url of alertWebhooks) {
    let protocol = "";
    try {
      protocol = new URL(url).protocol;
    } catch {
      // reported below
    }
    if (protocol !== "http:" && protocol !== "https:") throw new ConfigError("ENV_INVALID", `SEALTRAIL_ALERT_WEBHOOKS: got ${JSON.stringify(url)}, want http(s) URLs`);
  }
  const alertSecret = env.SEALTRAIL_ALERT_SECRET || undefined;
  if (alertWebhooks.length > 0 && alertSecret === undefined) throw new ConfigError("ENV_INVALID", "SEALTRAIL_ALERT_SECRET: required with SEALTRAIL_ALERT_WEBHOOKS (alerts are signed with it)");
  return {
    witnessDir: env.SEALTRAIL_WITNESS_DIR || undefined,
    checkpointEvery: positive(env, "SEALTRAIL_CHECKPOINT_EVERY", DEFAULT_CHECKPOINT_POLICY.every),
    checkpointIntervalMs: positive(env, "SEALTRAIL_CHECKPOINT_INTERVAL", DEFAULT_CHECKPOINT_POLICY.intervalMs / 1000) * 1000,
    fullSweepCron: cron(env, "SEALTRAIL_SWEEP_CRON", DEFAULT_FULL_SWEEP_CRON),
    incrementalSweepCron: cron(env, "SEALTRAIL_SWEEP_INCREMENTAL_CRON", DEFAULT_INCREMENTAL_SWEEP_CRON),
    retentionCron: cron(env, "SEALTRAIL_RETENTION_CRON", DEFAULT_RETENTION_CRON),
    archiveDir: env.SEALTRAIL_ARCHIVE_DIR || join(env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state"), "sealtrail", "archive"),
    sweepQueue: queueName(env, "SEALTRAIL_SWEEP_QUEUE", "sweep"),
    alertQueue: queueName(env, "SEALTRAIL_ALERT_QUEUE", "alerts"),
    sweepThreads: positive(env, "SEALTRAIL_SWEEP_THREADS", 2),
    alertWebhooks,
    alertSecret,
    alertTimeoutMs: positive(env, "SEALTRAIL_ALERT_TIMEOUT_MS", 10_000),
    witnesses: loadWitnesses(env),
    witnessQuorum: witnessQuorum(env),
    tsaUrl: loadTsaUrl(env),
  };
}

function witnessQuorum(env: NodeJS.ProcessEnv): number | undefined {
  if (!env.SEALTRAIL_WITNESS_QUORUM) return undefined;
  const quorum = positive(env, "SEALTRAIL_WITNESS_QUORUM", 1);
  const count = loadWitnesses(env).length;
  if (quorum > count) throw new ConfigError("ENV_INVALID", `SEALTRAIL_WITNESS_QUORUM: got ${quorum}, want at most the ${count} witnesses of SEALTRAIL_WITNESSES`);
  return quorum;
}

export function loadPacksConfig(env: NodeJS.ProcessEnv = process.env): PacksConfig {
  const queue = env.SEALTRAIL_EVIDENCE_QUEUE || "evidence";
  if (queue.includes(":")) throw new ConfigError("ENV_INVALID", `SEALTRAIL_EVIDENCE_QUEUE: got ${JSON.stringify(queue)}, want a name without ":"`);
  return { dir: env.SEALTRAIL_PACK_DIR || "packs", queue, concurrency: positive(env, "SEALTRAIL_PACK_CONCURRENCY", 1) };
}

export function loadSearchConfig(env: NodeJS.ProcessEnv = process.env): SearchConfig {
  return {
    indexer: flag(env, "SEALTRAIL_SEARCH_INDEXER", true),
    intervalMs: positive(env, "SEALTRAIL_SEARCH_INDEX_INTERVAL_MS", 1000),
    batch: positive(env, "SEALTRAIL_SEARCH_INDEX_BATCH", 5000),
    indexers: positive(env, "SEALTRAIL_SEARCH_INDEXERS", 2),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const maxPayload = Number(env.SEALTRAIL_MAX_PAYLOAD_BYTES ?? 1 << 20);
  return {
    databaseUrl: env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
    schema: env.SEALTRAIL_DB_SCHEMA || "sealtrail",
    rolePrefix: env.SEALTRAIL_DB_ROLE_PREFIX || undefined,
    servicePassword: env.SEALTRAIL_DB_SERVICE_PASSWORD || undefined,
    redisUrl: env.REDIS_URL || "redis://127.0.0.1:6379",
    signingKeyPath: env.SEALTRAIL_SIGNING_KEY || undefined,
    keyName: env.SEALTRAIL_KEY_NAME || undefined,
    verifierKey: env.SEALTRAIL_VERIFIER_KEY || undefined,
    packKeyPath: env.SEALTRAIL_PACK_KEY || env.SEALTRAIL_SIGNING_KEY || undefined,
    packExporters: (env.SEALTRAIL_PACK_EXPORTERS ?? "").split(",").map((p) => p.trim()).filter((p) => p !== ""),
    maxPayloadBytes: Number.isSafeInteger(maxPayload) && maxPayload > 0 ? maxPayload : 1 << 20,
    originPrefix: (env.SEALTRAIL_ORIGIN_PREFIX || "sealtrail.local").replace(/\/+$/, ""),
    // XDG Base Directory: state that survives restarts but is no user data.
    spoolDir: env.SEALTRAIL_SPOOL_DIR || join(env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state"), "sealtrail", "spool"),
    // Only `tmux attach` reads it.
    get capturePriority() {
      return capturePriority(env);
    },
    // Likewise: only `tmux attach` ships, and a token file is read only then.
    get captureApi() {
      return loadCaptureApi(env);
    },
    // Read lazily: only `serve` needs it, and a malformed value must not break other commands.
    get api() {
      return loadApiConfig(env);
    },
    // Likewise only for the worker and producers.
    get ingest() {
      return loadIngestConfig(env);
    },
    // Only `serve` reads it.
    get webhookSources() {
      return loadWebhookSources(env);
    },
    // And the integrity worker and `sweep`.
    get integrity() {
      return loadIntegrityConfig(env);
    },
    // Only for the API and the evidence worker.
    get packs() {
      return loadPacksConfig(env);
    },
    get search() {
      return loadSearchConfig(env);
    },
  };
}
