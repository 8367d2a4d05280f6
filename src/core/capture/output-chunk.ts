/**
 * A chunk of a pane's output as the capture spools and ships it: the exact bytes, where they
 * sit in the pane's stream, and when they arrived. `seq` numbers the chunks of one pane
 * stream from 0 without gaps; with the stream it is the chunk's idempotency key.
 *
 * Body layout inside a spool record (all integers big-endian):
 *   0   8   seq
 *   8   8   offset: the chunk's first byte in the stream
 *   16  8   time: arrival of the first byte, microseconds since the Unix epoch
 *   24  2   frame count f
 *   26  8f  frames: (u32 byte offset in the chunk, u32 microseconds after `time`)
 *   ..      data
 * A frame marks a read that arrived noticeably later than the one before it, so a replay
 * keeps the pane's timing within a chunk.
 */
import { CoreError } from "../errors.js";

export interface OutputFrame {
  /** Byte offset in the chunk's data. */
  at: number;
  /** Microseconds after the chunk's time. */
  afterUs: number;
}

export interface OutputChunk {
  seq: number;
  offset: number;
  timeUs: number;
  /** Always starts with { at: 0, afterUs: 0 }. */
  frames: OutputFrame[];
  data: Uint8Array;
}

/** At most 64 KiB of output per chunk (the figure). */
export const MAX_CHUNK_BYTES = 64 * 1024;
/** A chunk spans at most one second of output. */
export const MAX_CHUNK_SPAN_US = 1_000_000;
/** Frames kept per chunk: later reads fold into the last frame. */
export const MAX_FRAMES = 512;

const FIXED = 26;

/** The body before the data: encodeChunkBody(chunk) is this followed by chunk.data. */
export function chunkBodyHead(chunk: OutputChunk): Buffer {
  const frames = chunk.frames.length;
  const head = Buffer.allocUnsafe(FIXED + 8 * frames);
  head.writeBigUInt64BE(BigInt(chunk.seq), 0);
  head.writeBigUInt64BE(BigInt(chunk.offset), 8);
  head.writeBigUInt64BE(BigInt(chunk.timeUs), 16);
  head.writeUInt16BE(frames, 24);
  chunk.frames.forEach((f, i) => {
    head.writeUInt32BE(f.at, FIXED + 8 * i);
    head.writeUInt32BE(f.afterUs, FIXED + 8 * i + 4);
  });
  return head;
}

export function encodeChunkBody(chunk: OutputChunk): Buffer {
  return Buffer.concat([chunkBodyHead(chunk), chunk.data]);
}

/** Throws CoreError INVALID_ARGUMENT when the body is not a chunk (a checked record of another kind). */
export function decodeChunkBody(body: Buffer): OutputChunk {
  if (body.length < FIXED) throw new CoreError("INVALID_ARGUMENT", `chunk body: got ${body.length} bytes, want at least ${FIXED}`);
  const count = body.readUInt16BE(24);
  const dataStart = FIXED + 8 * count;
  if (dataStart > body.length) throw new CoreError("INVALID_ARGUMENT", `chunk body: ${count} frames do not fit in ${body.length} bytes`);
  const frames: OutputFrame[] = [];
  for (let i = 0; i < count; i++) frames.push({ at: body.readUInt32BE(FIXED + 8 * i), afterUs: body.readUInt32BE(FIXED + 8 * i + 4) });
  return {
    seq: Number(body.readBigUInt64BE(0)),
    offset: Number(body.readBigUInt64BE(8)),
    timeUs: Number(body.readBigUInt64BE(16)),
    frames,
    data: body.subarray(dataStart),
  };
}
