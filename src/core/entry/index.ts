/**
 * Entries and events: an event as a source sends it, normalized; an entry's metadata, its
 * leaf data and leaf hash (the bytes every RFC 9162 leaf commits to), its payload and chain
 * hashes; and LeafBytes, which writes leaf data straight from stored bytes for the verifier.
 */
export { canonicalTimestamp, chainHash, type EntryMetadata, GENESIS_CHAIN_HASH, LEAF_KEYS, LEAF_VERSION, LEAF_VERSIONS, NEW_LOG_LEAF_VERSION, type LeafVersion, leafData, leafObject, type Outcome, OUTCOMES, payloadHash } from "./entry.js";
export { checkPreparedEvent, type EventInput, GENERATED_KEY_PREFIX, givenIdempotencyKey, hasEscapedNul, isStorableText, LIMITS, type NormalizedEvent, normalizeEvent, type PreparedEvent, prepareEvent, RESERVED_NAME_PREFIX, toStorableText } from "./event.js";
export { LEAF_FIELD, LeafBytes } from "./leaf-bytes.js";
export { entryLeafHash } from "./leaf-hash.js";
export { CanonicalTimes } from "./canonical-times.js";
export { COMMITTED_FIELDS, type CommittedField, fieldNumber, isCommittedField, SALT_SIZE, valueCommitment } from "./commitment.js";
