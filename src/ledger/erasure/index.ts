/** Erasure requests, expiry of clear values and legal holds, written against LedgerStore (docs/erasure.md). */
export { approveErasure, eraseValues, type ErasureRequest, type ErasureRequestListing, type ErasureResult, type ErasureTarget, listErasureRequests, requestErasure } from "./erase.js";
export { type ExpiryResult, type ExpiryRun, expireValues } from "./expire.js";
export { activeHolds, createHold, heldEntries, type HoldListing, listHolds, releaseHold } from "./legal-holds.js";
export { type AdminAction, type AdminActionKind, recordedAdminAction } from "./admin-record.js";
