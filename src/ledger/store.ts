/**
 * The ledger store: everything the rest of the system needs from storage, and the only way it
 * reaches it. The appender, checkpointer, proofs, verifier, sweeps, packs, replay and the API
 * are written against this interface; one implementation (postgres/postgres-store.ts) holds
 * all of the SQL, as named statements in src/ledger/postgres/. Any other store must pass the
 * conformance suite (test/ledger/store-conformance/), which states the guarantees relied on:
 * gapless seqs under concurrent appends, idempotency keys, append-only rows.
 */
import type { PackEntry } from "../core/pack/index.js";
import type { EntryPosition } from "../core/token/index.js";
import type { Scope } from "../core/token/index.js";
import type { NodeId } from "../core/merkle/index.js";
import type { CommittedField } from "../core/entry/index.js";
import type { HoldScope } from "../core/erasure/index.js";
import type { RetentionPolicy } from "../core/retention/index.js";
import type { ApiKey, AppenderOptions, ArchivedLookup, ArchivedRange, LogArchivedRange, CreateLogOptions, EntryAppender, EventFilter, Log, StoredCheckpoint, StoredCosignature, StoredEntry, ServedEntry, StoredRetentionPolicy, StoredSweep, StoredTimeStamp } from "./records.js";

export type { ApiKey, AppendReceipt, AppenderOptions, ArchivedLookup, ArchivedRange, LogArchivedRange, CreateLogOptions, EntryAppender, EventFilter, Log, StoredCheckpoint, StoredCosignature, StoredEntry, ServedEntry, StoredRetentionPolicy, StoredSweep, StoredTimeStamp } from "./records.js";

/**
 * One row of a raw range scan: the row's bytes and, per column, the offset of its value in
 * `row` (at fields[2i]) and its length (fields[2i + 1], -1 for NULL). Valid only during the
 * callback. The verifier reads millions of entries this way without an object per row.
 */
export type RawRowHandler = (row: Buffer, fields: Int32Array, count: number) => void;

/** Nodes of one level of the tree: indexes [first, first + width). */
export interface NodeSpan {
  level: number;
  first: number;
  width: number;
}

/** A stored Merkle node (level 0: a leaf hash). */
export interface NodeRow {
  level: number;
  idx: number;
  hash: Buffer;
}

export interface LogStore {
  /** Creates a log; LOG_EXISTS when its name or origin is taken. */
  createLog(name: string, options: CreateLogOptions): Promise<Log>;
  /** LOG_NOT_FOUND when there is none. */
  findLog(name: string): Promise<Log>;
  /** The log and its tree size read together. */
  findLogWithSize(name: string): Promise<Log & { size: number }>;
  listLogs(): Promise<Log[]>;
  /** Whether the log's tiles are public: its newest visibility row says so. */
  isPublicLog(logId: number): Promise<boolean>;
  /** Appends a visibility row: public or not from now on. */
  setLogVisibility(logId: number, isPublic: boolean): Promise<void>;
  /** What a tiles request needs of log `name`, read together: it, whether it is public, its newest checkpoint's size. */
  tileLogState(name: string): Promise<{ id: number; tenant: string; origin: string; public: boolean; size: number | null } | undefined>;
  /** Whether a log of this name exists (and is visible). */
  logExists(name: string): Promise<boolean>;
  /** The number of entries of log `logId`. */
  treeSize(logId: number): Promise<number>;
  /** Whether the ledger answers: "tables missing" before its migrations ran. Never rejects. */
  health(): Promise<"ok" | "tables missing" | "unavailable">;
}

export interface AppendStore {
  /** An appender of batches; it keeps each log's frontier between its own batches. */
  appender(options?: AppenderOptions): EntryAppender;
}

