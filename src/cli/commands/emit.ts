import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { QueueEvents } from "bullmq";
import { checkExactJson, toHex } from "../../core/encoding/index.js";
import { type EventInput, RESERVED_NAME_PREFIX } from "../../core/entry/index.js";
import { enqueueEvents } from "../../ingest/enqueue-events.js";
import { openIngestQueue } from "../../ingest/ingest-queue.js";
import { probeRedis } from "../../redis/probe.js";
import { parseChoice, parseOrUsage, required } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json, withDatabase } from "../context.js";

const COMMAND = "emit";

/**
 * sealtrail emit --log NAME --kind K --actor A --action X --resource R [--outcome success|failure]
 *   [--source S] [--tag T]... [--occurred-at ISO] [--payload JSON|-] [--idempotency-key K]
 *   [--via direct|queue]
 *
 * --via direct (the default) appends through the Appender, as the writer role; the core
 * validates the event. --via queue sends it through the `ingest` queue like any other source:
 * ingestion's validation (the kinds' schemas), then waits for the worker's commit and prints
 * the same JSON. Only what the command line itself carries (choices, JSON text) is checked here.
 */
export async function emitCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage(COMMAND, () =>
    parseArgs({
      args,
      options: {
        log: { type: "string" },
        kind: { type: "string" },
        actor: { type: "string" },
        action: { type: "string" },
        resource: { type: "string" },
        outcome: { type: "string" },
        source: { type: "string" },
        tag: { type: "string", multiple: true },
        "occurred-at": { type: "string" },
        payload: { type: "string" },
        "idempotency-key": { type: "string" },
        via: { type: "string" },
      },
      strict: true,
    }),
  );
  const log = required(COMMAND, "log", values.log);
  // The ledger's own logs (each tenant's audit log) are written by the ledger alone: as the
  // queue path refuses them (ingest/enqueue-events.ts), so does the direct one.
  if (log.startsWith(RESERVED_NAME_PREFIX)) throw new CliError("USAGE", `--log: ${JSON.stringify(log)} is kept by the ledger; no source writes to it`);
  // So are the ledger's own kinds (erasure, expiry, legal-hold records): the verifier accepts a
  // removed value on the strength of such a record, so no source may write one. The queue
  // path refuses them as unknown kinds (ingest/validate-event.ts).
  const kind = required(COMMAND, "kind", values.kind);
  if (kind.startsWith(RESERVED_NAME_PREFIX)) throw new CliError("USAGE", `--kind: ${JSON.stringify(kind)} is kept by the ledger's own records; no source writes it`);
  const via = parseChoice(COMMAND, "via", values.via ?? "direct", ["direct", "queue"]);
  const event: EventInput = {
    kind,
    actor: required(COMMAND, "actor", values.actor),
    action: required(COMMAND, "action", values.action),
    resource: required(COMMAND, "resource", values.resource),
    outcome: parseChoice(COMMAND, "outcome", values.outcome ?? "success", ["success", "failure"]),
    tags: values.tag ?? [],
  };
  if (values.source !== undefined) event.source = values.source;
  if (values["occurred-at"] !== undefined) event.occurredAt = values["occurred-at"];
  if (values["idempotency-key"] !== undefined) event.idempotencyKey = values["idempotency-key"];
  if (values.payload !== undefined) event.payload = parsePayload(values.payload === "-" ? await cli.readStdin() : values.payload, values.payload === "-");

  if (via === "queue") {
    cli.stdout(json({ log, ...(await viaQueue(cli, log, event)) }));
    return 0;
  }
  const [receipt] = await withDatabase(cli, "write", (store) =>
    store.appender({ maxPayloadBytes: cli.config.maxPayloadBytes }).append(log, [event]),
  );
  cli.stdout(json({ log, seq: receipt!.seq, leafHash: toHex(receipt!.leafHash), idempotencyKey: receipt!.idempotencyKey, duplicate: receipt!.duplicate }));
  return 0;
}

/** Queues the event, waits for its commit; the receipt as direct append prints it. */
async function viaQueue(cli: Cli, log: string, event: EventInput) {
  const ingest = cli.config.ingest;
  // Ingestion wants the PCI DSS 10.2.2 fields the ledger would default: the same defaults here.
  // A key of the command's own (not one derived from the job) can be given again with
  // --idempotency-key when the commit is not confirmed in time.
  const queued = { ...event, source: event.source ?? "sealtrail", occurredAt: event.occurredAt ?? new Date().toISOString(), idempotencyKey: event.idempotencyKey ?? `emit-${randomUUID()}` };
  try {
    await probeRedis(cli.config.redisUrl, 2_000);
  } catch (error) {
    throw new CliError("QUEUE", `${COMMAND}: cannot reach Redis at ${redisHost(cli.config.redisUrl)}`, { cause: error });
  }
  const queue = openIngestQueue(cli.config.redisUrl, { name: ingest.queue });
  const queueEvents = new QueueEvents(ingest.queue, { connection: { url: cli.config.redisUrl } });
  queue.on("error", () => {});
  queueEvents.on("error", () => {});
  try {
    // Completion events are read from the moment QueueEvents is ready: it must be before the job is added.
    await queueEvents.waitUntilReady();
    const { receipts } = await enqueueEvents(queue, log, [queued], {
      maxPayloadBytes: cli.config.maxPayloadBytes,
      maxBatchEvents: ingest.maxBatchEvents,
      wait: { queueEvents, timeoutMs: ingest.waitTimeoutMs },
    });
    const receipt = receipts[0]!;
    if (receipt.status === "rejected") throw new CliError("EVENT_REJECTED", `${COMMAND}: event refused: ${receipt.reason!.code}: ${receipt.reason!.message}`);
    return { seq: receipt.seq!, leafHash: receipt.leafHash!, idempotencyKey: receipt.idempotencyKey, duplicate: receipt.duplicate! };
  } finally {
    await Promise.all([queue.close(), queueEvents.close()]);
  }
}

function redisHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || "localhost"}:${u.port || 6379}`;
  } catch {
    return "REDIS_URL";
  }
}

function parsePayload(text: string, fromStdin: boolean): unknown {
  const name = `--payload${fromStdin ? " (stdin)" : ""}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError("USAGE", `${COMMAND}: ${name} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  // A number the ledger would store as another one, or a member named twice (one dropped), is refused (docs/security.md).
  try {
    checkExactJson(text, `${COMMAND}: ${name}`);
  } catch (error) {
    throw new CliError("USAGE", (error as Error).message, { cause: error });
  }
  return json;
}
