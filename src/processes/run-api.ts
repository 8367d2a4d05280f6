/**
 * The API process, as `sealtrail serve` and `sealtrail up` run it: the pools, the queues'
 * producer sides (or the in-process transports of `sealtrail up` without Redis), the server,
 * and an orderly stop: the read log is flushed before the pools close, so every read served
 * is recorded.
 */
import "reflect-metadata";
import { QueueEvents } from "bullmq";
import type { ApiIngest } from "../api/context.js";
import type { EvidenceService } from "../api/evidence-service.js";
import { createApiServer } from "../api/server.js";
import type { Config } from "../config/index.js";
import { openIngestQueue } from "../ingest/ingest-queue.js";
import { openAlertQueue, QueueAlertSink } from "../integrity/alert-queue.js";
import { PostgresLedgerStore } from "../ledger/postgres/postgres-store.js";
import { openEvidenceQueue } from "../packs/evidence-queue.js";
import { loadExporters } from "../packs/exporters.js";
import { packageVersion } from "../version.js";
import { rawPublicKey } from "../core/note/index.js";
import { loadSigningKey, loadTrustedPublicKey } from "../ledger/index.js";
import { STDIO, type WorkerOutput } from "./worker-output.js";

/** The queues' producer sides as the API uses them, and how to close them. */
export interface ApiTransports {
  ingest: Pick<ApiIngest, "queue" | "queueEvents">;
  evidence: EvidenceService["queue"];
  /** Resolves false when the queues could not be closed in time (Redis never answered). */
  close(): Promise<boolean>;
}

export interface RunApiOptions {
  port: number;
  host?: string;
  /** Default: BullMQ queues on REDIS_URL. */
  transports?: ApiTransports;
  /** Called once listening, with the port (the one chosen when `port` is 0). */
  onListening(port: number): void;
  /** Resolves when the API should stop. */
  until: Promise<void>;
  out?: WorkerOutput;
}

/** Runs the API until `until` resolves; resolves true when everything closed in time. */
export async function runApi(config: Config, options: RunApiOptions): Promise<boolean> {
  const api = config.api;
  const ingest = config.ingest;
  const packs = config.packs;
  const out = options.out ?? STDIO;
  const exporters = await loadExporters(config.packExporters);
  const { databaseUrl: url, schema, rolePrefix } = config;
  // As the writer, as every service: a request's transaction switches to the reader
  // (tenant-view.ts); the login itself may hold no privileges (a service login, docs/security.md).
  const store = PostgresLedgerStore.open({ url, schema, rolePrefix, role: "writer", max: api.dbPool, applicationName: "sealtrail-api" });
  const writer = PostgresLedgerStore.open({ url, schema, rolePrefix, role: "writer", max: 4, applicationName: "sealtrail-api-writer" });
  const verifierPublicKey = await checkpointPublicKey(config);
  const transports = options.transports ?? bullmqTransports(config, out);
  // A verified read that finds the ledger changed raises its alert to the same webhooks as sweeps.
  const alertWebhooks = config.integrity.alertWebhooks;
  const alertQueue = !options.transports && alertWebhooks.length > 0 ? openAlertQueue(config.redisUrl, { name: config.integrity.alertQueue }) : undefined;
  const server = await createApiServer({
    store,
    writer,
    schema,
    version: packageVersion(),
    config: api,
    originPrefix: config.originPrefix,
    log: out.stderr,
    ingest: { ...transports.ingest, maxPayloadBytes: config.maxPayloadBytes, maxBatchEvents: ingest.maxBatchEvents, waitTimeoutMs: Math.min(ingest.waitTimeoutMs, api.timeoutMs) },
    webhooks: config.webhookSources,
    evidence: { queue: transports.evidence, exporters, packDir: packs.dir },
    ...(verifierPublicKey ? { verifierPublicKey } : {}),
    ...(alertQueue ? { alerts: new QueueAlertSink(alertQueue, alertWebhooks) } : {}),
  });
  let port: number;
  try {
    port = await server.listen(options.port, options.host);
  } catch (error) {
    await Promise.all([store.close(1), writer.close(1), transports.close(), alertQueue?.close()]);
    throw error;
  }
  options.onListening(port);
  await options.until;
  await server.close();
  const [, , closed] = await Promise.all([store.close(5), writer.close(5), transports.close(), alertQueue?.close()]);
  return closed;
}

/** The checkpoints' public key as the integrity worker trusts it; none when neither key is set. */
async function checkpointPublicKey(config: Config): Promise<Uint8Array | undefined> {
  if (config.verifierKey) return loadTrustedPublicKey(config.verifierKey);
  return config.signingKeyPath ? rawPublicKey(await loadSigningKey(config.signingKeyPath)) : undefined;
}

/** The producer sides of the ingest and evidence queues on REDIS_URL. */
function bullmqTransports(config: Config, out: WorkerOutput): ApiTransports {
  const { ingest, packs, redisUrl } = config;
  // Producers fail fast while Redis is away (a request answers 503), and reconnect by themselves.
  const queue = openIngestQueue(redisUrl, { name: ingest.queue });
  const queueEvents = new QueueEvents(ingest.queue, { connection: { url: redisUrl } });
  const evidence = openEvidenceQueue(redisUrl, { name: packs.queue });
  // Each distinct connection error once: a Redis that is down is retried every few seconds.
  const reported = new Set<string>();
  const report = (what: string) => (error: Error) => {
    const line = `sealtrail serve: ${what}: ${error.message}`;
    if (reported.has(line)) return;
    reported.add(line);
    out.stderr(line);
  };
  queue.on("error", report("ingest queue"));
  queueEvents.on("error", report("ingest queue events"));
  evidence.on("error", report("evidence queue"));
  return {
    ingest: { queue, queueEvents },
    evidence,
    // BullMQ's close() waits for a first connection that never came when Redis was never up.
    close: () => Promise.race([
      Promise.all([queue.close(), queueEvents.close(), evidence.close()]).then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3_000).unref()),
    ]),
  };
}