export interface TreeStore {
  /** The hashes of `ids` of a log (its id or its name), keyed by tree.ts nodeKey; INCONSISTENT when one is missing. */
  fetchNodes(log: number | string, ids: readonly NodeId[]): Promise<Map<number, Uint8Array>>;
  /** The stored nodes of `level` with index below `count`, in index order. */
  levelNodes(logId: number, level: number, count: number): Promise<NodeRow[]>;
  /** Every stored node above `level`. */
  nodesAbove(logId: number, level: number): Promise<NodeRow[]>;
  /** Hashes of tree level `level` at indexes [from, to) in index order (level 0: the leaves); fewer when some are missing. */
  levelHashes(logId: number, level: number, from: number, to: number): Promise<Buffer[]>;
  /** Stored nodes of the spans, as raw rows (level int2, idx int8, hash bytea). */
  scanNodes(logId: number, spans: readonly NodeSpan[], onRow: RawRowHandler): Promise<number>;
  /**
   * Runs `fn` in one transaction holding log `logId`'s append lock: no batch is appended to
   * the log meanwhile, so what `fn` reads through `locked` is one committed state.
   */
  withLogLock<T>(logId: number, fn: (locked: LedgerStore) => Promise<T>): Promise<T>;
}

export interface CheckpointStore {
  /** Stores a signed checkpoint. */
  insertCheckpoint(logId: number, checkpoint: { size: number; root: Uint8Array; note: string; keyId: string }): Promise<StoredCheckpoint>;
  /** Every checkpoint of the log, smallest first. */
  listCheckpoints(logId: number): Promise<StoredCheckpoint[]>;
  latestCheckpoint(logId: number): Promise<StoredCheckpoint | undefined>;
  checkpointAt(logId: number, size: number): Promise<StoredCheckpoint | undefined>;
  /** The checkpoints larger than `size`, smallest first. */
  checkpointsAbove(logId: number, size: number): Promise<StoredCheckpoint[]>;
  /** The largest checkpoint of at most `size`. */
  checkpointAtMost(logId: number, size: number): Promise<StoredCheckpoint | undefined>;
  /** The smallest non-empty checkpoint of at least `size`, preferring one of at least `prefer`. */
  checkpointCovering(logId: number, size: number, prefer: number): Promise<StoredCheckpoint | undefined>;
  /** Up to `limit` checkpoints, largest first, each smaller than `below` when given (a page of the signed history). */
  checkpointsBelow(logId: number, limit: number, below?: number): Promise<StoredCheckpoint[]>;
  /** Stores a witness's cosignature line of the checkpoint at `size` (a repeat keeps the first). */
  saveCosignature(logId: number, size: number, witness: string, keyId: string, line: string): Promise<void>;
  /** The cosignature lines of the checkpoint at `size`, in the order they were stored. */
  cosignaturesAt(logId: number, size: number): Promise<StoredCosignature[]>;
  /** The largest size `witness` (name and key ID) has cosigned for the log. */
  lastCosignedSize(logId: number, witness: string, keyId: string): Promise<number | undefined>;
  /** Stores an RFC 3161 token of the checkpoint at `size` (a repeat keeps the first). */
  saveTimeStamp(logId: number, size: number, tsa: string, token: Uint8Array): Promise<void>;
  timeStampAt(logId: number, size: number): Promise<StoredTimeStamp | undefined>;
}

/** How many entries of one kind a log recorded on one UTC day. */
export interface DayKindCount {
  day: Date;
  kind: string;
  count: number;
}

