/**
 * Ships spooled events into the ingest queue in Redis (transport.ts picks it, or the API). A batch counts as delivered once the queue
 * has accepted it (BullMQ's add resolved: the job is in Redis; Redis's own persistence,
 * appendonly, decides what survives a Redis crash); only then is it acknowledged in the
 * spool. Any failure leaves it in the spool to be sent again, and the idempotency keys make
 * the ledger absorb a batch that was in fact accepted before the failure was seen.
 */
import { enqueueEvents, INGEST_JOB, IngestError, openIngestQueue, type IngestQueue, validateEvent } from "../ingest/index.js";
import type { EventInput } from "../core/entry/index.js";
import type { CaptureConfig } from "./capture-config.js";
import { TmuxError } from "./tmux-error.js";

/** Chunks per job: up to ~4 MiB of output, well within one Redis value. */
export const BATCH_CHUNKS = 64;
export const BATCH_BYTES = 4 << 20;

export function openShippingQueue(config: CaptureConfig): IngestQueue {
  const queue = openIngestQueue(config.redisUrl, { name: config.queue, ...(config.prefix ? { prefix: config.prefix } : {}) });
  // Redis being away is expected here; each add reports it, the shipper retries.
  queue.on("error", () => {});
  return queue;
}

/**
 * Sends one batch. Returns false when the queue is unavailable (retry later); throws
 * TmuxError CONFIG when the events themselves are refused, which the capture's own limits
 * rule out: retrying could not help.
 */
export async function sendBatch(queue: IngestQueue, config: CaptureConfig, events: EventInput[]): Promise<boolean> {
  try {
    const { receipts } = await enqueueEvents(queue, config.log, events, { maxPayloadBytes: config.maxPayloadBytes });
    const refused = receipts.find((r) => r.status === "rejected");
    if (refused) throw new TmuxError("CONFIG", `event ${events[refused.index]!.idempotencyKey} refused: ${refused.reason!.code}: ${refused.reason!.message}`);
    return true;
  } catch (error) {
    if (error instanceof IngestError && error.code === "QUEUE_UNAVAILABLE") return false;
    throw error;
  }
}

/**
 * Adds one batch of events the capture built itself (tmux-events.ts), straight to the queue
 * under the ingest job's contract (IngestJobData). The producer API's validation of every
 * event (canonical JSON of each ~200 KB payload) would cost more CPU than building them; the
 * first event of each batch is validated as a check that capture and worker agree on the
 * limits, and the worker validates every event again before it appends. Returns false when
 * the queue is unavailable.
 */
export async function addBatch(queue: IngestQueue, config: CaptureConfig, events: EventInput[]): Promise<boolean> {
  const checked = validateEvent(events[0], 0, { maxPayloadBytes: config.maxPayloadBytes });
  if (!checked.ok) throw new TmuxError("CONFIG", `event ${events[0]!.idempotencyKey} refused: ${checked.reason.code}: ${checked.reason.message}`);
  try {
    await queue.add(INGEST_JOB, { log: config.log, events });
    return true;
  } catch {
    return false;
  }
}

/** Waits between attempts while the queue is away: 100 ms doubling to 5 s. */
export class Backoff {
  private delay = 0;
  reset(): void {
    this.delay = 0;
  }
  wait(signal?: AbortSignal): Promise<void> {
    this.delay = this.delay === 0 ? 100 : Math.min(5_000, this.delay * 2);
    return sleep(this.delay, signal);
  }
}

/**
 * BullMQ waits for its first connection before any command, however long Redis stays away:
 * a wait that must end on `signal` races it. Resolves undefined when the signal came first.
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.resolve(undefined);
  }
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Closes a queue, giving up after `ms` (a connection that never came up can hold close() forever). */
export async function closeQueue(queue: IngestQueue, ms = 2_000): Promise<void> {
  await unlessAborted(queue.close().catch(() => {}), AbortSignal.timeout(ms));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
