/**
 * An event as a source hands it over, and its normalised form ready to hash and store.
 * Pure checks only: per-kind payload schemas live with ingestion.
 */
import { canonicalize, isWellFormed } from "../encoding/index.js";
import { CoreError } from "../errors.js";
import { canonicalTimestamp, type EntryMetadata, normalizeTags, OUTCOMES, type Outcome, payloadHash } from "./entry.js";

export interface EventInput {
  kind: string;
  actor: string;
  action: string;
  resource: string;
  outcome?: string;
  source?: string;
  /** The source's clock; defaults to the ledger's. */
  occurredAt?: Date | string;
  tags?: readonly string[];
  payload?: unknown;
  /** A retry carrying the same key appends nothing (unique per log). */
  idempotencyKey?: string;
}

/** The metadata a leaf commits to, less what the appender assigns (log, seq, recordedAt). */
export interface NormalizedEvent
  extends Pick<EntryMetadata, "kind" | "actor" | "action" | "resource" | "outcome" | "source" | "occurredAt" | "payloadHash"> {
  tags: string[];
  /** RFC 8785 canonical JSON of the payload. */
  payload: string;
  idempotencyKey: string | undefined;
}

/** Names the ledger keeps for its own logs (the per-tenant audit logs): no one else may take them. */
export const RESERVED_NAME_PREFIX = "sealtrail.";

/** Idempotency keys the ledger makes for events that came without one: `sealtrail:seq:<seq>`. */
export const GENERATED_KEY_PREFIX = "sealtrail:seq:";

export const LIMITS = {
  kind: 64,
  field: 1024,
  tag: 128,
  tags: 64,
  idempotencyKey: 256,
} as const;

const KIND = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;
// Lone surrogates cannot be canonicalized (RFC 8785 §3.2.2.2) and NUL cannot be stored in a
// Postgres text column: both are refused up front rather than mangled.
const unstorable = (value: string): boolean => !isStorableText(value);

/** Text the ledger can hold: no NUL (Postgres text) and no lone surrogate (RFC 8785). */
export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && isWellFormed(value);
}

/**
 * Whether canonical JSON text holds a NUL in a string or a member name, which it writes as the
 * escape `\u0000` (RFC 8785 §3.2.2.2): one preceded by an odd number of backslashes is a
 * literal backslash followed by "u0000", not a NUL. The payload string rule (docs/security.md):
 * payload text is storable text at every depth, as the metadata fields are, because PostgreSQL's
 * jsonb cannot hold U+0000 (docs §8.14) and the search index reads payloads as jsonb.
 */
export function hasEscapedNul(json: string): boolean {
  for (let at = json.indexOf("\\u0000"); at >= 0; at = json.indexOf("\\u0000", at + 1)) {
    let backslashes = 0;
    for (let i = at - 1; i >= 0 && json.charCodeAt(i) === 0x5c; i--) backslashes++;
    if (backslashes % 2 === 0) return true;
  }
  return false;
}

/** `value` made storable: NUL and lone surrogates become U+FFFD. */
export function toStorableText(value: string): string {
  return (value as unknown as { toWellFormed(): string }).toWellFormed().replaceAll("\u0000", "\ufffd");
}

function text(name: string, value: unknown, max: number, required = true): string {
  if (value === undefined || value === null || value === "") {
    if (required) throw new CoreError("ENTRY_INVALID", `${name}: missing`);
    return "";
  }
  if (typeof value !== "string") throw new CoreError("ENTRY_INVALID", `${name}: got ${typeof value}, want a string`);
  if (value.length > max) throw new CoreError("ENTRY_INVALID", `${name}: got ${value.length} characters, want at most ${max}`);
  if (unstorable(value)) throw new CoreError("ENTRY_INVALID", `${name}: contains NUL or a lone surrogate`);
  return value;
}

/** Days of each month in a leap year. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Parse an RFC 3339 timestamp with an explicit offset (no local-time guessing). */
export function parseTimestamp(name: string, value: Date | string): string {
  if (value instanceof Date) return canonicalTimestamp(value);
  // Already canonical, the usual case: taken as it is once its day and time exist.
  if (typeof value === "string" && CANONICAL.test(value) && existingDayAndTime(value)) return value;
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new CoreError("ENTRY_INVALID", `${name}: got ${JSON.stringify(value)}, want an RFC 3339 timestamp with offset`);
  }
  // The ledger keeps milliseconds (the leaf's timestamps, DESIGN.md): digits past the third
  // that are not zeros would be cut without a word, so they are refused.
  const fraction = /\.(\d+)/.exec(value)?.[1] ?? "";
  if (fraction.length > 3 && /[1-9]/.test(fraction.slice(3))) {
    throw new CoreError("ENTRY_INVALID", `${name}: got ${JSON.stringify(value)}, want at most millisecond precision (the ledger keeps milliseconds; finer digits would be cut)`);
  }
  const date = new Date(value);
  // Date would roll 2024-02-30 over to March 1st; a timestamp naming a day or time that does
  // not exist is refused instead. Year 0 has no place in Postgres (1 BC) either.
  if (Number.isNaN(date.getTime()) || !existingDayAndTime(value)) {
    throw new CoreError("ENTRY_INVALID", `${name}: got ${JSON.stringify(value)}, not a valid date`);
  }
  return canonicalTimestamp(date);
}

