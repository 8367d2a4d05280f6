/**
 * recordEvents: the GraphQL source of the ingest pipeline. The key's tenant must own the log
 * (looked up in the request's row-level-secured view, so another tenant's log is as unknown
 * as a missing one); events are validated at once, queued as one job, and answered with a
 * receipt each. With wait: true the answer comes once the worker has committed them.
 */
import { Arg, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import { fromHex, toBase64 } from "../../core/encoding/index.js";
import { enqueueEvents, type EnqueueReceipt } from "../../ingest/enqueue-events.js";
import { IngestError } from "../../ingest/ingest-error.js";
import { RESERVED_NAME_PREFIX } from "../../core/entry/index.js";
import { ApiError } from "../api-error.js";
import { db } from "../auth-checker.js";
import type { ApiContext } from "../context.js";
import { EventInput } from "../types/event-input.input.js";
import { EventReceipt, RecordEventsResult, ReceiptStatus } from "../types/event-receipt.type.js";

@Resolver()
export class RecordEventsResolver {
  @Authorized("events:write")
  @Mutation(() => RecordEventsResult, {
    description:
      "Records events in one of the tenant's logs through the ingest queue. Each event is checked at once and gets a receipt " +
      "(its idempotency key; accepted, or rejected with the reason). With wait: true the answer comes once the accepted events " +
      "are committed, with their seqs. Events re-sent with the same idempotency keys are recorded once.",
    complexity: ({ args }) => 10 + (Array.isArray(args.events) ? args.events.length : 0),
  })
  async recordEvents(
    @Arg("log", () => String) logName: string,
    @Arg("events", () => [EventInput]) events: EventInput[],
    @Arg("wait", () => Boolean, { nullable: true, description: "Wait for the commit (default false)." }) wait: boolean | null | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<RecordEventsResult> {
    const ingest = ctx.ingest;
    if (!ingest) throw new ApiError("SERVICE_UNAVAILABLE", "recording events needs the ingest queue, and this server has none");
    if (events.length === 0) throw new ApiError("BAD_USER_INPUT", "events: got none, want at least one");
    if (events.length > ingest.maxBatchEvents) throw new ApiError("BAD_USER_INPUT", `events: got ${events.length}, want at most ${ingest.maxBatchEvents} in one request`);
    // The tenant's audit log is the ledger's own record of reads and writes: nobody writes to it.
    if (logName.startsWith(RESERVED_NAME_PREFIX)) throw new ApiError("FORBIDDEN", `log ${JSON.stringify(logName)} is kept by the ledger; sources cannot write to it`);
    const log = await db(ctx).use((tx) => tx.findLog(logName));
    // Nothing more to read: the connection goes back to the pool before the (possibly long) wait.
    await db(ctx).close();
    // Input objects reach resolvers as instances with absent fields left undefined: send plain events.
    const plain = events.map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined && v !== null)));

    // The in-process queue (sealtrail up without Redis) commits before it answers: always waited.
    const waited = Boolean(wait) || ingest.queueEvents === undefined;
    let receipts: EnqueueReceipt[];
    let timedOut = false;
    try {
      const enqueued = await enqueueEvents(ingest.queue, log.name, plain, {
        maxPayloadBytes: ingest.maxPayloadBytes,
        maxBatchEvents: ingest.maxBatchEvents,
        ...(waited ? { wait: { queueEvents: ingest.queueEvents, timeoutMs: ingest.waitTimeoutMs } } : {}),
      });
      receipts = enqueued.receipts;
    } catch (error) {
      // The events are queued and will be committed: the receipts (and their keys) still answer.
      if (!(error instanceof IngestError && error.code === "TIMEOUT" && error.queued)) throw error;
      receipts = error.queued.receipts;
      timedOut = true;
    }
    const accepted = receipts.filter((r) => r.status === "accepted").length;
    ctx.rows.count += accepted;
    return Object.assign(new RecordEventsResult(), {
      log: log.name,
      accepted,
      rejected: receipts.length - accepted,
      committed: accepted === 0 || (waited && !timedOut),
      receipts: receipts.map(toReceipt),
    });
  }
}

function toReceipt(r: EnqueueReceipt): EventReceipt {
  return Object.assign(new EventReceipt(), {
    index: r.index,
    idempotencyKey: r.idempotencyKey,
    status: r.status === "accepted" ? ReceiptStatus.ACCEPTED : ReceiptStatus.REJECTED,
    reason: r.reason ? { code: r.reason.code, message: r.reason.message } : null,
    seq: r.seq ?? null,
    leafHash: r.leafHash === undefined ? null : toBase64(fromHex(r.leafHash)!),
    duplicate: r.duplicate ?? null,
  });
}
