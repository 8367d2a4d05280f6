/** The pane spool on real files: torn tails, restarts, acknowledgements and segments. */
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { OutputChunk } from "../../src/core/capture/index.js";
import { PaneSpool, SEGMENT_BYTES } from "../../src/tmux/pane-spool.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function spoolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sealtrail-spool-"));
  dirs.push(dir);
  return join(dir, "pane-1");
}

function chunk(seq: number, offset: number, size: number): OutputChunk {
  return { seq, offset, timeUs: 1_000_000 + seq, frames: [{ at: 0, afterUs: 0 }], data: Buffer.alloc(size, seq % 256) };
}

async function fill(spool: PaneSpool, count: number, size: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const next = spool.nextPosition;
    spool.append(chunk(next.seq, next.offset, size));
  }
  await spool.sync();
}

describe("PaneSpool", () => {
  it("discards a torn tail at open and continues after the last whole chunk", async () => {
    const dir = spoolDir();
    const spool = PaneSpool.open(dir);
    await fill(spool, 5, 1000);
    await spool.close();
    const segment = join(dir, readdirSync(dir).find((n) => n.endsWith(".seg"))!);
    const whole = statSync(segment).size;
    // A crash mid-write: the header and part of a sixth record.
    appendFileSync(segment, Buffer.concat([Buffer.from("STS1"), Buffer.from([0, 0, 3, 232, 1, 2, 3, 4]), Buffer.alloc(500)]));

    const reopened = PaneSpool.open(dir);
    expect(reopened.recovery).toEqual({ discardedBytes: 512, pendingChunks: 5 });
    expect(statSync(segment).size).toBe(whole);
    expect(reopened.nextPosition).toEqual({ seq: 5, offset: 5000 });
    expect(reopened.peek(100, 1 << 20).map((c) => c.seq)).toEqual([0, 1, 2, 3, 4]);
    await reopened.close();
  });

  it("drops a last record whose bytes do not match its checksum", async () => {
    const dir = spoolDir();
    const spool = PaneSpool.open(dir);
    await fill(spool, 3, 100);
    await spool.close();
    const segment = join(dir, readdirSync(dir).find((n) => n.endsWith(".seg"))!);
    truncateSync(segment, statSync(segment).size - 1);
    appendFileSync(segment, Buffer.from([0x7f]));
    const reopened = PaneSpool.open(dir);
    expect(reopened.recovery.discardedBytes).toBeGreaterThan(100);
    expect(reopened.nextPosition).toEqual({ seq: 2, offset: 200 });
    await reopened.close();
  });

  it("keeps its acknowledgement across a restart and ships only what follows", async () => {
    const dir = spoolDir();
    const spool = PaneSpool.open(dir);
    await fill(spool, 10, 100);
    const peeked = spool.peek(4, 1 << 20);
    expect(peeked.map((c) => c.seq)).toEqual([0, 1, 2, 3]);
    spool.ack({ seq: 4, offset: 400 });
    expect(spool.peek(100, 1 << 20).map((c) => c.seq)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(spool.unshipped).toBe(6);
    await spool.close();
    const reopened = PaneSpool.open(dir);
    expect(reopened.recovery.pendingChunks).toBe(6);
    expect(reopened.peek(100, 1 << 20).map((c) => c.seq)).toEqual([4, 5, 6, 7, 8, 9]);
    await reopened.close();
  });

  it("ships only fsynced chunks", async () => {
    const dir = spoolDir();
    const spool = PaneSpool.open(dir);
    await fill(spool, 2, 100);
    spool.append(chunk(2, 200, 100));
    expect(spool.peek(100, 1 << 20).map((c) => c.seq)).toEqual([0, 1]);
    await spool.sync();
    expect(spool.peek(100, 1 << 20).map((c) => c.seq)).toEqual([0, 1, 2]);
    await spool.close();
  });

  it("starts a new segment past SEGMENT_BYTES and deletes segments wholly acknowledged", async () => {
    const dir = spoolDir();
    const spool = PaneSpool.open(dir);
    const size = 60_000;
    const count = Math.ceil((SEGMENT_BYTES * 2.5) / size);
    await fill(spool, count, size);
    expect(readdirSync(dir).filter((n) => n.endsWith(".seg")).length).toBe(3);
    let shipped = 0;
    for (let batch = spool.peek(64, 4 << 20); batch.length > 0; batch = spool.peek(64, 4 << 20)) {
      expect(batch[0]!.seq).toBe(shipped);
      shipped += batch.length;
      const last = batch.at(-1)!;
      spool.ack({ seq: last.seq + 1, offset: last.offset + last.data.length });
    }
    expect(shipped).toBe(count);
    expect(readdirSync(dir).filter((n) => n.endsWith(".seg")).length).toBe(1);
    await spool.close();
  });

  it("queues appends without waiting for the disk, writes them in order, and closes only once they are written", async () => {
    const dir = spoolDir();
    const spool = PaneSpool.open(dir);
    for (let i = 0; i < 50; i++) spool.append(chunk(i, i * 10_000, 10_000));
    // Nothing waited for the writes: they are queued, the position has moved on.
    expect(spool.pendingBytes).toBeGreaterThan(0);
    expect(spool.nextPosition).toEqual({ seq: 50, offset: 500_000 });
    await spool.close();
    const reopened = PaneSpool.open(dir);
    expect(reopened.recovery).toEqual({ discardedBytes: 0, pendingChunks: 50 });
    const peeked = reopened.peek(100, 1 << 30);
    expect(peeked.map((c) => c.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peeked.every((c) => c.data.length === 10_000 && c.data.every((b) => b === c.seq % 256))).toBe(true);
    await reopened.close();
  });

  it("closes after a sync still under way without failing it, and stays usable across one", async () => {
    const dir = spoolDir();
    const spool = PaneSpool.open(dir);
    for (let i = 0; i < 5; i++) spool.append(chunk(i, i * 100, 100));
    const synced = spool.sync();
    const closed = spool.close();
    await expect(synced).resolves.toBeUndefined();
    await closed;
    const reopened = PaneSpool.open(dir);
    expect(reopened.recovery).toEqual({ discardedBytes: 0, pendingChunks: 5 });
    await reopened.close();
  });
});