/**
 * The date and time at the start of `value` (YYYY-MM-DD?hh:mm:ss, digits where the callers'
 * patterns put them) exist: year 1 or later, a day of that month, no hour 24, no leap second.
 * Cheaper than a round trip through Date, which every event's timestamp would pay.
 */
function existingDayAndTime(value: string): boolean {
  const digits = (from: number, to: number): number => {
    let n = 0;
    for (let i = from; i < to; i++) n = 10 * n + value.charCodeAt(i) - 48;
    return n;
  };
  const y = digits(0, 4);
  const mo = digits(5, 7);
  const d = digits(8, 10);
  const days = (DAYS_IN_MONTH[mo - 1] ?? 0) - (mo === 2 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 1 : 0);
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= days && digits(11, 13) <= 23 && digits(14, 16) <= 59 && digits(17, 19) <= 59;
}

/**
 * The idempotency key of an event as normalizeEvent would take it; undefined when there is none
 * or it would be refused (normalizeEvent then says why).
 */
export function givenIdempotencyKey(input: EventInput): string | undefined {
  const key: unknown = typeof input === "object" && input !== null ? input.idempotencyKey : undefined;
  if (typeof key !== "string" || key === "" || key.length > LIMITS.idempotencyKey || unstorable(key) || key.startsWith("sealtrail:")) return undefined;
  return key;
}

/**
 * An event normalised by a producer, less the payload hash: what an ingest job carries, so
 * that the worker neither canonicalizes nor checks it all again (checkPreparedEvent).
 */
export type PreparedEvent = Omit<NormalizedEvent, "payloadHash">;

/**
 * Check and normalise one event. `now` is the ledger clock, used when the source gives no
 * time. Throws CoreError ENTRY_INVALID (or CANONICAL_JSON_INVALID for the payload).
 */
export function normalizeEvent(input: EventInput, now: Date, maxPayloadBytes = 1 << 20): NormalizedEvent {
  const event = prepareEvent(input, now, maxPayloadBytes) as NormalizedEvent;
  event.payloadHash = payloadHash(event.payload);
  return event;
}

/**
 * normalizeEvent's checks and normal form without the payload hash, which only the appender
 * needs: what a producer runs before queueing. Throws as normalizeEvent.
 */
export function prepareEvent(input: EventInput, now: Date, maxPayloadBytes = 1 << 20): PreparedEvent {
  if (typeof input !== "object" || input === null) throw new CoreError("ENTRY_INVALID", "event: want an object");
  const kind = eventKind(input.kind);
  const outcome = input.outcome ?? "success";
  if (!(OUTCOMES as readonly string[]).includes(outcome)) {
    throw new CoreError("ENTRY_INVALID", `outcome: got ${JSON.stringify(outcome)}, want success or failure`);
  }
  const tagsIn = input.tags ?? [];
  if (!Array.isArray(tagsIn)) throw new CoreError("ENTRY_INVALID", "tags: want an array of strings");
  if (tagsIn.length > LIMITS.tags) throw new CoreError("ENTRY_INVALID", `tags: got ${tagsIn.length}, want at most ${LIMITS.tags}`);
  // The name of a tag is built only for the error message.
  const tags = normalizeTags(tagsIn.map((t, i) => (typeof t === "string" && t !== "" && t.length <= LIMITS.tag && !unstorable(t) ? t : text(`tags[${i}]`, t, LIMITS.tag))));
  const payload = payloadWithin(canonicalize(input.payload === undefined ? {} : input.payload), maxPayloadBytes);
  const key = sourceKey(input.idempotencyKey);
  return {
    kind,
    actor: text("actor", input.actor, LIMITS.field),
    action: text("action", input.action, LIMITS.field),
    resource: text("resource", input.resource, LIMITS.field),
    outcome: outcome as Outcome,
    source: text("source", input.source, LIMITS.field, false) || "sealtrail",
    occurredAt: input.occurredAt === undefined ? clockTimestamp(now) : parseTimestamp("occurredAt", input.occurredAt),
    tags,
    payload,
    idempotencyKey: key || undefined,
  };
}

