/**
 * The records the ledger store reads and writes, as the rest of the system sees them: the
 * rows are the drizzle tables' own types (schema/*.ts, `$inferSelect`), so there is one
 * source of truth for their shape.
 */
import type { EventInput, LeafVersion, PreparedEvent } from "../core/entry/index.js";
import type { SweepRecord } from "../core/sweep/index.js";
import type { Scope } from "../core/token/index.js";
import type { apiKeys } from "../../schema/api-keys.js";
import type { checkpointCosignatures, entries, logs } from "../../schema/ledger.js";

/** A logs row (schema/ledger.ts). */
export type Log = Omit<typeof logs.$inferSelect, "leafVersion"> & { leafVersion: LeafVersion };

export interface CreateLogOptions {
  tenant?: string;
  origin: string;
  /** A log of the ledger's own (its name may take the reserved prefix). */
  system?: boolean;
  /** The leaf encoding of its entries (docs/leaf-format.md); absent: 1, the store's default for callers that predate v2. */
  leafVersion?: LeafVersion;
}

/** An api_keys row (schema/api-keys.ts) as the store reads it: never the secret's hash. */
export type ApiKey = Omit<typeof apiKeys.$inferSelect, "secretHash" | "scopes"> & { scopes: Scope[] };

/** A sweep record read back from an audit log, with the seq of its entry there. */
export type StoredSweep = SweepRecord & { recordSeq: number };

export interface EventFilter {
  /** Log ids (resolved from names by the caller); undefined: every visible log. */
  logIds?: number[];
  kinds?: string[];
  actor?: string;
  action?: string;
  resource?: string;
  outcome?: string;
  source?: string;
  /** Entries carrying every one of these tags. */
  tags?: string[];
  occurredFrom?: Date;
  occurredTo?: Date;
  recordedFrom?: Date;
  recordedTo?: Date;
  /** Full-text query (web search syntax: words, "phrases", -not, or) over the payload's string values. */
  text?: string;
  /** Case-insensitive substring of the payload, actor or resource (identifiers, hashes, paths). */
  contains?: string;
}

/** A v2 entry's clear value and its salt (hex), as entry_secrets holds them; field: 0 actor, 1 resource, 2 payload. */
export interface StoredValue {
  field: number;
  salt: string;
  value: string;
}

/** A value removed from a v2 entry, with the record that authorized it: its seq, kind (null once archived) and payload. */
export interface StoredRemoval {
  field: number;
  recordSeq: number;
  recordKind: string | null;
  recordPayload: string | null;
}

/**
 * An entries row (schema/ledger.ts) with its log's name and origin (the origin is in every leaf:
 * reads re-hash it), and for a v2 log (docs/leaf-format.md) the values and removals of the entry:
 * its row holds only the commitments.
 */
export type StoredEntry = typeof entries.$inferSelect & {
  log: string;
  origin: string;
  leafVersion: LeafVersion;
  values: StoredValue[] | null;
  removals: StoredRemoval[] | null;
};

/** An entry as the API serves it: of the main tables, or of the archive, whose rows files do not keep the idempotency key (archived-entry.ts). */
export type ServedEntry = Omit<StoredEntry, "idempotencyKey"> & { idempotencyKey: string | null };

export interface StoredCheckpoint {
  size: number;
  root: Uint8Array;
  note: string;
  keyId: string;
  createdAt: Date;
}

export interface AppendReceipt {
  seq: number;
  leafHash: Uint8Array;
  idempotencyKey: string;
  /** True when the key was seen before: nothing was appended for this event. */
  duplicate: boolean;
}

export interface AppenderOptions {
  maxPayloadBytes?: number;
  /** Ledger clock; tests may pin it. */
  now?: () => Date;
}

/** Appends batches of events to logs: the only way entries are written. */
export interface EntryAppender {
  /** The log named `name` (cached: a log's row never changes). */
  log(name: string): Promise<Log>;
  /** Appends `events` to `logName` atomically; see the PostgreSQL appender for the guarantees. */
  append(logName: string, events: readonly EventInput[]): Promise<AppendReceipt[]>;
  /** append() for events a producer normalised with prepareEvent. */
  appendPrepared(logName: string, events: readonly PreparedEvent[]): Promise<AppendReceipt[]>;
}

/** A witness's cosignature of a checkpoint: its note signature line (schema: checkpoint_cosignatures). */
export type StoredCosignature = Pick<typeof checkpointCosignatures.$inferSelect, "size" | "witness" | "keyId" | "line">;

/** An RFC 3161 time-stamp token of a checkpoint (schema: checkpoint_timestamps). */
export interface StoredTimeStamp {
  size: number;
  tsa: string;
  /** DER TimeStampResp, as the TSA returned it. */
  token: Uint8Array;
}

/** A log's retention policy as stored (schema: retention_policies), with who set it and when. */
export interface StoredRetentionPolicy {
  hotDays: number;
  clearDays: number;
  setBy: string;
  at: Date;
}

/** A range of a log moved to the archive (schema: archived_ranges): seqs [fromSeq, toSeq). */
export interface ArchivedRange {
  fromSeq: number;
  toSeq: number;
  /** The root of the tree of size toSeq: the signed checkpoint's. */
  root: Uint8Array;
  /** The chain hash of seq toSeq - 1. */
  chainHash: Uint8Array;
  location: string;
  run: string;
  createdAt: Date;
  /**
   * Its entries' words are in entry_search (kept across archiving since migration 0011): searches
   * find them. False for ranges archived before, or whose rows the index no longer holds.
   */
  searchable: boolean;
}

/** An archived range with its log's id and name. */
export type LogArchivedRange = ArchivedRange & { logId: number; log: string };

/** What the search index decides for archived entries: each given one must match (docs/api.md). */
export interface ArchivedLookup {
  text?: string | undefined;
  actor?: string | undefined;
  resource?: string | undefined;
}
