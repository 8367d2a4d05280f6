/**
 * Captured terminal output: chunks of a pane's output and their encoding, the chunker that
 * cuts a byte stream into them, the spool's record framing, and the text and asciicast v2
 * forms a capture is read back in.
 */
export { CastEncoder, castHeaderLine } from "./asciicast.js";
export { chunkBodyHead, decodeChunkBody, encodeChunkBody, MAX_CHUNK_BYTES, MAX_CHUNK_SPAN_US, MAX_FRAMES, type OutputChunk } from "./output-chunk.js";
export { OutputChunker, utf8Boundary } from "./output-chunker.js";
export { encodeRecord, RECORD_HEADER_BYTES, recordHeader, scanRecords } from "./spool-record.js";
export { terminalText } from "./terminal-text.js";
