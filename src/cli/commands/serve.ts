import "reflect-metadata";
import { parseArgs } from "node:util";
import { QueueEvents } from "bullmq";
import { createApiServer } from "../../api/server.js";
import { openIngestQueue } from "../../ingest/ingest-queue.js";
import { PostgresLedgerStore } from "../../ledger/postgres/postgres-store.js";
import { openEvidenceQueue } from "../../packs/evidence-queue.js";
import { loadExporters } from "../../packs/exporters.js";
import { packageVersion } from "../../version.js";
import { parseOrUsage } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, databaseConfig } from "../context.js";

/** sealtrail serve [--port N]: the API (PORT, default 4000) until SIGINT/SIGTERM. */
export async function serveCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("serve", () => parseArgs({ args, options: { port: { type: "string" } }, strict: true }));
  const api = cli.config.api;
  const ingest = cli.config.ingest;
  const webhookSources = cli.config.webhookSources;
  // Pack requests go to the evidence queue; `sealtrail pack-worker` builds them into SEALTRAIL_PACK_DIR.
  const packs = cli.config.packs;
  const portText = values.port ?? String(api.port);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new CliError("USAGE", `port: got ${JSON.stringify(portText)}, want 0–65535`);
  const exporters = await loadExporters(cli.config.packExporters);
  const { url, schema } = databaseConfig(cli);
  const store = PostgresLedgerStore.open({ url, schema, max: 10, applicationName: "sealtrail-api" });
  const writer = PostgresLedgerStore.open({ url, schema, role: "sealtrail_writer", max: 4, applicationName: "sealtrail-api-writer" });
  // Producers fail fast while Redis is away (a request answers 503), and reconnect by themselves.
  const queue = openIngestQueue(cli.config.redisUrl, { name: ingest.queue });
  const queueEvents = new QueueEvents(ingest.queue, { connection: { url: cli.config.redisUrl } });
  // Each distinct connection error once: a Redis that is down is retried every few seconds.
  const reported = new Set<string>();
  const report = (what: string) => (error: Error) => {
    const line = `sealtrail serve: ${what}: ${error.message}`;
    if (reported.has(line)) return;
    reported.add(line);
    process.stderr.write(`${line}\n`);
  };
  queue.on("error", report("ingest queue"));
  queueEvents.on("error", report("ingest queue events"));
  const evidenceQueue = openEvidenceQueue(cli.config.redisUrl, { name: packs.queue });
  evidenceQueue.on("error", report("evidence queue"));
  // BullMQ's close() waits for a first connection that never came when Redis was never up.
  const closeQueue = () =>
    Promise.race([Promise.all([queue.close(), queueEvents.close(), evidenceQueue.close()]).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3_000).unref())]);
  const server = await createApiServer({
    store,
    writer,
    schema,
    version: packageVersion(),
    config: api,
    originPrefix: cli.originPrefix,
    ingest: { queue, queueEvents, maxPayloadBytes: cli.config.maxPayloadBytes, maxBatchEvents: ingest.maxBatchEvents, waitTimeoutMs: Math.min(ingest.waitTimeoutMs, api.timeoutMs) },
    webhooks: webhookSources,
    evidence: { queue: evidenceQueue, exporters, packDir: packs.dir },
  });
  let port: number;
  try {
    port = await server.listen(Number(portText));
  } catch (error) {
    await Promise.all([store.close(1), writer.close(1), closeQueue()]);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES") throw new CliError("USAGE", `cannot listen on port ${portText}: ${code}`, { cause: error });
    throw error;
  }
  cli.stdout(`sealtrail listening on port ${port}\n`);
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  // The read log is flushed before the pools close: every read served is recorded.
  await server.close();
  const [, , queueClosed] = await Promise.all([store.close(5), writer.close(5), closeQueue()]);
  if (!queueClosed) {
    // Its reconnection timers would keep the process alive: nothing is pending on a queue that never connected.
    process.stderr.write("sealtrail serve: Redis never answered; exiting without waiting for the queue\n");
    process.exit(0);
  }
  return 0;
}
