/**
 * The PostgreSQL ledger store: each method is one named statement of this folder, run on the
 * pool (or transaction) the store wraps. It adds no logic of its own: what a method guarantees
 * is what its statement's file says, and the conformance suite checks.
 */
import type { NodeId } from "../../core/merkle/index.js";
import type { PackEntry } from "../../core/pack/index.js";
import type { EntryPosition, Scope } from "../../core/token/index.js";
import type { CommittedField } from "../../core/entry/index.js";
import type { HoldScope } from "../../core/erasure/index.js";
import type { ApiKey, ErasedOutputRow, AppenderOptions, CreateLogOptions, FindOptions, RecordEntry, SeqRange, ValueRemoval, StoredCosignature, StoredTimeStamp, EntryAppender, EventFilter, LedgerStore, Log, NodeRow, NodeSpan, PaneStreamRow, RawRowHandler, StoredCheckpoint, TmuxSessionRow, DayKindCount, StoredEntry, StoredSweep, TenantView } from "../store.js";
import type { RetentionPolicy } from "../../core/retention/index.js";
import type { ArchivedLookup, ArchivedRange, LogArchivedRange, StoredRetentionPolicy } from "../records.js";
import * as keys from "./api-keys.js";
import { Appender, lockLog } from "./appender.js";
import { currentSchema, listenAppends } from "./appends-channel.js";
import * as checkpoints from "./checkpoints.js";
import { type KindRange, newestOfKind } from "./kind-records.js";
import * as cosignatures from "./cosignatures.js";
import { levelHashes } from "./level-hashes.js";
import * as visibility from "./log-visibility.js";
import * as attested from "./attestation-files.js";
import * as stamps from "./time-stamps.js";
import { connect, type DbOptions, type Sql } from "./db.js";
import * as entries from "./entries.js";
import * as secrets from "./entry-secrets.js";
import * as erasureReads from "./erasure-reads.js";
import * as events from "./event-query.js";
import * as logs from "./logs.js";
import * as nodes from "./nodes.js";
import * as panes from "./pane-output.js";
import * as period from "./period-entries.js";
import * as retention from "./retention.js";
import * as sweeps from "./sweep-records.js";
import * as tmuxSessions from "./tmux-sessions.js";
import * as eventCounts from "./event-counts.js";
import { logSearchLag, runSearchIndexer, type SearchIndexerOptions } from "./search-indexer.js";
import { PostgresTenantView } from "./tenant-view.js";
import { withRemovalLock } from "./removal-lock.js";

/** Checks of a connection's settings, for the wiring that opens a store. */
export { checkSchemaName, splitSocketDir } from "./db.js";
export { checkRolePrefix, ledgerRoles } from "./roles.js";

export class PostgresLedgerStore implements LedgerStore {
  /** `sql`: a pool (or a transaction) whose search_path is the ledger's schema; `schema` names it when known. */
  constructor(
    readonly sql: Sql,
    private readonly schema?: string,
  ) {}

  /** A store on a pool of its own (db.ts connect); close() ends the pool. */
  static open(options: DbOptions): PostgresLedgerStore {
    return new PostgresLedgerStore(connect(options), options.schema);
  }

  /**
   * Keeps entry_search filled behind the appends until `options.signal` aborts: PostgreSQL's
   * own full-text index, so it is this store's upkeep rather than part of LedgerStore.
   */
  runSearchIndexer(options: SearchIndexerOptions): Promise<void> {
    return runSearchIndexer(this.sql, options);
  }

  /** Ends the pool, waiting up to `timeoutSeconds` for queries under way. */
  close(timeoutSeconds?: number): Promise<void> {
    return this.sql.end(timeoutSeconds === undefined ? undefined : { timeout: timeoutSeconds });
  }

  saveAttestationFile(tenant: string, sha256: Uint8Array, bytes: Uint8Array): Promise<void> {
    return attested.saveAttestationFile(this.sql, tenant, sha256, bytes);
  }
  attestationFile(tenant: string, sha256: Uint8Array): Promise<Uint8Array | undefined> {
    return attested.attestationFile(this.sql, tenant, sha256);
  }

