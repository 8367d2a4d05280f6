/**
 * From the ledger's rows to the API's types, and the API's input checks that the GraphQL type
 * system cannot express. Everything the client sends is checked here before any SQL runs.
 */
import { canonicalTimestamp, entryLeafHash, isStorableText, payloadHash } from "../core/entry/index.js";
import { digestEqual, fromHex, toBase64 } from "../core/encoding/index.js";
import { openValues } from "../core/erasure/index.js";
import type { EventFilter as LedgerFilter, LedgerStore, ServedEntry, StoredCheckpoint } from "../ledger/index.js";
import { ApiError } from "./api-error.js";
import { InconsistentRead } from "./read-verifier.js";
import { Checkpoint } from "./types/checkpoint.type.js";
import type { EventFilter } from "./types/event-filter.input.js";
import { type CommittedFieldName, ErasedField, type RemovalKind } from "./types/erased-field.type.js";
import { Event, type Outcome } from "./types/event.type.js";

const MAX_LIST = 100;
const MAX_TEXT = 1024;

/**
 * An entry as the API serves it, once re-hashed: its payload against its payload hash, and its
 * metadata and payload hash against its leaf hash (the bytes the tree commits to, RFC 9162
 * §2.1.1). A row edited in the database beside its old hashes is answered LEDGER_INCONSISTENT,
 * never served (docs/security.md, "Verified reads").
 */
export function toEvent(row: ServedEntry): Event {
  const v2 = row.leafVersion === 2;
  const payloadOk = v2 || row.payload === null || digestEqual(payloadHash(row.payload), row.payloadHash);
  const leaf = entryLeafHash({
    log: row.origin, seq: row.seq, kind: row.kind, actor: row.actor, action: row.action, resource: row.resource, outcome: row.outcome as Outcome,
    source: row.source, occurredAt: canonicalTimestamp(row.occurredAt), recordedAt: canonicalTimestamp(row.recordedAt), tags: row.tags, payloadHash: row.payloadHash,
    ...(v2 ? { v: 2 as const } : {}),
  });
  if (!payloadOk || !digestEqual(leaf, row.leafHash)) {
    throw new InconsistentRead(row.log, row.seq, `entry ${row.seq} of log ${row.log} does not match its ${payloadOk ? "leaf" : "payload"} hash`);
  }
  const base = {
    logId: row.logId,
    log: row.log,
    seq: row.seq,
    kind: row.kind,
    action: row.action,
    outcome: row.outcome as Outcome,
    source: row.source,
    occurredAt: row.occurredAt,
    recordedAt: row.recordedAt,
    tags: row.tags,
    leafVersion: row.leafVersion,
    payloadHash: toBase64(row.payloadHash),
    leafHash: toBase64(row.leafHash),
    chainHash: toBase64(row.chainHash),
    idempotencyKey: row.idempotencyKey,
  };
  if (v2) return Object.assign(new Event(), base, openedValues(row));
  return Object.assign(new Event(), {
    logId: row.logId,
    log: row.log,
    seq: row.seq,
    kind: row.kind,
    actor: row.actor,
    action: row.action,
    resource: row.resource,
    outcome: row.outcome as Outcome,
    source: row.source,
    occurredAt: row.occurredAt,
    recordedAt: row.recordedAt,
    tags: row.tags,
    payload: row.payload === null ? null : JSON.parse(row.payload),
    payloadRedacted: row.payload === null,
    erased: [],
    leafVersion: row.leafVersion,
    payloadHash: toBase64(row.payloadHash),
    leafHash: toBase64(row.leafHash),
    chainHash: toBase64(row.chainHash),
    idempotencyKey: row.idempotencyKey,
  });
}

/**
 * A v2 entry's values (docs/leaf-format.md): each opened against the commitment its leaf holds,
 * or shown as erased under its record. A value gone without a record, or not opening its
 * commitment, is tampering: answered LEDGER_INCONSISTENT, as an edited v1 row is.
 */
