/**
 * Entry hashing (DESIGN.md "The ledger").
 *
 * The leaf of an entry is the RFC 8785 canonical JSON of its metadata and of `payload_hash`
 * (SHA-256 of the canonical payload), never of the payload itself, so a payload can later be
 * redacted while every proof still verifies. The chain hash links each entry to the one
 * before it: chain(seq) = SHA-256(chain(seq - 1) || leaf_hash(seq)), with chain(-1) =
 * GENESIS_CHAIN_HASH, 32 zero bytes.
 */
import { CoreError } from "../errors.js";
import { HASH_SIZE, sha256, toHex } from "../encoding/index.js";
import { sha256Of64 } from "../merkle/index.js";

/** Version of the leaf encoding; a new encoding gets a new number, old entries keep theirs. */
export const LEAF_VERSION = 1;

/**
 * The format a log gets when its creator names none (`log create`, `up`, the demo): 2, whose
 * personal fields can be erased (GDPR Art. 17) without breaking a proof. An entry or a log that
 * states no format is still read as LEAF_VERSION (1): old logs keep verifying unchanged.
 */
export const NEW_LOG_LEAF_VERSION = 2;

/**
 * Leaf encodings (docs/leaf-format.md). v1 commits to actor and resource in clear and to the
 * unsalted SHA-256 of the payload. v2 commits to each personal field through a salted
 * commitment (commitment.ts), so a value whose salt is deleted can neither be recovered nor
 * confirmed by guessing (GDPR Art. 17 erasure by crypto-shredding).
 */
export const LEAF_VERSIONS = [1, 2] as const;
export type LeafVersion = (typeof LEAF_VERSIONS)[number];

/** chain(-1): the chain hash "before" seq 0 of every log. */
export const GENESIS_CHAIN_HASH: Uint8Array = new Uint8Array(HASH_SIZE);

