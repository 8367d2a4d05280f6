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
  /** Most unindexed entries of a log one search reads directly (SEALTRAIL_API_SEARCH_TAIL_MAX). */
  searchTailMax: number;
}
