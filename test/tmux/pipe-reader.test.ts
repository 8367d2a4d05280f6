/** The capture's reading of pipe-pane's socket: blocking reads in a thread, taken by the main thread in batches. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PipeReader, type PipeReaderOptions } from "../../src/tmux/pipe-reader.js";
import { until } from "../support/ingest.js";
import { type PipeFrom, pipeFrom } from "../support/tmux.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** pipeFrom, closed after the test. */
function pipe(code: string): PipeFrom {
  const p = pipeFrom(code);
  cleanups.push(p.close);
  return p;
}

/** `pieces` writes of `size` bytes (piece i filled with i % 251), one every `everyMs`. */
function writes(pieces: number, size: number, everyMs: number): string {
  return `let i = 0; const t = setInterval(() => { process.stdout.write(Buffer.alloc(${size}, i % 251)); if (++i === ${pieces}) clearInterval(t); }, ${everyMs});`;
}

function expected(pieces: number, size: number): Buffer {
  return Buffer.concat(Array.from({ length: pieces }, (_, i) => Buffer.alloc(size, i % 251)));
}

function readAll(fd: number, options: Partial<PipeReaderOptions> = {}) {
  const parts: Buffer[] = [];
  let reader!: PipeReader;
  let ends = 0;
  const done = new Promise<Buffer>((resolve, reject) => {
    reader = new PipeReader(fd, {
      pollMs: 10,
      ...options,
      onData: (data) => parts.push(Buffer.from(data)),
      onEnd: (error) => {
        ends++;
        if (error) reject(error);
        else resolve(Buffer.concat(parts));
      },
    });
  });
  return { reader, parts, done, ends: () => ends };
}

describe("PipeReader", () => {
  it("reads every byte in order, as the writer writes, and hands them over in far fewer batches", async () => {
    // 1,000 writes of 1 KiB over about a second: the thread reads each as it comes; the main
    // thread takes them about once per 10 ms.
    const { fd } = pipe(writes(1000, 1024, 1));
    const { reader, parts, done, ends } = readAll(fd);
    const got = await done;
    expect(got.equals(expected(1000, 1024))).toBe(true);
    expect(reader.reads).toBeGreaterThan(parts.length);
    expect(parts.length).toBeLessThan(1000 / 3);
    // 1 MB through a 4 MiB ring: never full.
    expect(reader.ringFullWaits).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(ends()).toBe(1);
  });

  it("naps after a read shorter than one of tmux's writes: small writes are read a millisecond's worth at a time", async () => {
    // 2,000 writes of 100 bytes 50 µs apart (about 100 ms): a reader that took each as it came
    // would read about 2,000 times; napping 1 ms after each short read, at most a few hundred.
    const code = `const { writeSync } = require("node:fs"); for (let i = 0; i < 2000; i++) { writeSync(1, Buffer.alloc(100, i % 251)); const t = process.hrtime.bigint(); while (process.hrtime.bigint() - t < 50000n); }`;
    const { fd } = pipe(code);
    const { reader, done } = readAll(fd);
    expect((await done).equals(expected(2000, 100))).toBe(true);
    expect(reader.reads).toBeLessThan(2000 / 4);
  });

  it("keeps reading while the main thread is busy, through a ring smaller than the output", async () => {
    // 4 MiB at once: a pipe holds 64 KiB, so the writer finishes only if someone reads.
    const { fd } = pipe(`process.stdout.write(Buffer.alloc(4 << 20, 7));`);
    const { reader, parts, done } = readAll(fd, { ringBytes: 1 << 20 });
    // Busy for at least 500 ms and until the thread has read a few times (the writer, a new
    // node process, may take longer than that to start on a loaded machine): no event loop
    // turn meanwhile, so nothing is handed over.
    const started = Date.now();
    while (Date.now() - started < 500 || (reader.reads <= 4 && Date.now() - started < 20_000)) {
      // busy
    }
    expect(parts).toHaveLength(0);
    expect(reader.reads).toBeGreaterThan(4);
    const got = await done;
    expect(got.equals(Buffer.alloc(4 << 20, 7))).toBe(true);
  });

  it("hands over the first bytes after a quiet spell at once, not at the next poll", async () => {
    const { fd } = pipe(`setTimeout(() => process.stdout.write("a" + Date.now()), 300);`);
    let at = 0;
    const { done } = readAll(fd, {
      pollMs: 1_000,
      onData: (data) => {
        at ||= Date.now();
        void data;
      },
    });
    const written = Number((await done).toString().slice(1));
    expect(at - written).toBeLessThan(150);
  });

  it("holds add up: nothing is handed over until every hold is released, and nothing is lost", async () => {
    const { fd } = pipe(writes(40, 16 * 1024, 5));
    const { reader, parts, done } = readAll(fd, { ringBytes: 64 * 1024 });
    const first = reader.hold();
    const second = reader.hold();
    // 640 KiB against a 64 KiB ring: the thread finds it full, and counts it (waited for, not
    // timed: the writer, a new node process, may be slow to start on a busy machine).
    await until("a full ring", () => reader.ringFullWaits > 0);
    expect(parts).toHaveLength(0);
    first();
    first();
    await new Promise((r) => setTimeout(r, 100));
    expect(parts).toHaveLength(0);
    second();
    expect((await done).equals(expected(40, 16 * 1024))).toBe(true);
  });

  it("after stop() nothing more is handed over, not even the end", async () => {
    // The writer sends "y" only once told to, after stop(): no timing to race on a busy machine.
    const { fd, dir } = pipe(`process.stdout.write("x"); const t = setInterval(() => { if (require("node:fs").existsSync(process.argv[1] + "/go")) { clearInterval(t); process.stdout.write("y"); } }, 10);`);
    const seen: string[] = [];
    const reader = new PipeReader(fd, { pollMs: 10, onData: (data) => seen.push(Buffer.from(data).toString()), onEnd: () => seen.push("end") });
    await until("the first byte", () => seen.length > 0);
    expect(seen).toEqual(["x"]);
    reader.stop();
    writeFileSync(join(dir, "go"), "");
    await new Promise((r) => setTimeout(r, 400));
    expect(seen).toEqual(["x"]);
  });
});
