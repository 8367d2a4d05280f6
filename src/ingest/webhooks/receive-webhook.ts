/**
 * `POST /hooks/:source`, transport-free: a request (source name, method, headers, raw body)
 * in, a status and a JSON body out. The signature is checked over the raw bytes before
 * anything in the body is read; the delivery (the signed format's delivery id, a GitHub body's
 * hash) becomes the job id, so a re-delivered webhook derives the same idempotency keys and
 * appends nothing twice, whether its first job is still in Redis (BullMQ keeps one job per id)
 * or long gone (the ledger keeps one entry per key).
 */
import { createHash } from "node:crypto";
import { checkExactJson } from "../../core/encoding/index.js";
import { enqueueEvents, type EnqueueReceipt } from "../enqueue-events.js";
import { IngestError } from "../ingest-error.js";
import type { IngestProducer } from "../ingest-queue.js";
import { deployEventFromGitHub } from "./github-deployment.js";
import { WebhookError } from "./webhook-error.js";
import { signatureMatchesAny } from "./webhook-signature.js";
import type { WebhookSource } from "../../config/index.js";

/** Headers of the signed format (lower case, as Node hands them over). */
export const SIGNED_HEADERS = { delivery: "x-sealtrail-delivery", timestamp: "x-sealtrail-timestamp", signature: "x-sealtrail-signature" } as const;
/** Headers GitHub sends (docs.github.com, "Webhook events and payloads": delivery headers). */
export const GITHUB_HEADERS = { delivery: "x-github-delivery", event: "x-github-event", signature: "x-hub-signature-256" } as const;

const DELIVERY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const UNIX_SECONDS = /^[0-9]{1,12}$/;

export interface WebhookDeps {
  sources: ReadonlyMap<string, WebhookSource>;
  queue: IngestProducer;
  maxPayloadBytes: number;
  maxBatchEvents: number;
  /** Whether the log exists: a source naming a missing log is a configuration error. */
  logExists(name: string): Promise<boolean>;
  /** Milliseconds since the epoch (tests move the clock). */
  now?: () => number;
  /**
   * Charges an authenticated delivery to its source's rate (the source's secret is its key):
   * 0 when admitted, else the seconds until the sender may retry. Absent, every delivery passes.
   */
  admit?(source: WebhookSource): Promise<number>;
}

export interface WebhookRequest {
  source: string;
  method: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Undefined when the body was over the size limit (and not read). */
  body: Buffer | undefined;
}

export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
  /** Seconds the sender should wait before delivering again (Retry-After, RFC 9110 §10.2.3). */
  retryAfter?: number;
}

export async function receiveWebhook(deps: WebhookDeps, request: WebhookRequest): Promise<WebhookResponse> {
  try {
    return await receive(deps, request);
  } catch (error) {
    if (!(error instanceof WebhookError)) throw error;
    return refusal(error);
  }
}

