/**
 * Cuts a pane's byte stream into chunks of at most MAX_CHUNK_BYTES bytes spanning at most
 * MAX_CHUNK_SPAN_US, numbering them from a starting seq and offset. Pure: the caller feeds
 * reads with their arrival time and asks for time-due chunks on its own clock.
 *
 * A cut never splits a UTF-8 sequence when it can help it (up to 3 bytes move to the next
 * chunk), so each chunk's searchable text decodes on its own; the bytes are unchanged.
 *
 * Reads are laid end to end in slabs of 16 chunks, and chunks are views of them: each byte is
 * copied once, a read that crosses a cut needs no joining, and the only allocation is a slab
 * per 16 chunks.
 */
import { MAX_CHUNK_BYTES, MAX_CHUNK_SPAN_US, MAX_FRAMES, type OutputChunk, type OutputFrame } from "./output-chunk.js";

export interface ChunkerOptions {
  maxBytes?: number;
  spanUs?: number;
  /** A read arriving this long after the last frame starts a new frame (default 2 ms). */
  frameGapUs?: number;
  /** Bytes of each buffer the chunks are cut from (default 16 chunks' worth). */
  slabBytes?: number;
  /**
   * Where slabs come from and go (default: allocated, left to the GC). A retired slab is never
   * written by the chunker again, but the `chunks` cut from it are views of it: the caller
   * reuses it only once it is done with all of them, including any that the call returning
   * them has yet to hand over.
   */
  slabs?: { allocate(bytes: number): Uint8Array; retire(slab: Uint8Array, chunks: number): void };
}

export class OutputChunker {
  private seq: number;
  private offset: number;
  private readonly maxBytes: number;
  private readonly spanUs: number;
  private readonly frameGapUs: number;
  private readonly slabBytes: number;
  private readonly slabs: ChunkerOptions["slabs"];
  /**
   * The buffer the stream is laid out in, end to end: chunks are views of it. The pending
   * chunk is its `length` bytes from `start`; what follows is free. A cut moves `start`
   * past the bytes it took, so the bytes left over (a UTF-8 tail, the start of a read that
   * crossed the cut) stay where they are. Bytes a chunk holds are never written again: a new
   * slab is begun (the pending bytes copied over) when less than a whole chunk is free.
   */
  private slab: Uint8Array | undefined;
  /** Chunks cut from the current slab. */
  private cutFromSlab = 0;
  private start = 0;
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
    this.slabBytes = Math.max(options.slabBytes ?? 16 * this.maxBytes, this.maxBytes);
    this.slabs = options.slabs;
  }

  /** Bytes waiting for the next cut. */
  get pendingBytes(): number {
    return this.length;
  }

  /** When the pending bytes must be cut at the latest; undefined when none wait. */
  get dueUs(): number | undefined {
    return this.length === 0 ? undefined : this.startUs + this.spanUs;
  }

  /** The free end of the current slab, at least a whole chunk long. */
  private room(): Uint8Array {
    const end = this.start + this.length;
    if (this.slab === undefined || this.slab.length - end < this.maxBytes) {
      const slab = this.slabs?.allocate(this.slabBytes) ?? Buffer.allocUnsafeSlow(this.slabBytes);
      if (this.slab !== undefined) {
        slab.set(this.slab.subarray(this.start, end));
        this.slabs?.retire(this.slab, this.cutFromSlab);
      }
      this.slab = slab;
      this.cutFromSlab = 0;
      this.start = 0;
    }
    return this.slab.subarray(this.start + this.length);
  }

  /** Takes one read (copied: the caller may reuse `data`); returns the chunks it completed. */
  push(data: Uint8Array, nowUs: number): OutputChunk[] {
    const out = this.due(nowUs);
    // In pieces of at most a chunk: room() always has space for one.
    for (let at = 0; at < data.length; at += this.maxBytes) {
      const piece = data.subarray(at, at + this.maxBytes);
      this.room().set(piece);
      out.push(...this.take(piece.length, nowUs, at > 0));
    }
    return out;
  }

  /** Counts `bytes` just laid after the pending ones as read at `nowUs`; `more`: the rest of a read already framed. */
  private take(bytes: number, nowUs: number, more: boolean): OutputChunk[] {
    const out: OutputChunk[] = [];
    let rest = bytes;
    let framed = more;
    while (rest > 0) {
      if (this.length === 0) this.begin(nowUs);
      else if (!framed && nowUs - this.lastFrameUs >= this.frameGapUs && this.frames.length < MAX_FRAMES) {
        this.frames.push({ at: this.length, afterUs: nowUs - this.startUs });
        this.lastFrameUs = nowUs;
      }
      framed = true;
      const take = Math.min(rest, this.maxBytes - this.length);
      this.length += take;
      rest -= take;
      // The rest of the read lies after the cut already: it begins the next chunk.
      if (this.length === this.maxBytes) out.push(this.cutPending(nowUs, true));
    }
    return out;
  }

  /** The pending chunk when it has spanned its time; an incomplete UTF-8 tail waits for the next. */
  due(nowUs: number): OutputChunk[] {
    if (this.length === 0 || nowUs - this.startUs < this.spanUs) return [];
    return [this.cutPending(nowUs, true)];
  }

  /** Everything pending, at the end of the stream. */
  flush(nowUs: number): OutputChunk | undefined {
    return this.length === 0 ? undefined : this.cutPending(nowUs, false);
  }

  private begin(nowUs: number): void {
    this.startUs = nowUs;
    this.lastFrameUs = nowUs;
    this.frames = [{ at: 0, afterUs: 0 }];
  }

  /** Cuts the pending bytes, less a cut-short UTF-8 tail when `utf8Safe`, which stays pending. */
  private cutPending(nowUs: number, utf8Safe: boolean): OutputChunk {
    const data = this.slab!.subarray(this.start, this.start + this.length);
    const at = utf8Safe ? utf8Boundary(data) : data.length;
    const chunk: OutputChunk = { seq: this.seq, offset: this.offset, timeUs: this.startUs, frames: this.frames.filter((f) => f.at < at), data: data.subarray(0, at) };
    this.seq += 1;
    this.offset += at;
    this.cutFromSlab += 1;
    this.start += at;
    this.length -= at;
    if (this.length > 0) this.begin(nowUs);
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
