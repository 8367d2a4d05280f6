/**
 * Validation of one event as a source sent it, before it is queued and again before it is
 * appended. Every event carries the PCI DSS 10.2.2 record fields: user identification
 * (`actor`), type of event (`kind` and `action`), date and time (`occurredAt`), success or
 * failure (`outcome`), origination (`source`) and the affected data or component
 * (`resource`); the ledger defaults some of them, ingestion does not. Then the kind's own
 * schema (kinds/), then the ledger's own checks (core normalizeEvent), so that an accepted
 * event is never refused by the appender. Never throws: bad input becomes a Rejection.
 */
import { z } from "zod";
import { OUTCOMES, type EventInput, LIMITS, type PreparedEvent, prepareEvent } from "../core/entry/index.js";
import { CoreError } from "../core/errors.js";
import { DERIVED_KEY_PREFIX, jobKeyPrefix } from "./idempotency.js";
import { INGEST_KINDS, KIND_SCHEMAS, type KindSchema } from "./kinds/index.js";
import { text } from "./kinds/fields.js";
import type { Rejection, RejectionCode } from "./rejection.js";

export interface ValidateOptions {
  /** Largest canonical payload, in bytes (SEALTRAIL_MAX_PAYLOAD_BYTES). */
  maxPayloadBytes: number;
  /**
   * The job whose derived keys its events may carry (the producer put them there); a source's
   * key must not look like any job's.
   */
  jobId?: string;
}

/** `prepared`: the event normalised by the ledger's own rules (core prepareEvent), as it is queued and appended. */
export type Validation = { ok: true; prepared: PreparedEvent } | { ok: false; reason: Rejection };

/** The fields of every event; `action`, `outcome` and `payload` are the kind's. */
function envelope(schema: KindSchema) {
  return z.strictObject({
    kind: z.literal(schema.kind),
    actor: text(),
    action: schema.action,
    resource: text(),
    outcome: schema.outcome ?? z.enum(OUTCOMES),
    source: text(),
    // A Date from an in-process producer, a string once it went through the queue; its
    // format is the ledger's to check (RFC 3339 with an offset).
    occurredAt: z.union([z.string(), z.date()]),
    tags: z.array(text(LIMITS.tag)).max(LIMITS.tags).optional(),
    payload: z.unknown().optional(),
    idempotencyKey: text(LIMITS.idempotencyKey).optional(),
  });
}

const ENVELOPES = new Map([...KIND_SCHEMAS.values()].map((schema) => [schema.kind, envelope(schema)]));

export function validateEvent(input: unknown, index: number, options: ValidateOptions): Validation {
  const reject = (code: RejectionCode, message: string): Validation => ({ ok: false, reason: { index, code, message } });
  if (typeof input !== "object" || input === null || Array.isArray(input)) return reject("NOT_AN_OBJECT", `event: got ${describe(input)}, want an object`);
  const event = input as Record<string, unknown>;
  const kind = event.kind;
  if (kind === undefined || kind === null || kind === "") return reject("MISSING_FIELD", "kind: missing");
  const schema = typeof kind === "string" ? KIND_SCHEMAS.get(kind) : undefined;
  if (!schema) return reject("UNKNOWN_KIND", `kind: got ${JSON.stringify(kind)}, want one of ${INGEST_KINDS.join(", ")} (custom for anything else)`);

  const head = ENVELOPES.get(schema.kind)!.safeParse(event);
  if (!head.success) return fromIssue(index, head.error.issues[0]!, event, []);
  const key = event.idempotencyKey;
  if (typeof key === "string" && key.startsWith(DERIVED_KEY_PREFIX) && (options.jobId === undefined || !key.startsWith(jobKeyPrefix(options.jobId)))) {
    return reject("INVALID_FIELD", `idempotencyKey: the prefix "${DERIVED_KEY_PREFIX}" is reserved for keys made from the job id`);
  }

  // The ledger's checks (NUL, lone surrogates, timestamps, JSON numbers) and the canonical
  // payload whose size the limit is about.
  let prepared: PreparedEvent;
  try {
    prepared = prepareEvent(event as unknown as EventInput, new Date(), Number.MAX_SAFE_INTEGER);
  } catch (error) {
    if (error instanceof CoreError) return reject("INVALID_FIELD", error.message);
    throw error;
  }
  const payloadBytes = Buffer.byteLength(prepared.payload, "utf8");
  if (payloadBytes > options.maxPayloadBytes) {
    return reject("PAYLOAD_TOO_LARGE", `payload: got ${payloadBytes} bytes of canonical JSON, want at most ${options.maxPayloadBytes}`);
  }

  const payload = schema.payload(head.data.action).safeParse(event.payload);
  if (!payload.success) return fromIssue(index, payload.error.issues[0]!, event.payload, ["payload"]);
  return { ok: true, prepared };
}

/** One zod issue as a Rejection: the path in the event, and whether the field was there at all. */
function fromIssue(index: number, issue: z.core.$ZodIssue, root: unknown, prefix: PropertyKey[]): Validation {
  const missing = issue.code !== "unrecognized_keys" && valueAt(root, issue.path) === undefined;
  const path = [...prefix, ...issue.path].map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`)).join("") || "event";
  return {
    ok: false,
    reason: missing ? { index, code: "MISSING_FIELD", message: `${path}: missing` } : { index, code: "INVALID_FIELD", message: `${path}: ${issue.message}` },
  };
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const part of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