async function receive(deps: WebhookDeps, request: WebhookRequest): Promise<WebhookResponse> {
  const source = deps.sources.get(request.source);
  if (!source) throw new WebhookError("UNKNOWN_SOURCE", `no webhook source named ${JSON.stringify(request.source)}`);
  if (request.method !== "POST") throw new WebhookError("METHOD_NOT_ALLOWED", `method ${request.method} not allowed: use POST`);
  const body = request.body;
  if (body === undefined) throw new WebhookError("PAYLOAD_TOO_LARGE", "request body over the size limit");
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };

  let delivery: string;
  let githubEvent: string | undefined;
  if (source.format === "github") {
    const sig = header(GITHUB_HEADERS.signature);
    if (!sig) throw new WebhookError("SIGNATURE_MISSING", "X-Hub-Signature-256: missing; set the hook's secret");
    if (!signatureMatchesAny(source.secrets, sig, body)) throw new WebhookError("SIGNATURE_INVALID", "X-Hub-Signature-256: does not match the body under this source's secret");
    delivery = checkDelivery(header(GITHUB_HEADERS.delivery), "X-GitHub-Delivery");
    githubEvent = header(GITHUB_HEADERS.event);
    if (!githubEvent) throw new WebhookError("PAYLOAD_INVALID", "X-GitHub-Event: missing");
  } else {
    const sig = header(SIGNED_HEADERS.signature);
    if (!sig) throw new WebhookError("SIGNATURE_MISSING", "X-Sealtrail-Signature: missing");
    const timestamp = header(SIGNED_HEADERS.timestamp);
    if (!timestamp || !UNIX_SECONDS.test(timestamp)) throw new WebhookError("TIMESTAMP_INVALID", "X-Sealtrail-Timestamp: want the Unix time in seconds");
    delivery = checkDelivery(header(SIGNED_HEADERS.delivery), "X-Sealtrail-Delivery");
    if (!signatureMatchesAny(source.secrets, sig, `${delivery}.${timestamp}.`, body)) {
      throw new WebhookError("SIGNATURE_INVALID", "X-Sealtrail-Signature: does not match <delivery>.<timestamp>.<body> under this source's secret");
    }
    // The replay window: a signed request captured and sent again later is refused; within the
    // window, its delivery id makes the copy append nothing.
    const skew = Math.abs((deps.now ?? Date.now)() / 1000 - Number(timestamp));
    if (skew > source.toleranceSeconds) throw new WebhookError("TIMESTAMP_STALE", `X-Sealtrail-Timestamp: ${Math.round(skew)} s away from the server's clock, want at most ${source.toleranceSeconds}`);
  }

  // Charged once the request is known to come from the source (a request without its secret
  // must not use up the source's rate), before any of the body is parsed or queued.
  const wait = (await deps.admit?.(source)) ?? 0;
  if (wait > 0) return { ...refusal(new WebhookError("RATE_LIMITED", `webhook source ${source.name}'s rate is used up; nothing was queued, deliver again in ${wait} s`)), retryAfter: wait };

  const type = header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new WebhookError("UNSUPPORTED_MEDIA_TYPE", `content-type: got ${JSON.stringify(type)}, want application/json`);
  const json = parseJson(body);

  let events: unknown[];
  if (githubEvent !== undefined) {
    const mapped = deployEventFromGitHub(githubEvent, json, source.name, delivery);
    if ("ignored" in mapped) return { status: 200, body: { source: source.name, delivery, ignored: mapped.ignored } };
    events = [mapped.event];
  } else {
    events = signedEvents(json);
  }

  if (!(await deps.logExists(source.log))) throw new WebhookError("SOURCE_MISCONFIGURED", `webhook source ${source.name} writes to log ${JSON.stringify(source.log)}, which does not exist`);
  let receipts: EnqueueReceipt[];
  let jobId: string | undefined;
  try {
    ({ jobId, receipts } = await enqueueEvents(deps.queue, source.log, events, {
      jobId: jobIdOf(source.name, githubEvent === undefined ? delivery : undefined, body),
      maxPayloadBytes: deps.maxPayloadBytes,
      maxBatchEvents: deps.maxBatchEvents,
    }));
  } catch (error) {
    if (error instanceof IngestError && error.code === "BATCH_INVALID") throw new WebhookError("PAYLOAD_INVALID", error.message, { cause: error });
    if (error instanceof IngestError && error.code === "QUEUE_UNAVAILABLE") throw new WebhookError("QUEUE_UNAVAILABLE", "the ingest queue is unavailable; nothing was queued, deliver again", { cause: error });
    throw error;
  }
  const accepted = receipts.filter((r) => r.status === "accepted").length;
  const result = { source: source.name, delivery, log: source.log, accepted, rejected: receipts.length - accepted, receipts };
  if (accepted === 0) {
    return { status: 422, body: { error: { code: "EVENTS_REJECTED", message: `every event was refused (${receipts.length}); see receipts` }, ...result } };
  }
  return { status: 202, body: { ...result, jobId } };
}

/**
 * The job id, and so the events' derived keys. GitHub signs the body only (X-Hub-Signature-256),
 * not X-GitHub-Delivery: a captured request sent again under a new delivery id would be a new
 * job, so a GitHub delivery is identified by its body's SHA-256, which its deployment and
 * status ids and times make unique. The signed format signs its delivery id.
 */
function jobIdOf(source: string, signedDelivery: string | undefined, body: Buffer): string {
  return `hook.${source}.${signedDelivery ?? createHash("sha256").update(body).digest("hex").slice(0, 32)}`;
}

function refusal(error: WebhookError): WebhookResponse {
  return { status: error.status, body: { error: { code: error.code, message: error.message } } };
}

function checkDelivery(value: string | undefined, name: string): string {
  if (!value || !DELIVERY.test(value)) throw new WebhookError("DELIVERY_INVALID", `${name}: want a delivery id of letters, digits, . _ - (at most 64)`);
  return value;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

function parseJson(body: Buffer): unknown {
  let text: string;
  let json: unknown;
  try {
    text = UTF8.decode(body);
    json = JSON.parse(text);
  } catch (error) {
    throw new WebhookError("MALFORMED_JSON", error instanceof TypeError ? "the body is not UTF-8 text" : `the body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  // A number the ledger would store as another one, or a member named twice (one dropped), is refused (docs/security.md).
  try {
    checkExactJson(text, "body");
  } catch (error) {
    throw new WebhookError("PAYLOAD_INVALID", (error as Error).message, { cause: error });
  }
  return json;
}

/** The signed format's body: `{ "events": [ … ] }`, or one event object. */
function signedEvents(json: unknown): unknown[] {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new WebhookError("PAYLOAD_INVALID", "body: want { \"events\": [ … ] } or one event object");
  const events = (json as { events?: unknown }).events;
  if (events === undefined) return [json];
  if (!Array.isArray(events) || events.length === 0) throw new WebhookError("PAYLOAD_INVALID", "events: want a non-empty array");
  const extra = Object.keys(json).filter((k) => k !== "events");
  if (extra.length > 0) throw new WebhookError("PAYLOAD_INVALID", `body: unknown field ${JSON.stringify(extra[0])} beside events`);
  return events;
}
