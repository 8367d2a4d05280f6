/**
 * Slabs for the capture's chunker (core/capture/output-chunker.ts), reused once the spool has written
 * every chunk cut from them. A streaming pane cuts about a slab (1 MiB) every 20 ms: left to
 * the GC, that much fresh external memory sets off a full collection every few hundred
 * milliseconds, CPU that comes out of tmux's share of the machine.
 */
import type { OutputChunk } from "../core/capture/index.js";

/** Written slabs kept for reuse; more are left to the GC. */
const KEEP_FREE = 4;

interface InUse {
  slab: Uint8Array;
  /** Chunks of it the spool has written. */
  written: number;
  /** Chunks cut from it, known once the chunker has moved on from it. */
  cut?: number;
}

export class SlabPool {
  private readonly free: Uint8Array[] = [];
  private readonly inUse = new Map<ArrayBufferLike, InUse>();

  readonly allocate = (bytes: number): Uint8Array => {
    let slab = this.free.pop();
    if (slab === undefined || slab.length !== bytes) slab = Buffer.allocUnsafeSlow(bytes);
    this.inUse.set(slab.buffer, { slab, written: 0 });
    return slab;
  };

  readonly retire = (slab: Uint8Array, chunks: number): void => {
    const entry = this.inUse.get(slab.buffer);
    if (!entry) return;
    entry.cut = chunks;
    this.reuse(entry);
  };

  /** The spool has written `chunk` (once per chunk): its slab is reused once all its chunks are. */
  written(chunk: OutputChunk): void {
    const entry = this.inUse.get(chunk.data.buffer);
    if (!entry) return;
    entry.written++;
    this.reuse(entry);
  }

  private reuse(entry: InUse): void {
    if (entry.cut === undefined || entry.written < entry.cut) return;
    this.inUse.delete(entry.slab.buffer);
    if (this.free.length < KEEP_FREE) this.free.push(entry.slab);
  }
}