export const OUTCOMES = ["success", "failure"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What a leaf commits to. Timestamps are RFC 3339 UTC with exactly three fraction digits. */
export interface EntryMetadata {
  /** The log's origin (its checkpoint origin line), so a leaf cannot be moved to another log. */
  log: string;
  seq: number;
  kind: string;
  actor: string;
  action: string;
  resource: string;
  outcome: Outcome;
  source: string;
  occurredAt: string;
  recordedAt: string;
  /** Sorted, without duplicates (see normalizeTags). */
  tags: readonly string[];
  payloadHash: Uint8Array;
  /**
   * The leaf encoding; absent: 1. In v2, `actor` and `resource` hold the lowercase hex of
   * their commitments and `payloadHash` the payload's commitment (commitment.ts).
   */
  v?: LeafVersion;
}

/** The keys of the fields a leaf encoding names differently: v2 names the commitments. */
export const LEAF_KEYS = {
  1: { actor: "actor", payload: "payload_hash", resource: "resource" },
  2: { actor: "actor_commitment", payload: "payload_commitment", resource: "resource_commitment" },
} as const;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The leaf data: canonical JSON of the metadata. Built by hand with a fixed key order (the
 * RFC 8785 §3.2.3 order of these keys) because it runs for every entry appended and verified;
 * a test checks it equals canonicalize() of the same object. JSON.stringify of a string is
 * the RFC 8785 §3.2.2.2 serialization for well-formed strings (lone surrogates are rejected
 * when an entry is accepted).
 */
export function leafData(m: EntryMetadata): string {
  let tags = "[";
  for (let i = 0; i < m.tags.length; i++) tags += (i ? "," : "") + JSON.stringify(m.tags[i]);
  tags += "]";
  // The v2 keys sort where the v1 keys do (RFC 8785 §3.2.3), so one key order serves both.
  const v = m.v ?? LEAF_VERSION;
  const keys = LEAF_KEYS[v];
  return (
    '{"action":' + JSON.stringify(m.action) +
    ',"' + keys.actor + '":' + JSON.stringify(m.actor) +
    ',"kind":' + JSON.stringify(m.kind) +
    ',"log":' + JSON.stringify(m.log) +
    ',"occurred_at":"' + m.occurredAt +
    '","outcome":"' + m.outcome +
    '","' + keys.payload + '":"' + toHex(m.payloadHash) +
    '","recorded_at":"' + m.recordedAt +
    '","' + keys.resource + '":' + JSON.stringify(m.resource) +
    ',"seq":' + m.seq +
    ',"source":' + JSON.stringify(m.source) +
    ',"tags":' + tags +
    ',"v":' + v + "}"
  );
}

/** The object whose canonical JSON is leafData(m); for outsiders and for tests. */
export function leafObject(m: EntryMetadata): Record<string, unknown> {
  const v = m.v ?? LEAF_VERSION;
  const keys = LEAF_KEYS[v];
  return {
    action: m.action, [keys.actor]: m.actor, kind: m.kind, log: m.log,
    occurred_at: m.occurredAt, outcome: m.outcome, [keys.payload]: toHex(m.payloadHash),
    recorded_at: m.recordedAt, [keys.resource]: m.resource, seq: m.seq, source: m.source,
    tags: [...m.tags], v,
  };
}

/** Precondition checks for metadata that did not come from leafData's own callers. */
export function checkEntryMetadata(m: EntryMetadata): void {
  if (!Number.isSafeInteger(m.seq) || m.seq < 0) throw new CoreError("ENTRY_INVALID", `seq: got ${m.seq}, want a non-negative safe integer`);
  if (!TIMESTAMP.test(m.occurredAt)) throw new CoreError("ENTRY_INVALID", `occurred_at: got ${JSON.stringify(m.occurredAt)}, want YYYY-MM-DDTHH:MM:SS.sssZ`);
  if (!TIMESTAMP.test(m.recordedAt)) throw new CoreError("ENTRY_INVALID", `recorded_at: got ${JSON.stringify(m.recordedAt)}, want YYYY-MM-DDTHH:MM:SS.sssZ`);
  if (!(OUTCOMES as readonly string[]).includes(m.outcome)) throw new CoreError("ENTRY_INVALID", `outcome: got ${JSON.stringify(m.outcome)}, want success or failure`);
  if (m.payloadHash.length !== HASH_SIZE) throw new CoreError("ENTRY_INVALID", `payload_hash: got ${m.payloadHash.length} bytes, want ${HASH_SIZE}`);
  if (m.v !== undefined && !(LEAF_VERSIONS as readonly number[]).includes(m.v)) throw new CoreError("ENTRY_INVALID", `v: got ${m.v}, want one of ${LEAF_VERSIONS.join(", ")}`);
  if (m.v === 2 && (!HEX_DIGEST.test(m.actor) || !HEX_DIGEST.test(m.resource))) throw new CoreError("ENTRY_INVALID", "v2: actor and resource must be the hex of their commitments");
}

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/** SHA-256 of the canonical payload text (UTF-8). */
export function payloadHash(canonicalPayload: string): Uint8Array {
  return sha256(canonicalPayload);
}

/**
 * chain(seq) = SHA-256(chain(seq - 1) || leaf_hash(seq)). A 64-byte message: hashed in JS
 * (sha256Of64), cheaper than a call into node:crypto for every entry appended and verified.
 */
export function chainHash(previous: Uint8Array, leaf: Uint8Array): Uint8Array {
  if (previous.length !== HASH_SIZE || leaf.length !== HASH_SIZE) {
    throw new CoreError("INVALID_ARGUMENT", `chain hash inputs: got ${previous.length} and ${leaf.length} bytes, want ${HASH_SIZE} each`);
  }
  const chain = new Uint8Array(HASH_SIZE);
  sha256Of64(previous, 0, leaf, 0, chain, 0);
  return chain;
}

/** Tags as a leaf commits to them: sorted by code unit, duplicates removed. */
export function normalizeTags(tags: readonly string[]): string[] {
  // The default sort compares strings by UTF-16 code units.
  const sorted = [...tags].sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  sorted.length = n;
  return sorted;
}

/**
 * A timestamp as a leaf commits to it: UTC, millisecond precision (what Postgres timestamptz(3)
 * and a JS Date both hold exactly, so the verifier can read it back bit for bit).
 */
export function canonicalTimestamp(date: Date): string {
  const t = date.getTime();
  if (!Number.isFinite(t)) throw new CoreError("ENTRY_INVALID", "timestamp: got an invalid date");
  const iso = date.toISOString();
  // toISOString gives YYYY-MM-DDTHH:MM:SS.sssZ for years 0 to 9999, a 6-digit signed year otherwise.
  if (iso.length !== 24 || iso.startsWith("0000")) throw new CoreError("ENTRY_INVALID", `timestamp: got ${iso}, want a year between 0001 and 9999`);
  return iso;
}
