import type { ApiConfig, WebhookSource } from "../config/index.js";
import type { LedgerStore } from "../ledger/index.js";
import type { ApiIngest } from "./context.js";
import type { EvidenceService } from "./evidence-service.js";
import type { AlertRaiser } from "./integrity-alarm.js";
import type { ReadIntegrity } from "./read-integrity.js";
import type { RequestLimiter } from "./request-limiter.js";

export interface ServerOptions {
  /** Login-role pool: requests' transactions (as the reader role) and the LISTEN connection. */
  store: LedgerStore;
  /** Writer-role pool: API key lookups, the read log, the feed's log catalogue. */
  writer: LedgerStore;
  schema: string;
  version: string;
  config: ApiConfig;
  originPrefix: string;
  /** Where operational problems go (the read log failing to write, …). */
  log?: (message: string) => void;
  /** The ingest queue recordEvents and webhooks write to; without it they answer 503. */
  ingest?: ApiIngest;
  /** Webhook sources (SEALTRAIL_WEBHOOK_SOURCES), served at POST /hooks/:source. */
  webhooks?: ReadonlyMap<string, WebhookSource>;
  /** Evidence pack requests (GraphQL) and downloads (GET /packs/<id>.tar.gz); off when absent. */
  evidence?: EvidenceService;
  /**
   * The Ed25519 public key the logs' checkpoints are signed with (SEALTRAIL_VERIFIER_KEY, else
   * the public half of SEALTRAIL_SIGNING_KEY): Log.verifierKey hands it out as each log's vkey.
   */
  verifierPublicKey?: Uint8Array;
  /** Where a verified read that finds the ledger changed raises its alert (the integrity worker's alerts queue). */
  alerts?: AlertRaiser;
  /** Made by createApiServer: the verifier and alarm its requests share. */
  integrity?: ReadIntegrity;
  /** Made by createApiServer: the concurrency bounds HTTP requests and WebSocket operations share. */
  limiter?: RequestLimiter;
}