function openedValues(row: ServedEntry): Pick<Event, "actor" | "resource" | "payload" | "payloadRedacted" | "erased"> {
  const opened = openValues([fromHex(row.actor), fromHex(row.resource), row.payloadHash], row.values ?? [], row.removals ?? []);
  const broken = opened.broken[0];
  if (broken) {
    const what = broken.problem === "removed" ? "was removed without an erasure or expiry record" : "does not open its commitment";
    throw new ApiError("LEDGER_INCONSISTENT", `entry ${row.seq} of log ${row.log}: its ${broken.field} ${what}: the log needs verifying`);
  }
  const [actor, resource, payload] = opened.values;
  return {
    actor,
    resource,
    payload: payload === null ? null : JSON.parse(payload),
    payloadRedacted: payload === null,
    erased: opened.erased.map((e) => Object.assign(new ErasedField(), { field: e.field as CommittedFieldName, kind: e.kind as RemovalKind, recordSeq: e.recordSeq, request: e.request })),
  };
}

export function toCheckpoint(log: { id: number; name: string; origin: string }, c: StoredCheckpoint): Checkpoint {
  return Object.assign(new Checkpoint(), {
    logId: log.id,
    log: log.name,
    origin: log.origin,
    size: c.size,
    root: toBase64(c.root),
    note: c.note,
    keyId: c.keyId,
    createdAt: c.createdAt,
  });
}

/** A BigInt argument (seq, size) as a safe non-negative integer. */
export function count(name: string, value: bigint | number): number {
  const n = typeof value === "bigint" ? (value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : -1) : value;
  if (!Number.isSafeInteger(n) || n < 0) throw new ApiError("BAD_USER_INPUT", `${name}: got ${String(value)}, want a non-negative integer`);
  return n;
}

function text(name: string, value: string | undefined, min = 1): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value.length < min || value.length > MAX_TEXT) throw new ApiError("BAD_USER_INPUT", `filter.${name}: want ${min}–${MAX_TEXT} characters`);
  if (!isStorableText(value)) {
    throw new ApiError("BAD_USER_INPUT", `filter.${name}: contains NUL or a lone surrogate`);
  }
  return value;
}

function list(name: string, values: string[] | undefined): string[] | undefined {
  if (values === undefined || values === null) return undefined;
  if (values.length > MAX_LIST) throw new ApiError("BAD_USER_INPUT", `filter.${name}: at most ${MAX_LIST} values`);
  return values.map((v, i) => text(`${name}[${i}]`, v)!);
}

function range(name: string, r: { from?: Date; to?: Date } | undefined): { from?: Date; to?: Date } {
  if (!r) return {};
  if (r.from && r.to && r.from.getTime() > r.to.getTime()) throw new ApiError("BAD_USER_INPUT", `filter.${name}: from is after to`);
  return { ...(r.from ? { from: r.from } : {}), ...(r.to ? { to: r.to } : {}) };
}

/** The client's filter as the ledger's, with log names resolved within the tenant's view. */
export async function ledgerFilter(tx: LedgerStore, filter: EventFilter | undefined): Promise<LedgerFilter> {
  if (!filter) return {};
  const names = list("logs", filter.logs);
  const occurred = range("occurred", filter.occurred);
  const recorded = range("recorded", filter.recorded);
  const result: LedgerFilter = {};
  const set = <K extends keyof LedgerFilter>(key: K, value: LedgerFilter[K] | undefined) => {
    if (value !== undefined) result[key] = value;
  };
  set("kinds", list("kinds", filter.kinds));
  set("actor", text("actor", filter.actor));
  set("action", text("action", filter.action));
  set("resource", text("resource", filter.resource));
  set("outcome", filter.outcome ?? undefined);
  set("source", text("source", filter.source));
  set("tags", list("tags", filter.tags));
  set("occurredFrom", occurred.from);
  set("occurredTo", occurred.to);
  set("recordedFrom", recorded.from);
  set("recordedTo", recorded.to);
  set("text", text("text", filter.text));
  // Shorter substrings match nearly everything and cannot use an index: refused.
  set("contains", text("contains", filter.contains, 3));
  if (names) {
    const { ids, missing } = await tx.resolveLogIds(names);
    // A log of another tenant is as unknown as one that does not exist.
    if (missing.length > 0) throw new ApiError("BAD_USER_INPUT", `filter.logs: unknown log ${JSON.stringify(missing[0])}`);
    result.logIds = ids;
  }
  return result;
}

