import type { EvidenceService } from "./evidence-service.js";
import type { Principal } from "./principal.js";
import type { RequestDb } from "./request-db.js";

/** What every resolver is handed. */
export interface ApiContext {
  requestId: string;
  /** Undefined for a request without a valid API key: only @Authorized-free fields answer it. */
  principal: Principal | undefined;
  db: RequestDb | undefined;
  /** Ledger rows the request returned, for its `ledger.read` record. */
  rows: { count: number };
  maxPageSize: number;
  /** Pack requests and downloads; undefined when the server runs without the evidence queue. */
  evidence?: EvidenceService;
}
