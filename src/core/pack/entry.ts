/**
 * One line of a pack's `events.jsonl`: an entry with everything needed to re-hash it — the
 * fields its leaf commits to, the payload (or null when redacted) and the stored hashes.
 * Written as RFC 8785 canonical JSON (keys in code-unit order), so the line for an entry is
 * always the same bytes; read back defensively, since a pack comes from outside.
 */
import { canonicalize, HASH_SIZE, fromHex, toHex } from "../encoding/index.js";
import { type EntryMetadata, OUTCOMES, type Outcome } from "../entry/index.js";
import { CoreError } from "../errors.js";

export interface PackEntry extends EntryMetadata {
  /** Canonical JSON text of the payload; null when the payload was redacted. */
  payload: string | null;
  leafHash: Uint8Array;
  chainHash: Uint8Array;
  /**
   * Format 2 in a pack (docs/packs.md, "Erased values"): the salt (hex) of each committed field
   * shown, with the clear actor and resource (the clear payload is `payload`), for a verifier to
   * open each against the commitment the leaf holds. Absent on lines that show commitments only
   * (the archive's rows files).
   */
  values?: OpenedFields;
  /** Format 2 in a pack: the committed fields removed, each with the seq of the erasure or expiry entry of the log that removed it. */
  erased?: ErasedFields;
}

export interface OpenedFields {
  actor?: { salt: string; value: string };
  payload?: { salt: string };
  resource?: { salt: string; value: string };
}

export type ErasedFields = Partial<Record<"actor" | "payload" | "resource", number>>;

const SALT_HEX = /^[0-9a-f]{64}$/;

/** The `values` of a format-2 line (its keys in RFC 8785 order). */
export function openedJson(v: OpenedFields): string {
  const parts: string[] = [];
  if (v.actor) parts.push(`"actor":{"salt":"${v.actor.salt}","value":${JSON.stringify(v.actor.value)}}`);
  if (v.payload) parts.push(`"payload":{"salt":"${v.payload.salt}"}`);
  if (v.resource) parts.push(`"resource":{"salt":"${v.resource.salt}","value":${JSON.stringify(v.resource.value)}}`);
  return `{${parts.join(",")}}`;
}

/** The `erased` of a format-2 line. */
export function erasedJson(v: ErasedFields): string {
  const parts: string[] = [];
  for (const f of ["actor", "payload", "resource"] as const) if (v[f] !== undefined) parts.push(`"${f}":${v[f]}`);
  return `{${parts.join(",")}}`;
}

/**
 * The line (without its newline). `payload` is already canonical (the ledger stores it so),
 * and is spliced in as is rather than parsed and re-serialized for every entry.
 */
export function formatEntryLine(e: PackEntry): string {
  let tags = "[";
  for (let i = 0; i < e.tags.length; i++) tags += (i ? "," : "") + JSON.stringify(e.tags[i]);
  tags += "]";
  return (
    '{"action":' + JSON.stringify(e.action) +
    ',"actor":' + JSON.stringify(e.actor) +
    ',"chain_hash":"' + toHex(e.chainHash) + '"' +
    (e.erased ? ',"erased":' + erasedJson(e.erased) : "") +
    ',"kind":' + JSON.stringify(e.kind) +
    ',"leaf_hash":"' + toHex(e.leafHash) +
    '","log":' + JSON.stringify(e.log) +
    ',"occurred_at":"' + e.occurredAt +
    '","outcome":"' + e.outcome +
    '","payload":' + (e.payload ?? "null") +
    ',"payload_hash":"' + toHex(e.payloadHash) +
    '","recorded_at":"' + e.recordedAt +
    '","resource":' + JSON.stringify(e.resource) +
    ',"seq":' + e.seq +
    ',"source":' + JSON.stringify(e.source) +
    ',"tags":' + tags +
    ',"v":' + (e.v ?? 1) +
    (e.values ? ',"values":' + openedJson(e.values) : "") + "}"
  );
}

function bad(line: number, message: string): CoreError {
  return new CoreError("ENTRY_INVALID", `events line ${line}: ${message}`);
}

