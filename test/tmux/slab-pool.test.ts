/** The capture's slab reuse: a slab comes back only once every chunk cut from it is written. */
import { describe, expect, it } from "vitest";
import { prng } from "../../bench/support.js";
import { type OutputChunk, OutputChunker } from "../../src/core/capture/index.js";
import { SlabPool } from "../../src/tmux/slab-pool.js";

describe("SlabPool", () => {
  const chunkOf = (slab: Uint8Array, from: number, to: number) => ({ seq: 0, offset: 0, timeUs: 0, frames: [{ at: 0, afterUs: 0 }], data: slab.subarray(from, to) });

  it("reuses a slab once it is retired and every chunk cut from it is written, and not before", () => {
    const pool = new SlabPool();
    const slab = pool.allocate(8);
    pool.retire(slab, 2);
    pool.written(chunkOf(slab, 0, 4));
    expect(pool.allocate(8).buffer).not.toBe(slab.buffer);
    pool.written(chunkOf(slab, 4, 8));
    expect(pool.allocate(8).buffer).toBe(slab.buffer);
  });

  it("counts chunks written before the slab is retired", () => {
    const pool = new SlabPool();
    const slab = pool.allocate(8);
    pool.written(chunkOf(slab, 0, 4));
    expect(pool.allocate(8).buffer).not.toBe(slab.buffer);
    pool.retire(slab, 1);
    expect(pool.allocate(8).buffer).toBe(slab.buffer);
  });

  it("with a chunker and writes that lag behind, every chunk holds its bytes until written", () => {
    // Seeded: the same reads on every run.
    const random = prng(0x51ab);
    const pool = new SlabPool();
    const chunker = new OutputChunker({ seq: 0, offset: 0 }, { maxBytes: 7, slabBytes: 20, slabs: pool });
    const queue: OutputChunk[] = [];
    const sent: number[] = [];
    const spooled: number[] = [];
    const write = (n: number) => {
      for (const chunk of queue.splice(0, n)) {
        spooled.push(...chunk.data);
        pool.written(chunk);
      }
    };
    let next = 0;
    for (let i = 0; i < 5000; i++) {
      const read = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 15) }, () => next++ % 256));
      sent.push(...read);
      queue.push(...chunker.push(read, i));
      // The spool writes in bursts, sometimes many chunks behind.
      if (random() < 0.3) write(Math.floor(random() * queue.length + 1));
    }
    const last = chunker.flush(5000);
    if (last) queue.push(last);
    write(queue.length);
    expect(Buffer.from(spooled).equals(Buffer.from(sent))).toBe(true);
  });
});
