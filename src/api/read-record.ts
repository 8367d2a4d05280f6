/**
 * A read (or write) through the API as its audit record holds it, and the entry that records
 * it. Everything the client chose — query text, operation name, variables — is bounded before
 * it is serialized: the record's size and the work of making it never depend on the request's
 * shape (a record must never be the thing that fails; docs/security.md, "Recorder limits").
 */
import { stripIgnoredCharacters } from "graphql";
import { type EventInput, LIMITS, toStorableText } from "../core/entry/index.js";
import { actorOf, type Principal } from "./principal.js";

export interface ReadRecord {
  requestId: string;
  principal: Principal;
  at: Date;
  operation: string | null;
  fields: string[];
  query: string;
  variables: unknown;
  /** The root fields as they ran, with their arguments (executed-fields.ts). */
  calls?: readonly { field: string; args: Record<string, unknown> }[];
  /** Root fields ran beyond those in `calls`. */
  callsDropped?: number;
  rows: number;
  outcome: "success" | "failure";
  /** Error codes of a failed read. */
  errors?: string[];
  transport: "http" | "websocket";
  /** A mutation (recordEvents) is recorded as a write: `ledger.write`, rows = events accepted. */
  access?: "read" | "write";
  /** Requests of the key refused for its rate or requests in flight that this record stands for (refusal-log.ts). */
  refused?: number;
  /**
   * A subscription's record is written in parts (delivery-parts.ts): part n of its request,
   * `open` while it goes on; `rows` are the entries delivered since the part before.
   */
  part?: { n: number; open: boolean };
}

/** The recorder's bounds (docs/security.md). */
export const RECORD_LIMITS = {
  queryChars: 4096,
  variablesChars: 4096,
  callsChars: 4096,
  /** Longer query texts are recorded as sent (cut), not normalized: the lexer's work stays bounded. */
  normalizeChars: 1_048_576,
  /** Containers deeper than this in the variables are written as "…". */
  variablesDepth: 32,
  nameChars: 256,
  errorCodes: 32,
  recordErrorChars: 512,
} as const;

/** Text the ledger can store whatever the client sent, cut to `max`: NUL and lone surrogates become U+FFFD. */
export function storable(text: string, max: number): string {
  // Cut first: a cut may split a surrogate pair, which the replacement then repairs.
  return toStorableText(text.length > max ? `${text.slice(0, max)}…` : text);
}

/**
 * JSON text of `value` as far as `maxChars` characters and `maxDepth` levels: deeper
 * containers are written as "…", and writing stops once the text is past `maxChars`. The
 * recursion is at most `maxDepth` deep, whatever the value's own depth; the work at most
 * proportional to `maxChars` (members past the bound are not visited).
 */
export function boundedJson(value: unknown, maxChars: number, maxDepth: number): { text: string; truncated: boolean } {
  let out = "";
  let truncated = false;
  const write = (v: unknown, depth: number): void => {
    if (out.length > maxChars) {
      truncated = true;
      return;
    }
    if (v === null || typeof v === "boolean") out += String(v);
    else if (typeof v === "number") out += Number.isFinite(v) ? String(v) : "null";
    else if (typeof v === "bigint") out += JSON.stringify(String(v));
    else if (v instanceof Date) out += Number.isNaN(v.getTime()) ? "null" : JSON.stringify(v.toISOString());
    else if (typeof v === "string") out += JSON.stringify(v.length > maxChars ? ((truncated = true), `${v.slice(0, maxChars)}…`) : v);
    else if (typeof v !== "object") out += "null";
    else if (depth >= maxDepth) {
      truncated = true;
      out += '"…"';
    } else if (Array.isArray(v)) {
      out += "[";
      for (let i = 0; i < v.length && out.length <= maxChars; i++) {
        if (i > 0) out += ",";
        write(v[i], depth + 1);
      }
      out += "]";
    } else {
      out += "{";
      let first = true;
      for (const key in v) {
        if (!Object.hasOwn(v, key)) continue;
        if (out.length > maxChars) break;
        if (!first) out += ",";
        first = false;
        out += `${JSON.stringify(key.length > RECORD_LIMITS.nameChars ? `${key.slice(0, RECORD_LIMITS.nameChars)}…` : key)}:`;
        write((v as Record<string, unknown>)[key], depth + 1);
      }
      out += "}";
    }
  };
  write(value, 0);
  if (out.length > maxChars) {
    truncated = true;
    out = `${out.slice(0, maxChars)}…`;
  }
  return { text: toStorableText(out), truncated };
}

function kindOf(r: ReadRecord): "ledger.read" | "ledger.write" {
  return r.access === "write" ? "ledger.write" : "ledger.read";
}