export interface EntryStore {
  /** Entries recorded per UTC day and kind since `since` (the ledger's clock), by day then kind. */
  eventsPerDay(logId: number, since: Date): Promise<DayKindCount[]>;
  /** Entries [from, to) in seq order, a window at a time, `origin` and the log's leaf format (`v`) filled in. */
  streamEntries(logId: number, origin: string, from: number, to: number): AsyncGenerator<PackEntry[]>;
  /** Entries [from, to) as raw rows, columns as postgres/entry-copy.ts numbers them. */
  scanEntries(logId: number, from: number, to: number, onRow: RawRowHandler): Promise<number>;
  /** The chain hash of `seq` (the genesis value for -1); undefined when it is missing. */
  chainHashAt(logId: number, seq: number): Promise<Uint8Array | undefined>;
  /** Smallest seq in [0, size] recorded at or after `at`. */
  seqRecordedFrom(logId: number, size: number, at: Date): Promise<number>;
  /** The entry appended with idempotency key `key`. */
  entryByKey(logId: number, key: string): Promise<{ seq: number; payload: string | null; occurredAt: Date } | undefined>;
  /** The payloads of log `logName`'s entries of `kind`, in seq order. */
  payloadsOfKind(logName: string, kind: string): Promise<(string | null)[]>;
  /** The seqs of log `logId`'s entries of `kind` at or after `fromSeq`, ascending. */
  seqsOfKind(logId: number, kind: string, fromSeq: number): Promise<number[]>;
}

/** How findEntries reads a page. */
export interface FindOptions {
  /** Unindexed entries a log may have before a text search is refused (SEARCH_TAIL_MAX). */
  searchTailMax?: number;
  /**
   * Called once, as the first statement that reads the page's entries is handed to the
   * connection: reads the caller sends then travel right behind it, in the same transaction,
   * and the database answers them while the caller works on the page (verified-reads.ts).
   */
  alongside?: () => void;
}

export interface SearchStore {
  /** A page of entries matching `filter` after `after`, ordered by (log id, seq). */
  findEntries(filter: EventFilter, limit: number, after?: EntryPosition, options?: FindOptions): Promise<StoredEntry[]>;
  /** Matches of `filter` in log `logId` with from ≤ seq < to. */
  findEntryRun(logId: number, from: number, to: number, filter: EventFilter): Promise<StoredEntry[]>;
  findEntry(logId: number, seq: number): Promise<StoredEntry | undefined>;
  /** Log names to ids; the names not found are `missing`. */
  resolveLogIds(names: string[]): Promise<{ ids: number[]; missing: string[] }>;
  /** Every visible log's size, by id. */
  logSizes(): Promise<Map<number, number>>;
  /** The log's size, how many of its entries the search index holds, and when the oldest one it lacks was recorded. */
  searchLagOf(logId: number): Promise<{ size: number; indexed: number; oldestPendingAt: Date | null }>;
}

export interface SweepStore {
  /** The newest sweep of `logName` recorded in `auditLog`. */
  lastSweepRecord(auditLog: string, logName: string): Promise<StoredSweep | undefined>;
  /** The sweeps of `logName` recorded in `auditLog`, newest first, before a record seq when given. */
  sweepRecords(auditLog: string, logName: string, limit: number, before?: number): Promise<StoredSweep[]>;
  /** Up to `limit` entries of `kind` in log `logName`, newest first, of one resource and within seq bounds when given. */
  newestOfKind(logName: string, kind: string, limit: number, range?: { resource?: string; before?: number; after?: number }): Promise<StoredEntry[]>;
}

/** A pane's output stream as recorded in a log (tmux.output entries). */
export interface PaneStreamRow {
  server: string;
  pane: string;
  session: string;
  firstUs: number;
  chunks: number;
  width: number | null;
  height: number | null;
}

/** One tmux session as recorded in a log: its lifecycle, command and output entries together. */
export interface TmuxSessionRow {
  log: string;
  server: string;
  session: string;
  sessionId: string | null;
  host: string | null;
  user: string;
  startedAt: Date;
  lastAt: Date;
  /** A `session.close` record was written: the session ended at lastAt. */
  closed: boolean;
  panes: string[];
  commands: number;
  chunks: number;
}

/** A terminal output chunk whose payload was removed, and the record that removed it. */
export interface ErasedOutputRow {
  seq: number;
  recordSeq: number;
  recordKind: string | null;
  recordPayload: string | null;
}

