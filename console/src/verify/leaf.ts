/**
 * The leaf an entry commits to, rebuilt from the fields the page shows: RFC 8785 canonical JSON
 * of its metadata with payload_hash in hex and v = 1, hashed as SHA-256(0x00 || data)
 * (RFC 9162 §2.1.1). The payload hash is SHA-256 of the payload's RFC 8785 canonical JSON.
 */
import { concat, fromBase64, sha256, toHex, utf8 } from "./bytes.js";

export interface EntryFields {
  origin: string;
  seq: number;
  kind: string;
  actor: string;
  action: string;
  resource: string;
  outcome: string;
  source: string;
  occurredAt: string;
  recordedAt: string;
  tags: readonly string[];
  payloadHash: string;
}

/** RFC 8785: object keys sorted by UTF-16 code units, ES number and string serialization. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("a payload number is not finite");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  throw new Error(`a payload value of type ${typeof value} has no JSON form`);
}

export function leafData(e: EntryFields): string {
  return canonicalJson({
    action: e.action, actor: e.actor, kind: e.kind, log: e.origin,
    occurred_at: e.occurredAt, outcome: e.outcome, payload_hash: toHex(fromBase64(e.payloadHash)),
    recorded_at: e.recordedAt, resource: e.resource, seq: e.seq, source: e.source,
    tags: [...e.tags], v: 1,
  });
}

export async function leafHashOf(e: EntryFields): Promise<Uint8Array> {
  return sha256(concat(new Uint8Array([0]), utf8(leafData(e))));
}

export async function payloadHashOf(payload: unknown): Promise<Uint8Array> {
  return sha256(utf8(canonicalJson(payload)));
}
