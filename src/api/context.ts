import type { QueueEvents } from "bullmq";
import type { IngestProducer } from "../ingest/ingest-queue.js";
import type { ExecutedFields } from "./executed-fields.js";
import type { EvidenceService } from "./evidence-service.js";
import type { Principal } from "./principal.js";
import type { LedgerStore, TenantView } from "../ledger/index.js";
import type { ReadIntegrity } from "./read-integrity.js";

/** What every resolver is handed. */
export interface ApiContext extends ExecutedFields {
  requestId: string;
  /** Undefined for a request without a valid API key: only @Authorized-free fields answer it. */
  principal: Principal | undefined;
  db: TenantView | undefined;
  /** Ledger rows the request returned (or, for a mutation, events it accepted), for its audit record. */
  rows: { count: number };
  maxPageSize: number;
  /** Most unindexed entries of a log one search reads directly (SEALTRAIL_API_SEARCH_TAIL_MAX). */
  searchTailMax: number;
  /** Pack requests and downloads; undefined when the server runs without the evidence queue. */
  evidence?: EvidenceService;
  /** The ingest queue mutations write to; undefined when the server runs without Redis. */
  ingest?: ApiIngest;
  /**
   * When the request's time is up (SEALTRAIL_API_REQUEST_TIMEOUT_MS, from its arrival; Infinity
   * for a subscription): no ledger read starts after it (auth-checker.ts, db).
   */
  deadline: { at: number; limitMs: number };
  /** The server's verified reads: its checkpoint trust and its integrity alarm. */
  integrity: ReadIntegrity;
  /**
   * The writer pool and origin prefix, for admin mutations (erasure, legal holds, retention):
   * reached only after the log was found in the tenant's own view (db).
   */
  admin?: { writer: LedgerStore; originPrefix: string };
  /** The checkpoints' public key, for Log.verifierKey; undefined when the server was given none. */
  verifierPublicKey?: Uint8Array;
}

/** The producer side of the `ingest` queue, as the API uses it. */
export interface ApiIngest {
  queue: IngestProducer;
  /** For `wait: true`: completion events of the same queue (none for the in-process queue). */
  queueEvents: QueueEvents | undefined;
  /** SEALTRAIL_MAX_PAYLOAD_BYTES */
  maxPayloadBytes: number;
  /** SEALTRAIL_INGEST_MAX_BATCH */
  maxBatchEvents: number;
  /** How long `wait: true` waits for the commit (the request's time limit). */
  waitTimeoutMs: number;
}
