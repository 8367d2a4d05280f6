/**
 * Cuts a pane's byte stream into chunks of at most MAX_CHUNK_BYTES bytes spanning at most
 * MAX_CHUNK_SPAN_US, numbering them from a starting seq and offset. Pure: the caller feeds
 * reads with their arrival time and asks for time-due chunks on its own clock.
 *
 * A cut never splits a UTF-8 sequence when it can help it (up to 3 bytes move to the next
 * chunk), so each chunk's searchable text decodes on its own; the bytes are unchanged.
 */
import { MAX_CHUNK_BYTES, MAX_CHUNK_SPAN_US, MAX_FRAMES, type OutputChunk, type OutputFrame } from "./output-chunk.js";

export interface ChunkerOptions {
  maxBytes?: number;
  spanUs?: number;
  /** A read arriving this long after the last frame starts a new frame (default 2 ms). */
  frameGapUs?: number;
}

export class OutputChunker {
  private seq: number;
  private offset: number;
  private readonly maxBytes: number;
  private readonly spanUs: number;
  private readonly frameGapUs: number;
  private parts: Uint8Array[] = [];
  private length = 0;
  private startUs = 0;
  private lastFrameUs = 0;
  private frames: OutputFrame[] = [];

  /** `seq` and `offset` of the next chunk (0 and 0 for a new stream). */
  constructor(next: { seq: number; offset: number }, options: ChunkerOptions = {}) {
    this.seq = next.seq;
    this.offset = next.offset;
    this.maxBytes = options.maxBytes ?? MAX_CHUNK_BYTES;
    this.spanUs = options.spanUs ?? MAX_CHUNK_SPAN_US;
    this.frameGapUs = options.frameGapUs ?? 2_000;
  }

  /** Bytes waiting for the next cut. */
  get pendingBytes(): number {
    return this.length;
  }

  /** When the pending bytes must be cut at the latest; undefined when none wait. */
  get dueUs(): number | undefined {
    return this.length === 0 ? undefined : this.startUs + this.spanUs;
  }

  /** Takes one read; returns the chunks it completed. */
  push(data: Uint8Array, nowUs: number): OutputChunk[] {
    const out = this.due(nowUs);
    let rest = data;
    let framed = false;
    while (rest.length > 0) {
      if (this.length === 0) this.begin(nowUs);
      else if (!framed && nowUs - this.lastFrameUs >= this.frameGapUs && this.frames.length < MAX_FRAMES) {
        this.frames.push({ at: this.length, afterUs: nowUs - this.startUs });
        this.lastFrameUs = nowUs;
      }
      framed = true;
      const take = rest.subarray(0, this.maxBytes - this.length);
      this.parts.push(take);
      this.length += take.length;
      rest = rest.subarray(take.length);
      if (this.length === this.maxBytes) out.push(this.cut(nowUs, true));
    }
    return out;
  }

  /** The pending chunk when it has spanned its time; an incomplete UTF-8 tail waits for the next. */
  due(nowUs: number): OutputChunk[] {
    if (this.length === 0 || nowUs - this.startUs < this.spanUs) return [];
    return [this.cut(nowUs, true)];
  }

  /** Everything pending, at the end of the stream. */
  flush(nowUs: number): OutputChunk | undefined {
    return this.length === 0 ? undefined : this.cut(nowUs, false);
  }

  private begin(nowUs: number): void {
    this.startUs = nowUs;
    this.lastFrameUs = nowUs;
    this.frames = [{ at: 0, afterUs: 0 }];
  }

  private cut(nowUs: number, utf8Safe: boolean): OutputChunk {
    const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
    const at = utf8Safe ? utf8Boundary(data) : data.length;
    const chunk: OutputChunk = { seq: this.seq, offset: this.offset, timeUs: this.startUs, frames: this.frames.filter((f) => f.at < at), data: data.subarray(0, at) };
    this.seq += 1;
    this.offset += at;
    const rest = data.subarray(at);
    this.parts = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    if (rest.length > 0) this.begin(nowUs);
    return chunk;
  }
}

/**
 * The end of `data` less a UTF-8 sequence that is cut short there (RFC 3629 §3: a lead byte
 * announces 2–4 bytes). Never returns 0: a chunk always carries some bytes, whatever they are.
 */
export function utf8Boundary(data: Uint8Array): number {
  const end = data.length;
  for (let back = 1; back <= 3 && back < end; back++) {
    const byte = data[end - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const need = byte >= 0xf0 && byte <= 0xf4 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 && byte < 0xe0 ? 2 : 1;
    return need > back ? end - back : end;
  }
  return end;
}