  createLog(name: string, options: CreateLogOptions): Promise<Log> {
    return logs.createLog(this.sql, name, options);
  }
  findLog(name: string): Promise<Log> {
    return logs.findLog(this.sql, name);
  }
  findLogWithSize(name: string): Promise<Log & { size: number }> {
    return logs.findLogWithSize(this.sql, name);
  }
  listLogs(): Promise<Log[]> {
    return logs.listLogs(this.sql);
  }
  logExists(name: string): Promise<boolean> {
    return entries.logExists(this.sql, name);
  }
  isPublicLog(logId: number): Promise<boolean> {
    return visibility.isPublicLog(this.sql, logId);
  }
  setLogVisibility(logId: number, isPublic: boolean): Promise<void> {
    return visibility.setLogVisibility(this.sql, logId, isPublic);
  }
  tileLogState(name: string): Promise<{ id: number; tenant: string; origin: string; public: boolean; size: number | null } | undefined> {
    return visibility.tileLogState(this.sql, name);
  }
  treeSize(logId: number): Promise<number> {
    return logs.treeSize(this.sql, logId);
  }

  health(): Promise<"ok" | "tables missing" | "unavailable"> {
    return entries.health(this.sql);
  }

  appender(options?: AppenderOptions): EntryAppender {
    return new Appender(this.sql, options);
  }