/**
 * An event that prepareEvent made, taken as it is: every check of normalizeEvent except the
 * canonical form of the payload, which is the producer's word (RFC 8785 text cannot be told
 * from other JSON text without canonicalizing it again, the cost this saves). The rest is
 * checked because it is cheap and because the ledger's invariants must not rest on a queue:
 * storable text, lengths, the kind's form, the outcome, a canonical timestamp, tags sorted
 * and unique, the payload's size and the reserved key prefix. Throws CoreError ENTRY_INVALID.
 */
export function checkPreparedEvent(input: unknown, maxPayloadBytes = 1 << 20): NormalizedEvent {
  if (typeof input !== "object" || input === null) throw new CoreError("ENTRY_INVALID", "event: want an object");
  const e = input as Record<keyof PreparedEvent, unknown>;
  const kind = eventKind(e.kind);
  if (!(OUTCOMES as readonly unknown[]).includes(e.outcome)) throw new CoreError("ENTRY_INVALID", `outcome: got ${JSON.stringify(e.outcome)}, want success or failure`);
  if (typeof e.occurredAt !== "string" || parseTimestamp("occurredAt", e.occurredAt) !== e.occurredAt) {
    throw new CoreError("ENTRY_INVALID", `occurredAt: got ${JSON.stringify(e.occurredAt)}, want a canonical timestamp`);
  }
  const tags = e.tags;
  if (!Array.isArray(tags) || tags.length > LIMITS.tags) throw new CoreError("ENTRY_INVALID", `tags: want at most ${LIMITS.tags} strings`);
  for (let i = 0; i < tags.length; i++) {
    const t: unknown = tags[i];
    // As in prepareEvent: the name of a tag is built only for the error message.
    if (typeof t !== "string" || t === "" || t.length > LIMITS.tag || unstorable(t)) text(`tags[${i}]`, t, LIMITS.tag);
    if (i > 0 && !(tags[i - 1] < tags[i])) throw new CoreError("ENTRY_INVALID", "tags: want them sorted and unique");
  }
  const payload = payloadWithin(text("payload", e.payload, Number.MAX_SAFE_INTEGER), maxPayloadBytes);
  const key = sourceKey(e.idempotencyKey);
  return {
    kind,
    actor: text("actor", e.actor, LIMITS.field),
    action: text("action", e.action, LIMITS.field),
    resource: text("resource", e.resource, LIMITS.field),
    outcome: e.outcome as Outcome,
    source: text("source", e.source, LIMITS.field),
    occurredAt: e.occurredAt,
    tags: tags as string[],
    payload,
    payloadHash: payloadHash(payload),
    idempotencyKey: key,
  };
}

function eventKind(value: unknown): string {
  const kind = text("kind", value, LIMITS.kind);
  if (!KIND.test(kind)) throw new CoreError("ENTRY_INVALID", `kind: got ${JSON.stringify(kind)}, want dotted lower-case words like config.change`);
  return kind;
}

/** `payload` (JSON text) unless its UTF-8 exceeds the limit or a string in it holds NUL. */
function payloadWithin(payload: string, maxPayloadBytes: number): string {
  if (hasEscapedNul(payload)) throw new CoreError("ENTRY_INVALID", "payload: a string contains NUL (U+0000), which the ledger does not store");
  const bytes = Buffer.byteLength(payload, "utf8");
  if (bytes > maxPayloadBytes) throw new CoreError("ENTRY_INVALID", `payload: got ${bytes} bytes, want at most ${maxPayloadBytes}`);
  return payload;
}

/** A source's idempotency key, if any: not the prefix of the keys the ledger makes. */
function sourceKey(value: unknown): string | undefined {
  const key = value === undefined ? undefined : text("idempotencyKey", value, LIMITS.idempotencyKey);
  if (key?.startsWith("sealtrail:")) throw new CoreError("ENTRY_INVALID", `idempotencyKey: the prefix "sealtrail:" is reserved for keys the ledger makes`);
  return key;
}

/** canonicalTimestamp(now), remembered: a batch normalises all its events with one clock reading. */
let lastClock: { ms: number; text: string } = { ms: Number.NaN, text: "" };
function clockTimestamp(now: Date): string {
  const ms = now.getTime();
  if (ms !== lastClock.ms) lastClock = { ms, text: canonicalTimestamp(now) };
  return lastClock.text;
}