export interface ReplayStore {
  /** The pane streams of `session` (name or id) in log `log`, oldest first. */
  paneStreams(log: string, session: string, pane?: string): Promise<PaneStreamRow[]>;
  /** The payloads of one pane stream's chunks with their entries' seqs, in chunk order, a page at a time. */
  paneChunks(log: string, server: string, pane: string): AsyncGenerator<{ seq: number; payload: string }[]>;
  /** The tmux.output entries with seq in [from, to) whose payload was erased or expired, with their records (docs/erasure.md). */
  erasedOutput(log: string, from: number, to: number): Promise<ErasedOutputRow[]>;
  /** The tmux sessions of the visible logs (or of `logIds`), newest first. */
  tmuxSessions(logIds: number[] | undefined, limit: number): Promise<TmuxSessionRow[]>;
  /** One pane stream's entries: its output chunks by chunk seq (at most `limit`), and the pane's command records by time. */
  paneRecording(logId: number, server: string, pane: string, limit: number): Promise<{ chunks: StoredEntry[]; commands: StoredEntry[] }>;
}

export interface ApiKeyStore {
  createApiKey(options: { tenant: string; name?: string; scopes: Scope[] }): Promise<{ key: ApiKey; token: string }>;
  /** The live key of a token; undefined for an unknown, malformed or revoked one. */
  findApiKeyByToken(token: string): Promise<ApiKey | undefined>;
  listApiKeys(tenant?: string): Promise<ApiKey[]>;
  revokeApiKey(id: string): Promise<ApiKey>;
  /** Which of the key ids `ids` are of live (unrevoked) keys. */
  liveApiKeyIds(ids: readonly string[]): Promise<Set<string>>;
}

/** A tenant's read-only view of the ledger, one snapshot until closed. */
export interface TenantView {
  /** Runs `fn` against the view's snapshot (opened on first use). */
  use<T>(fn: (store: LedgerStore) => Promise<T>): Promise<T>;
  /** Ends the snapshot; a later use() opens a new one. */
  close(): Promise<void>;
}

export interface FeedStore {
  /**
   * Calls `onAppend` for each batch committed to this ledger's logs (after commit, in commit
   * order), and `onConnect` each time the listening connection is (re-)established.
   */
  listenAppends(onAppend: (notice: { logId: number; from: number; to: number }) => void, onConnect: () => void): Promise<{ unlisten(): Promise<void> }>;
  /** The tenant of log `logId`, undefined when there is none. */
  tenantOf(logId: number): Promise<string | undefined>;
  /** A read-only snapshot as `tenant` sees it (row-level security), queries limited to `timeoutMs`. */
  tenantView(tenant: string, timeoutMs: number): TenantView;
}

/** Seqs from ≤ seq < to. */
export interface SeqRange {
  from: number;
  to: number;
}

/** An entry of the ledger's own records, with its clear payload. */
export interface RecordEntry {
  seq: number;
  kind: string;
  payload: string | null;
}

/** A value removed from a v2 entry, and the seq of the erasure or expiry entry that authorized it. */
export interface ValueRemoval {
  seq: number;
  field: CommittedField;
  recordSeq: number;
}