function str(o: Record<string, unknown>, key: string, line: number): string {
  const v = o[key];
  if (typeof v !== "string") throw bad(line, `${key}: want a string`);
  return v;
}

function hash(o: Record<string, unknown>, key: string, line: number): Uint8Array {
  const v = fromHex(str(o, key, line));
  if (!v || v.length !== HASH_SIZE) throw bad(line, `${key}: want ${HASH_SIZE * 2} hex digits`);
  return v;
}

/** Parses one line; ENTRY_INVALID (naming `lineNumber`) for anything not of the shape above. */
export function parseEntryLine(text: string, lineNumber: number): PackEntry {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw bad(lineNumber, "not JSON");
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw bad(lineNumber, "not a JSON object");
  const r = o as Record<string, unknown>;
  if (r.v !== 1 && r.v !== 2) throw bad(lineNumber, "v: want 1 or 2");
  const seq = r.seq;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) throw bad(lineNumber, "seq: want a non-negative integer");
  const outcome = str(r, "outcome", lineNumber);
  if (!(OUTCOMES as readonly string[]).includes(outcome)) throw bad(lineNumber, "outcome: want success or failure");
  if (!Array.isArray(r.tags) || !r.tags.every((t) => typeof t === "string")) throw bad(lineNumber, "tags: want an array of strings");
  let payload: string | null = null;
  if (r.payload !== null) {
    try {
      payload = canonicalize(r.payload);
    } catch (error) {
      throw bad(lineNumber, `payload: ${(error as Error).message}`);
    }
  }
  return {
    log: str(r, "log", lineNumber),
    seq,
    kind: str(r, "kind", lineNumber),
    actor: str(r, "actor", lineNumber),
    action: str(r, "action", lineNumber),
    resource: str(r, "resource", lineNumber),
    outcome: outcome as Outcome,
    source: str(r, "source", lineNumber),
    occurredAt: str(r, "occurred_at", lineNumber),
    recordedAt: str(r, "recorded_at", lineNumber),
    tags: r.tags as string[],
    payloadHash: hash(r, "payload_hash", lineNumber),
    payload,
    leafHash: hash(r, "leaf_hash", lineNumber),
    chainHash: hash(r, "chain_hash", lineNumber),
    // v2 (docs/leaf-format.md): actor, resource and payload_hash hold the commitments.
    ...(r.v === 2 ? { v: 2 as const } : {}),
    ...(r.values !== undefined ? { values: openedOf(r.values, lineNumber) } : {}),
    ...(r.erased !== undefined ? { erased: erasedOf(r.erased, lineNumber) } : {}),
  };
}

function fieldsOf(v: unknown, name: string, line: number): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(line, `${name}: want an object`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== "actor" && k !== "payload" && k !== "resource") throw bad(line, `${name}: unknown field ${JSON.stringify(k)}`);
  return o;
}

function openedOf(v: unknown, line: number): OpenedFields {
  const o = fieldsOf(v, "values", line);
  const out: OpenedFields = {};
  for (const f of ["actor", "payload", "resource"] as const) {
    if (o[f] === undefined) continue;
    const x = o[f] as Record<string, unknown>;
    if (typeof x !== "object" || x === null || typeof x.salt !== "string" || !SALT_HEX.test(x.salt)) throw bad(line, `values.${f}.salt: want 64 lowercase hex digits`);
    if (f === "payload") out.payload = { salt: x.salt };
    else if (typeof x.value !== "string") throw bad(line, `values.${f}.value: want a string`);
    else out[f] = { salt: x.salt, value: x.value };
  }
  return out;
}

function erasedOf(v: unknown, line: number): ErasedFields {
  const o = fieldsOf(v, "erased", line);
  const out: ErasedFields = {};
  for (const f of ["actor", "payload", "resource"] as const) {
    const n = o[f];
    if (n === undefined) continue;
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw bad(line, `erased.${f}: want the seq of a record`);
    out[f] = n;
  }
  return out;
}
