/**
 * The ledger's public face: the LedgerStore seam and its records, the code written against it
 * (checkpoints, proofs, tiles, audit logs, signing keys) and the ledger's error. Everything
 * outside src/ledger imports the ledger from here. Opening the PostgreSQL store is apart
 * (postgres/postgres-store.ts, postgres/migrate.ts, postgres/service-login.ts,
 * postgres/database-error.ts): code that only
 * needs the interface does not load the driver.
 */
export type {
  ApiKey, ApiKeyStore, AppendReceipt, AppenderOptions, AppendStore, CheckpointStore, EntryAppender, EntryStore, EventFilter, FeedStore, FindOptions,
  LedgerStore, Log, LogStore, NodeRow, NodeSpan, PaneStreamRow, TmuxSessionRow, DayKindCount, RawRowHandler, ReplayStore, SearchStore, StoredCheckpoint, StoredCosignature,
  StoredEntry, ServedEntry, StoredSweep, StoredTimeStamp, SweepStore, TenantView, TreeStore, ArchivedLookup, ArchivedRange, LogArchivedRange, RetentionStore, StoredRetentionPolicy,
  CreateLogOptions, ErasedOutputRow, RecordEntry, SeqRange, ShredStore, ValueRemoval,
} from "./store.js";
export { ArchiveReader } from "./archive/archive-reader.js";
export type { ArchiveStore } from "./archive/archive-store.js";
export { withArchive } from "./archive/archived-store.js";
export { archivedEntry } from "./archive/archived-entry.js";
export { type EventsPage, findEvents, type NotSearched, type NotSearchedReason } from "./archive/archived-search.js";
export { DirectoryArchive } from "./archive/directory-archive.js";
export { openArchive } from "./archive/open-archive.js";
export { writeArchive } from "./archive/write-archive.js";
export { AUDIT_LOG_PREFIX, auditLogName, ensureAuditLog } from "./audit-log.js";
export { checkpointLog } from "./checkpointer.js";
export { withCosignatures } from "./cosignatures.js";
export { changeRetention, retentionOf } from "./retention.js";
export { LedgerError, type LedgerErrorCode } from "./errors.js";
export { type ConsistencyProof, consistencyProofFor, type InclusionProof, inclusionProofFor, rootAt } from "./proofs.js";
export { ACTION, ACTOR, CHAIN_HASH, ENTRY_COLUMNS, int8, int8At, KIND, LEAF_HASH, OCCURRED_AT, OUTCOME, PAYLOAD, PAYLOAD_HASH, RECORDED_AT, RESOURCE, SEQ, SOURCE, TAGS, textArray, timestampMs, timestampMsAt } from "./raw-rows.js";
export { loadSigningKey, loadTrustedKey, loadTrustedPublicKey } from "./signing-key.js";
export { bundleEntries, tileHashes } from "./tiles.js";
export { loadFrontier, nodeKey, STORED_NODE_MIN_LEVEL } from "./tree.js";
export { type AdminAction, recordedAdminAction } from "./erasure/index.js";
export { approveErasure, activeHolds, createHold, eraseValues, type ErasureRequest, type ErasureRequestListing, type ErasureResult, type ErasureTarget, expireValues, type ExpiryResult, heldEntries, type HoldListing, listErasureRequests, listHolds, releaseHold, requestErasure } from "./erasure/index.js";
