/**
 * `sealtrail up`: the whole platform in one process, on a state directory (SEALTRAIL_HOME,
 * default ./.sealtrail): the database and queues (src/platform), migrations and the first
 * start's keys, logs and admin token (first-start.ts), then the API and the ingest,
 * integrity and evidence workers. SIGINT or SIGTERM stops the API, then the workers (each
 * finishing the jobs in hand), then Redis and PostgreSQL.
 */
import { chmodSync, createWriteStream, mkdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { loadConfig } from "../config/index.js";
import { PostgresLedgerStore } from "../ledger/postgres/postgres-store.js";
import { loadSigningKey } from "../ledger/index.js";
import { loadExporters } from "../packs/exporters.js";
import { startServices, type Services } from "../platform/services.js";
import { stateHome, type StateHome } from "../platform/state-home.js";
import { claimHome, removeUpFile, writeUpFile } from "../platform/up-file.js";
import { packageVersion } from "../version.js";
import { prepareLedger, DEFAULT_LOGS } from "./first-start.js";
import { InProcessEvidenceQueue, InProcessIngestQueue } from "./in-process-queues.js";
import { type ApiTransports, runApi } from "./run-api.js";
import { packTimeStamp, runEvidenceWorker } from "./run-evidence-worker.js";
import { runInProcessIntegrity } from "./run-in-process-integrity.js";
import { runIngestWorker } from "./run-ingest-worker.js";
import { runIntegrityWorker } from "./run-integrity-worker.js";
import { serviceDatabaseUrl } from "./service-login.js";
import type { WorkerOutput } from "./worker-output.js";

export interface UpOptions {
  port: number;
  host: string;
  /** The banner and progress lines. */
  print(text: string): void;
  /** Resolves when everything should stop (SIGINT or SIGTERM). */
  until: Promise<void>;
}

export async function runUp(given: NodeJS.ProcessEnv, options: UpOptions): Promise<void> {
  // A shell that ran `eval "$(sealtrail env)"` holds the previous instance's own database and
  // Redis URLs (SEALTRAIL_UP_MADE names them): they are not a DATABASE_URL or REDIS_URL to use.
  const env = { ...given };
  for (const name of (given.SEALTRAIL_UP_MADE ?? "").split(",")) if (name === "DATABASE_URL" || name === "REDIS_URL") delete env[name];
  delete env.SEALTRAIL_UP_MADE;
  const home = stateHome(env);
  // 0711: the server's user (postgres, when running as root) must pass through it; nothing in it is listed.
  mkdirSync(home.root, { recursive: true, mode: 0o711 });
  // As root, PostgreSQL runs as the OS user postgres, who must pass through the state directory.
  if (process.getuid?.() === 0) chmodSync(home.root, (statSync(home.root).mode & 0o777) | 0o011);
  mkdirSync(home.logs, { recursive: true, mode: 0o700 });
  claimHome(home.upFile);
  const workerLog = createWriteStream(join(home.logs, "workers.log"), { flags: "a" });
  const out: WorkerOutput = {
    stdout: (line) => void workerLog.write(`${line}\n`),
    stderr: (line) => {
      workerLog.write(`${line}\n`);
      process.stderr.write(`${line}\n`);
    },
  };
  let services: Services | undefined;
  try {
    services = await startServices(home, env);
    const upEnv = instanceEnv(home, env, services);
    const config = loadConfig({ ...env, ...upEnv });
    const first = await prepareLedger({ url: config.databaseUrl, schema: config.schema, rolePrefix: config.rolePrefix, keysDir: home.keys, keyName: config.originPrefix, originPrefix: config.originPrefix });
    // The services log in as the service login, not as the admin that migrated (`sealtrail env`
    // keeps the admin's URL: the CLI's key commands and verify need it).
    const serviceUrl = await serviceDatabaseUrl(config.databaseUrl, config.schema, config.rolePrefix, home.servicePassword);
    const serviceConfig = loadConfig({ ...env, ...upEnv, DATABASE_URL: serviceUrl });
    let apiUrl = "";
    const running = startWorkers(serviceConfig, services, options.until, out);
    const closed = runApi(serviceConfig, {
      port: options.port,
      host: options.host,
      until: options.until,
      out,
      ...(running.transports ? { transports: running.transports } : {}),
      onListening: (port) => {
        apiUrl = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
        writeUpFile(home.upFile, { pid: process.pid, apiUrl, queues: services!.queues, database: services!.postgres ? "embedded" : "external", env: { ...upEnv, SEALTRAIL_API_URL: `${apiUrl}/graphql` } });
        options.print(banner(home, services!, apiUrl, first));
      },
    });
    await Promise.all([closed, running.done]);
    options.print("sealtrail up: stopping the database and queues\n");
  } finally {
    removeUpFile(home.upFile);
    await services?.stop();
    await new Promise<void>((resolve) => workerLog.end(() => resolve()));
  }
  options.print("sealtrail up: stopped\n");
}

/** The environment that points sealtrail commands at this instance (what `sealtrail env` prints). */
function instanceEnv(home: StateHome, env: NodeJS.ProcessEnv, services: Services): Record<string, string> {
  return {
    DATABASE_URL: services.databaseUrl,
    ...(services.redisUrl ? { REDIS_URL: services.redisUrl } : {}),
    SEALTRAIL_SIGNING_KEY: env.SEALTRAIL_SIGNING_KEY || join(home.keys, "signing-key.pem"),
    SEALTRAIL_WITNESS_DIR: env.SEALTRAIL_WITNESS_DIR || home.witness,
    SEALTRAIL_ARCHIVE_DIR: env.SEALTRAIL_ARCHIVE_DIR || home.archive,
    SEALTRAIL_PACK_DIR: env.SEALTRAIL_PACK_DIR || home.packs,
    SEALTRAIL_SPOOL_DIR: env.SEALTRAIL_SPOOL_DIR || home.spool,
    SEALTRAIL_HOME: home.root,
    SEALTRAIL_UP_MADE: [services.postgres ? "DATABASE_URL" : "", services.redis ? "REDIS_URL" : ""].filter((v) => v !== "").join(","),
  };
}

/** The workers: BullMQ's on Redis, or the same jobs in this process. */
function startWorkers(config: ReturnType<typeof loadConfig>, services: Services, until: Promise<void>, out: WorkerOutput): { done: Promise<unknown>; transports?: ApiTransports } {
  if (services.queues !== "in-process") {
    // Each stops on SIGINT/SIGTERM by itself, finishing its jobs in hand.
    return { done: Promise.all([runIngestWorker(config, {}, out), runIntegrityWorker(config, out), runEvidenceWorker(config, {}, out)]) };
  }
  const writer = PostgresLedgerStore.open({ url: config.databaseUrl, schema: config.schema, rolePrefix: config.rolePrefix, role: "writer", max: 4 + config.search.indexers, applicationName: "sealtrail-up-jobs" });
  const ingest = new InProcessIngestQueue({ appender: writer.appender({ maxPayloadBytes: config.maxPayloadBytes }), maxPayloadBytes: config.maxPayloadBytes });
  const stopIndexer = new AbortController();
  void until.then(() => stopIndexer.abort());
  const indexing = writer.runSearchIndexer({
    intervalMs: config.search.intervalMs, batch: config.search.batch, indexers: config.search.indexers, signal: stopIndexer.signal,
    onError: (error) => out.stderr(`sealtrail up: search indexer: ${(error as Error).message}`),
  });
  const evidenceReady = (async () => {
    const packKey = await loadSigningKey(config.packKeyPath);
    const checkpointKey = await loadSigningKey(config.signingKeyPath);
    return new InProcessEvidenceQueue(
      { store: writer, packDir: config.packs.dir, packKey, checkpointKey, ...packTimeStamp(config.integrity.tsaUrl), exporters: await loadExporters(config.packExporters), originPrefix: config.originPrefix, generator: { name: "sealtrail", version: packageVersion() } },
      (id, outcome) => (outcome instanceof Error ? out.stderr(`sealtrail up: pack ${id}: ${outcome.message}`) : out.stdout(JSON.stringify({ event: "completed", job: id, packId: outcome.packId, archive: outcome.archive }))),
    );
  })();
  const evidence = lazyEvidence(evidenceReady);
  const done = (async () => {
    await runInProcessIntegrity(config, until, out);
    await indexing;
    await (await evidenceReady).drain();
    await writer.close(5);
  })();
  return { done, transports: { ingest: { queue: ingest, queueEvents: undefined }, evidence, close: async () => true } };
}

/** The evidence queue before its keys are loaded: calls wait for it. */
function lazyEvidence(ready: Promise<InProcessEvidenceQueue>): ApiTransports["evidence"] {
  return {
    add: async (name, data, opts) => (await ready).add(name, data, opts),
    getJobState: async (id) => (await ready).getJobState(id),
    getJob: async (id) => (await ready).getJob(id),
    getJobs: async (types, start, end, asc) => (await ready).getJobs(types, start, end, asc),
  };
}

function banner(home: StateHome, services: Services, apiUrl: string, first: Awaited<ReturnType<typeof prepareLedger>>): string {
  const rel = relative(process.cwd(), home.root) || ".";
  const at = rel.startsWith("..") ? home.root : rel;
  const firstStart = first.keyCreated || first.logsCreated.length > 0 || first.adminToken !== undefined;
  const lines = [
    `sealtrail ${packageVersion()} is up${firstStart ? " (first start)" : ""}`,
    `  console   ${apiUrl}/   (sign in with an API token)`,
    `  api       ${apiUrl}/graphql   (health: ${apiUrl}/healthz)`,
    ...services.describe.map((d) => `  ${d}`),
    `  state     ${at}: keys, witness copies, spools, packs; logs in ${join(at, "logs")}`,
    "",
  ];
  if (first.adminToken) {
    lines.push("Admin API token for tenant default (shown once, never stored; keep it):", `  ${first.adminToken}`, "");
  } else {
    lines.push("The admin API token was shown at the first start; another: npx sealtrail keys api create --tenant default --scopes admin (after eval \"$(npx sealtrail env)\")", "");
  }
  lines.push(
    "Next:",
    "  1. npx sealtrail demo                  a realistic quarter of events, a sweep and a SOC 2 pack",
    `  2. eval "$(npx sealtrail env)"          then: npx sealtrail emit --log ${DEFAULT_LOGS[0]} --kind deploy --actor you --action deploy.finish --resource service/api`,
    `                                         and:  npx sealtrail verify --log ${DEFAULT_LOGS[0]}`,
    `  3. curl -s ${apiUrl}/graphql -H "authorization: Bearer <token>" -H 'content-type: application/json' \\`,
    `          -d '{"query":"{ logs { name size } }"}'`,
    "",
    "Ctrl-C stops everything.",
    "",
  );
  return lines.join("\n");
}
