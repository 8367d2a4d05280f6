/**
 * Shipping to the API: the recordEvents mutation over HTTP(S) (GraphQL over HTTP), with a
 * bearer API key holding events:write. The API queues the events and answers with a receipt
 * each, as the ingest queue's producer does (with `sealtrail up` and no Redis it answers once
 * they are committed), so a batch the API accepted is as safe as one added to Redis directly.
 * Anything short of an answer (no connection, a timeout, 5xx, 429, the API's own queue or
 * database away, a key refused) is "unavailable": the batch stays in the spool and is sent
 * again, and its idempotency keys make a batch that was in fact accepted count once.
 */
import type { EventInput } from "../core/entry/index.js";
import type { CaptureApiSetting } from "../config/index.js";
import type { EventTransport } from "./event-transport.js";
import { TmuxError } from "./tmux-error.js";

/**
 * Most JSON per request: the API refuses bodies over SEALTRAIL_API_MAX_BODY_BYTES (default
 * 1 MiB); a 64-chunk batch is up to ~4 MiB of output, so it goes in several requests.
 */
export const MAX_REQUEST_BYTES = 768 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;
/** Error codes (api-error.ts) that say "not now", not "never": send again later. */
const RETRYABLE = new Set(["SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL_SERVER_ERROR", "UNAUTHENTICATED", "FORBIDDEN"]);

const MUTATION = `mutation RecordEvents($log: String!, $events: [EventInput!]!) {
  recordEvents(log: $log, events: $events) { rejected receipts { index idempotencyKey status reason { code message } } }
}`;

interface GraphQLAnswer {
  data?: { recordEvents?: { rejected: number; receipts: { index: number; idempotencyKey: string; status: string; reason: { code: string; message: string } | null }[] } };
  errors?: { message: string; extensions?: { code?: string } }[];
}

export class ApiTransport implements EventTransport {
  private readonly requests = new Set<AbortController>();

  constructor(
    private readonly api: CaptureApiSetting,
    private readonly log: string,
  ) {}

  sendBuilt(events: EventInput[]): Promise<boolean> {
    return this.send(events);
  }

  /** Sends the events in requests of at most MAX_REQUEST_BYTES, in order; false at the first that fails. */
  async send(events: EventInput[]): Promise<boolean> {
    for (const part of bySize(events.map((e) => JSON.stringify(e)))) {
      if (!(await this.post(part.map((i) => events[i]!)))) return false;
    }
    return true;
  }

  async close(): Promise<void> {
    for (const request of this.requests) request.abort();
  }

  private async post(events: EventInput[]): Promise<boolean> {
    const abort = new AbortController();
    this.requests.add(abort);
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    let status: number;
    let answer: GraphQLAnswer;
    try {
      const response = await fetch(this.api.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", authorization: `Bearer ${this.api.token}` },
        body: JSON.stringify({ query: MUTATION, variables: { log: this.log, events } }),
        signal: abort.signal,
      });
      status = response.status;
      answer = (await response.json().catch(() => ({}))) as GraphQLAnswer;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      this.requests.delete(abort);
    }
    if (status === 413) throw new TmuxError("CONFIG", `${this.api.url}: the API refuses a request of ${events.length} events as too large: raise its SEALTRAIL_API_MAX_BODY_BYTES`);
    const error = answer.errors?.[0];
    if (error) {
      if (RETRYABLE.has(error.extensions?.code ?? "")) return false;
      throw new TmuxError("CONFIG", `${this.api.url}: recordEvents refused: ${error.extensions?.code ?? status}: ${error.message}`);
    }
    const result = answer.data?.recordEvents;
    if (!result) return false; // a proxy's error page, a 5xx without GraphQL: not an answer
    const refused = result.receipts.find((r) => r.status !== "ACCEPTED");
    if (refused) throw new TmuxError("CONFIG", `event ${refused.idempotencyKey} refused: ${refused.reason?.code}: ${refused.reason?.message}`);
    return true;
  }
}

/** Indexes of the serialized events grouped into runs of at most MAX_REQUEST_BYTES (an event over it alone). */
function bySize(serialized: string[]): number[][] {
  const parts: number[][] = [];
  let size = 0;
  for (let i = 0; i < serialized.length; i++) {
    const bytes = Buffer.byteLength(serialized[i]!) + 1;
    if (parts.length === 0 || size + bytes > MAX_REQUEST_BYTES) {
      parts.push([]);
      size = 0;
    }
    parts.at(-1)!.push(i);
    size += bytes;
  }
  return parts;
}
