/**
 * Erasure, expiry and legal holds: the records the ledger appends for them, the removals they
 * authorize (RemovalIndex, what the verifier checks a missing value against), and what a hold
 * covers.
 */
export { checkHoldScope, holdCovers, type HoldScope, type HoldSubject, type LegalHold, parseHold } from "./hold.js";
export { countSeqs, ERASURE_KIND, ERASURE_REFUSED_KIND, ERASURE_REQUEST_KIND, EXPIRY_KIND, HOLD_KIND, HOLD_RELEASE_KIND, parseRemovalRecord, RECORD_KINDS, REMOVAL_KINDS, type RemovalRecord, RemovalIndex, removalPayload, seqSpans, type SeqSpan } from "./records.js";
export { type ErasedValue, type OpenedValues, openValues, removalKind, type RemovalKindName, removalRequest } from "./erased.js";