/** Crypto-shredding of v2 logs' values (docs/erasure.md). */
export interface ShredStore {
  /**
   * Deletes the clear values and salts of `fields` of the entries in `seqs` of v2 log `logId`,
   * blanks them in the search index, and marks each removal as authorized by the entry at
   * `recordSeq` of the same log: an erasure or expiry entry, appended first, whose payload
   * names these seqs and fields (core/erasure). The verifier reports a removal no such entry
   * covers. Legal holds are the caller's to check first (ledger/legal-holds.ts). Values
   * already removed are skipped, so a repeat is harmless; all or nothing. Touches only the
   * removed values' rows. INVALID_INPUT for a v1 log, a seq not before `recordSeq`, an
   * unknown field; LOG_NOT_FOUND.
   */
  shredValues(logId: number, seqs: readonly SeqRange[], fields: readonly CommittedField[], recordSeq: number): Promise<{ removed: number }>;
  /** The removals of [from, to), in (seq, field) order. */
  removals(logId: number, from: number, to: number): Promise<ValueRemoval[]>;
  /**
   * The entries of `kinds` of log `logId` below seq `size` with their clear payloads (null once
   * removed), in seq order: the ledger's own records (erasures, expiries, legal holds).
   */
  recordEntries(logId: number, kinds: readonly string[], size: number): Promise<RecordEntry[]>;
  /** The seqs below `size` whose actor is `actor` (a data subject's entries), in seq order. */
  seqsOfActor(logId: number, actor: string, size: number): Promise<number[]>;
  /** The seqs in `ranges` that a legal hold of scope `scope` covers, in seq order. */
  heldSeqs(logId: number, ranges: readonly SeqRange[], scope: HoldScope): Promise<number[]>;
  /** The seqs below `below` that still hold a clear value (any field), as spans [from, to) in seq order: what an expiry may still remove. */
  valueSpans(logId: number, below: number): Promise<SeqRange[]>;
  /**
   * Runs `fn` holding log `logId`'s removal lock: creating or releasing a legal hold and
   * erasing or expiring values are serialized per log, so a hold either exists before an
   * erasure checks the holds, or is created after its values are gone (docs/erasure.md).
   * Not re-entrant: `fn` must not take it again.
   */
  withRemovalLock<T>(logId: number, fn: () => Promise<T>): Promise<T>;
  /** The salts and values of [from, to) as raw rows (seq int8, field int2, salt bytea, value text), in (seq, field) order. */
  scanSecrets(logId: number, from: number, to: number, onRow: RawRowHandler): Promise<number>;
}


export interface RetentionStore {
  /** The log's newest retention policy row; undefined: the defaults apply. */
  retentionPolicyOf(logId: number): Promise<StoredRetentionPolicy | undefined>;
  /** Appends a policy row (the newest counts). */
  setRetentionPolicy(logId: number, policy: RetentionPolicy, setBy: string): Promise<StoredRetentionPolicy>;
  /** The log's archived ranges, oldest first. */
  archivedRanges(logId: number): Promise<ArchivedRange[]>;
  /** The end of the log's archived prefix (its id or its name); 0 when nothing was archived. */
  archivedTo(log: number | string): Promise<number>;
  /** The archived ranges of the visible logs (of `logIds` only, when given), by log id and seq. */
  archivedRangesOf(logIds: readonly number[] | undefined): Promise<LogArchivedRange[]>;
  /**
   * Seqs in [from, to) of log `logId` whose kept search row matches `lookup`, in seq order, at
   * most `limit`: how searches find archived entries (archive/archived-search.ts).
   */
  archivedMatches(logId: number, from: number, to: number, lookup: ArchivedLookup, limit: number): Promise<number[]>;
  /**
   * Records [fromSeq, toSeq) as archived and removes its rows from the main tables, at once;
   * INCONSISTENT when the range does not follow the last one, is not a checkpoint's size and
   * root, would take the log's last entry, or its rows are not all there. Returns the rows removed.
   */
  archiveRange(logId: number, range: Omit<ArchivedRange, "createdAt" | "searchable">): Promise<number>;
}

/** Files attested as evidence of a control (`sealtrail attest`): the ledger entry commits to the hash, the store keeps the bytes. */
export interface AttestationStore {
  /** Keeps a file's bytes under its SHA-256 for the tenant; storing the same file again changes nothing. Rows are never changed or removed. */
  saveAttestationFile(tenant: string, sha256: Uint8Array, bytes: Uint8Array): Promise<void>;
  /** The bytes stored under the SHA-256 for the tenant, when there are any. */
  attestationFile(tenant: string, sha256: Uint8Array): Promise<Uint8Array | undefined>;
}

export interface LedgerStore extends LogStore, AppendStore, TreeStore, CheckpointStore, EntryStore, SearchStore, SweepStore, ReplayStore, ApiKeyStore, FeedStore, ShredStore, RetentionStore, AttestationStore {}
