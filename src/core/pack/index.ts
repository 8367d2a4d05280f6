/**
 * Evidence packs, the parts an offline verifier needs: the entry lines of a pack, its
 * SHA256SUMS manifest and ids, and the deterministic samples an auditor can redraw.
 */
export { type ErasedFields, formatEntryLine, type OpenedFields, type PackEntry, parseEntryLine } from "./entry.js";
export { EntryLineBytes } from "./entry-line-bytes.js";
export { derivePackId, type FileDigest, formatSha256Sums, isPackPath, packUuid, parseSha256Sums, SHA256SUMS_FILE, SIGNATURE_FILE, SIGNING_KEY_FILE, SUMS_TIMESTAMP_FILE } from "./manifest.js";
export { sampleRank, SampleSelector } from "./sample.js";
