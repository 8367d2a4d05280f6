/**
 * Encodings every domain of the core shares: RFC 8785 canonical JSON (JCS), SHA-256 and the
 * strict hex and base64 forms hashes and signatures travel in.
 */
export { canonicalBytes, canonicalize, isWellFormed, MAX_DEPTH } from "./canonical-json.js";
export { digestEqual, fromBase64, fromHex, HASH_SIZE, sha256, toBase64, toHex } from "./hash.js";
export { checkExactNumbers, exactNumber, firstInexactNumber, isExactNumberLiteral, strictUtf8 } from "./exact-number.js";
export { checkExactJson, firstDuplicateName } from "./exact-json.js";