function common(r: ReadRecord): Omit<EventInput, "payload" | "occurredAt"> {
  const kind = kindOf(r);
  const resource = r.fields.length > 0 ? storable(r.fields.join(","), LIMITS.field - 1) : "(none)";
  return {
    kind,
    actor: storable(actorOf(r.principal), 320),
    action: kind,
    resource,
    outcome: r.outcome === "failure" ? "failure" : "success",
    source: `sealtrail-api/${r.transport === "websocket" ? "websocket" : "http"}`,
    // Each part of a request's record is an entry of its own.
    idempotencyKey: `${kind}:${storable(r.requestId, 64)}${r.part ? `#${r.part.n}` : ""}`,
  };
}

/**
 * The query as the record keeps it: comments and insignificant whitespace stripped (graphql's
 * stripIgnoredCharacters, the GraphQL spec's "ignored tokens"), so that padding cannot push
 * what was asked past the bound. A text that does not lex is kept as sent.
 */
export function normalizedQuery(query: string): { text: string; normalized: boolean } {
  if (query.length > RECORD_LIMITS.normalizeChars) return { text: query, normalized: false };
  try {
    return { text: stripIgnoredCharacters(query), normalized: true };
  } catch {
    return { text: query, normalized: false };
  }
}

/**
 * Root fields whose query text and variables are withheld from the record: an erasure request
 * names its data subject, and a record of it in the audit log (which nobody erases) would keep
 * the subject's identity after the erasure (docs/erasure.md). What was erased is recorded by
 * the erasure itself, in the log and in the audit log, without the subject.
 */
export const WITHHELD_FIELDS: ReadonlySet<string> = new Set(["requestErasure"]);
const WITHHELD = "(withheld: an erasure request names its data subject)";

export function toEvent(r: ReadRecord): EventInput {
  if (r.fields.some((f) => WITHHELD_FIELDS.has(f))) {
    r = { ...r, query: WITHHELD, variables: null, ...(r.calls ? { calls: r.calls.map((c) => (WITHHELD_FIELDS.has(c.field) ? { field: c.field, args: { withheld: WITHHELD } } : c)) } : {}) };
  }
  const variables = r.variables === undefined || r.variables === null ? null : boundedJson(r.variables, RECORD_LIMITS.variablesChars, RECORD_LIMITS.variablesDepth);
  const query = normalizedQuery(r.query);
  const calls = r.calls && r.calls.length > 0 ? boundedJson(r.calls, RECORD_LIMITS.callsChars, RECORD_LIMITS.variablesDepth) : null;
  return {
    ...common(r),
    occurredAt: r.at,
    payload: {
      requestId: r.requestId,
      keyName: storable(r.principal.keyName, RECORD_LIMITS.nameChars),
      // A person signed in by single sign-on: who vouched for them, and their id there.
      ...(r.principal.sso ? { ssoIssuer: storable(r.principal.sso.issuer, RECORD_LIMITS.nameChars), ssoSubject: storable(r.principal.sso.subject, RECORD_LIMITS.nameChars) } : {}),
      operation: r.operation === null ? null : storable(r.operation, RECORD_LIMITS.nameChars),
      fields: r.fields.map((f) => storable(f, RECORD_LIMITS.nameChars)),
      query: storable(query.text, RECORD_LIMITS.queryChars),
      queryTruncated: query.text.length > RECORD_LIMITS.queryChars,
      ...(query.normalized ? {} : { queryNormalized: false }),
      // The root fields as they ran, arguments resolved: the filter that was applied.
      ...(calls ? { calls: calls.text } : {}),
      ...(calls?.truncated || r.callsDropped ? { callsTruncated: true } : {}),
      // As JSON text: the variables as sent, as far as the bounds.
      variables: variables?.text ?? null,
      ...(variables?.truncated ? { variablesTruncated: true } : {}),
      rows: Number.isSafeInteger(r.rows) ? r.rows : 0,
      ...(r.errors ? { errors: r.errors.slice(0, RECORD_LIMITS.errorCodes).map((e) => storable(e, 64)) } : {}),
      ...(r.refused !== undefined && Number.isSafeInteger(r.refused) ? { refused: r.refused } : {}),
      ...(r.part && Number.isSafeInteger(r.part.n) ? { part: r.part.n, ...(r.part.open ? { open: true } : {}) } : {}),
    },
  };
}

/**
 * The record of a request whose full record could not be written: who, which fields, when it
 * was written, and why the full one was not. Made only of values the recorder bounds itself.
 */
export function reducedEvent(r: ReadRecord, why: string): EventInput {
  return {
    ...common(r),
    payload: {
      requestId: storable(String(r.requestId), 64),
      keyName: storable(String(r.principal.keyName), RECORD_LIMITS.nameChars),
      fields: r.fields.map((f) => storable(String(f), RECORD_LIMITS.nameChars)),
      recordError: storable(why, RECORD_LIMITS.recordErrorChars),
    },
  };
}