  fetchNodes(log: number | string, ids: readonly NodeId[]): Promise<Map<number, Uint8Array>> {
    return nodes.fetchNodes(this.sql, log, ids);
  }
  levelNodes(logId: number, level: number, count: number): Promise<NodeRow[]> {
    return nodes.levelNodes(this.sql, logId, level, count);
  }
  nodesAbove(logId: number, level: number): Promise<NodeRow[]> {
    return nodes.nodesAbove(this.sql, logId, level);
  }
  levelHashes(logId: number, level: number, from: number, to: number): Promise<Buffer[]> {
    return levelHashes(this.sql, logId, level, from, to);
  }
  scanNodes(logId: number, spans: readonly NodeSpan[], onRow: RawRowHandler): Promise<number> {
    return nodes.scanNodes(this.sql, logId, spans, onRow);
  }
  withLogLock<T>(logId: number, fn: (locked: LedgerStore) => Promise<T>): Promise<T> {
    return this.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      await lockLog(tx, logId);
      return fn(new PostgresLedgerStore(tx, this.schema));
    }) as Promise<T>;
  }

  insertCheckpoint(logId: number, checkpoint: { size: number; root: Uint8Array; note: string; keyId: string }): Promise<StoredCheckpoint> {
    return checkpoints.insertCheckpoint(this.sql, logId, checkpoint);
  }
  listCheckpoints(logId: number): Promise<StoredCheckpoint[]> {
    return checkpoints.listCheckpoints(this.sql, logId);
  }
  latestCheckpoint(logId: number): Promise<StoredCheckpoint | undefined> {
    return checkpoints.latestCheckpoint(this.sql, logId);
  }
  checkpointAt(logId: number, size: number): Promise<StoredCheckpoint | undefined> {
    return checkpoints.checkpointAt(this.sql, logId, size);
  }
  checkpointsAbove(logId: number, size: number): Promise<StoredCheckpoint[]> {
    return checkpoints.checkpointsAbove(this.sql, logId, size);
  }
  checkpointAtMost(logId: number, size: number): Promise<StoredCheckpoint | undefined> {
    return checkpoints.checkpointAtMost(this.sql, logId, size);
  }
  checkpointCovering(logId: number, size: number, prefer: number): Promise<StoredCheckpoint | undefined> {
    return checkpoints.checkpointCovering(this.sql, logId, size, prefer);
  }
  checkpointsBelow(logId: number, limit: number, below?: number): Promise<StoredCheckpoint[]> {
    return checkpoints.checkpointsBelow(this.sql, logId, limit, below);
  }

  saveCosignature(logId: number, size: number, witness: string, keyId: string, line: string): Promise<void> {
    return cosignatures.saveCosignature(this.sql, logId, size, witness, keyId, line);
  }
  cosignaturesAt(logId: number, size: number): Promise<StoredCosignature[]> {
    return cosignatures.cosignaturesAt(this.sql, logId, size);
  }
  lastCosignedSize(logId: number, witness: string, keyId: string): Promise<number | undefined> {
    return cosignatures.lastCosignedSize(this.sql, logId, witness, keyId);
  }
  saveTimeStamp(logId: number, size: number, tsa: string, token: Uint8Array): Promise<void> {
    return stamps.saveTimeStamp(this.sql, logId, size, tsa, token);
  }
  timeStampAt(logId: number, size: number): Promise<StoredTimeStamp | undefined> {
    return stamps.timeStampAt(this.sql, logId, size);
  }

  streamEntries(logId: number, origin: string, from: number, to: number): AsyncGenerator<PackEntry[]> {
    return period.streamEntries(this.sql, logId, origin, from, to);
  }
  shredValues(logId: number, seqs: readonly SeqRange[], fields: readonly CommittedField[], recordSeq: number): Promise<{ removed: number }> {
    return secrets.shredValues(this.sql, logId, seqs, fields, recordSeq);
  }
  removals(logId: number, from: number, to: number): Promise<ValueRemoval[]> {
    return secrets.removals(this.sql, logId, from, to);
  }
  recordEntries(logId: number, kinds: readonly string[], size: number): Promise<RecordEntry[]> {
    return secrets.recordEntries(this.sql, logId, kinds, size);
  }
  seqsOfActor(logId: number, actor: string, size: number): Promise<number[]> {
    return erasureReads.seqsOfActor(this.sql, logId, actor, size);
  }
  heldSeqs(logId: number, ranges: readonly SeqRange[], scope: HoldScope): Promise<number[]> {
    return erasureReads.heldSeqs(this.sql, logId, ranges, scope);
  }
  valueSpans(logId: number, below: number): Promise<SeqRange[]> {
    return secrets.valueSpans(this.sql, logId, below);
  }
  withRemovalLock<T>(logId: number, fn: () => Promise<T>): Promise<T> {
    return withRemovalLock(this.sql, logId, fn);
  }
  scanSecrets(logId: number, from: number, to: number, onRow: RawRowHandler): Promise<number> {
    return secrets.scanSecrets(this.sql, logId, from, to, onRow);
  }
  scanEntries(logId: number, from: number, to: number, onRow: RawRowHandler): Promise<number> {
    return entries.scanEntries(this.sql, logId, from, to, onRow);
  }
  chainHashAt(logId: number, seq: number): Promise<Uint8Array | undefined> {
    return period.chainHashAt(this.sql, logId, seq);
  }
  seqRecordedFrom(logId: number, size: number, at: Date): Promise<number> {
    return period.seqRecordedFrom(this.sql, logId, size, at);
  }
  entryByKey(logId: number, key: string): Promise<{ seq: number; payload: string | null; occurredAt: Date } | undefined> {
    return entries.entryByKey(this.sql, logId, key);
  }
  payloadsOfKind(logName: string, kind: string): Promise<(string | null)[]> {
    return entries.payloadsOfKind(this.sql, logName, kind);
  }
  seqsOfKind(logId: number, kind: string, fromSeq: number): Promise<number[]> {
    return entries.seqsOfKind(this.sql, logId, kind, fromSeq);
  }

  findEntries(filter: EventFilter, limit: number, after?: EntryPosition, options?: FindOptions): Promise<StoredEntry[]> {
    return events.findEntries(this.sql, filter, limit, after, options);
  }
  findEntryRun(logId: number, from: number, to: number, filter: EventFilter): Promise<StoredEntry[]> {
    return events.findEntryRun(this.sql, logId, from, to, filter);
  }
  findEntry(logId: number, seq: number): Promise<StoredEntry | undefined> {
    return events.findEntry(this.sql, logId, seq);
  }
  resolveLogIds(names: string[]): Promise<{ ids: number[]; missing: string[] }> {
    return events.resolveLogIds(this.sql, names);
  }
  logSizes(): Promise<Map<number, number>> {
    return events.logSizes(this.sql);
  }
  searchLagOf(logId: number): Promise<{ size: number; indexed: number; oldestPendingAt: Date | null }> {
    return logSearchLag(this.sql, logId);
  }

  lastSweepRecord(auditLog: string, logName: string): Promise<StoredSweep | undefined> {
    return sweeps.lastSweepRecord(this.sql, auditLog, logName);
  }
  sweepRecords(auditLog: string, logName: string, limit: number, before?: number): Promise<StoredSweep[]> {
    return sweeps.sweepRecords(this.sql, auditLog, logName, limit, before);
  }
  newestOfKind(logName: string, kind: string, limit: number, range?: KindRange): Promise<StoredEntry[]> {
    return newestOfKind(this.sql, logName, kind, limit, range);
  }

  paneStreams(log: string, session: string, pane?: string): Promise<PaneStreamRow[]> {
    return panes.paneStreams(this.sql, log, session, pane);
  }
  paneChunks(log: string, server: string, pane: string): AsyncGenerator<{ seq: number; payload: string }[]> {
    return panes.paneChunks(this.sql, log, server, pane);
  }
  eventsPerDay(logId: number, since: Date): Promise<DayKindCount[]> {
    return eventCounts.eventsPerDay(this.sql, logId, since);
  }
  tmuxSessions(logIds: number[] | undefined, limit: number): Promise<TmuxSessionRow[]> {
    return tmuxSessions.tmuxSessions(this.sql, logIds, limit);
  }
  paneRecording(logId: number, server: string, pane: string, limit: number): Promise<{ chunks: StoredEntry[]; commands: StoredEntry[] }> {
    return tmuxSessions.paneRecording(this.sql, logId, server, pane, limit);
  }
  erasedOutput(log: string, from: number, to: number): Promise<ErasedOutputRow[]> {
    return panes.erasedOutput(this.sql, log, from, to);
  }

  createApiKey(options: { tenant: string; name?: string; scopes: Scope[] }): Promise<{ key: ApiKey; token: string }> {
    return keys.createApiKey(this.sql, options);
  }
  findApiKeyByToken(token: string): Promise<ApiKey | undefined> {
    return keys.findApiKeyByToken(this.sql, token);
  }
  listApiKeys(tenant?: string): Promise<ApiKey[]> {
    return keys.listApiKeys(this.sql, tenant);
  }
  revokeApiKey(id: string): Promise<ApiKey> {
    return keys.revokeApiKey(this.sql, id);
  }
  liveApiKeyIds(ids: readonly string[]): Promise<Set<string>> {
    return keys.liveApiKeyIds(this.sql, ids);
  }

  listenAppends(onAppend: (notice: { logId: number; from: number; to: number }) => void, onConnect: () => void): Promise<{ unlisten(): Promise<void> }> {
    const schema = this.schema;
    return listenAppends(this.sql, () => (schema === undefined ? currentSchema(this.sql) : Promise.resolve(schema)), onAppend, onConnect);
  }
  tenantOf(logId: number): Promise<string | undefined> {
    return entries.tenantOf(this.sql, logId);
  }
  tenantView(tenant: string, timeoutMs: number): TenantView {
    return new PostgresTenantView(this.sql, tenant, timeoutMs, (tx) => new PostgresLedgerStore(tx, this.schema));
  }

  retentionPolicyOf(logId: number): Promise<StoredRetentionPolicy | undefined> {
    return retention.retentionPolicyOf(this.sql, logId);
  }
  setRetentionPolicy(logId: number, policy: RetentionPolicy, setBy: string): Promise<StoredRetentionPolicy> {
    return retention.setRetentionPolicy(this.sql, logId, policy, setBy);
  }
  archivedRanges(logId: number): Promise<ArchivedRange[]> {
    return retention.archivedRanges(this.sql, logId);
  }
  archivedTo(log: number | string): Promise<number> {
    return retention.archivedTo(this.sql, log);
  }
  archivedRangesOf(logIds: readonly number[] | undefined): Promise<LogArchivedRange[]> {
    return retention.archivedRangesOf(this.sql, logIds);
  }
  archivedMatches(logId: number, from: number, to: number, lookup: ArchivedLookup, limit: number): Promise<number[]> {
    return retention.archivedMatches(this.sql, logId, from, to, lookup, limit);
  }
  archiveRange(logId: number, range: Omit<ArchivedRange, "createdAt" | "searchable">): Promise<number> {
    return retention.archiveRange(this.sql, logId, range);
  }
}
