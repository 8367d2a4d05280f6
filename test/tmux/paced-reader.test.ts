/** The capture's pipe reading: paced after reads that empty the pipe, held while the spool catches up. */
import { execFileSync, spawn } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { PacedReader } from "../../src/tmux/paced-reader.js";

/**
 * A writer process on a real pipe: `pieces` writes of `size` bytes, one every `everyMs` (piece
 * i filled with i % 251), then exits.
 */
function writer(pieces: number, size: number, everyMs: number, stdout: "pipe" | number = "pipe") {
  const code = `let i = 0; const t = setInterval(() => { process.stdout.write(Buffer.alloc(${size}, i % 251)); if (++i === ${pieces}) { clearInterval(t); } }, ${everyMs});`;
  return spawn(process.execPath, ["-e", code], { stdio: ["ignore", stdout, "inherit"] });
}

function expected(pieces: number, size: number): Buffer {
  return Buffer.concat(Array.from({ length: pieces }, (_, i) => Buffer.alloc(size, i % 251)));
}

function readAll(reader: (options: ConstructorParameters<typeof PacedReader>[1]) => PacedReader, paceMs: number) {
  const parts: Buffer[] = [];
  let made!: PacedReader;
  const done = new Promise<Buffer>((resolve, reject) => {
    made = reader({ paceMs, onData: (data) => parts.push(data), onEnd: (error) => (error ? reject(error) : resolve(Buffer.concat(parts))) });
  });
  return { reader: made, done };
}

describe("PacedReader", () => {
  it("reads a pipe fed in small pieces in a fraction of the reads, every byte in order", async () => {
    // 1,000 writes of 1 KiB over about a second: an unpaced reader takes about one read
    // per write; paced at 10 ms, about one read per 10 ms.
    const child = writer(1000, 1024, 1);
    const { reader, done } = readAll((o) => new PacedReader(child.stdout!, o), 10);
    const got = await done;
    expect(got.equals(expected(1000, 1024))).toBe(true);
    expect(reader.reads).toBeLessThan(1000 / 4);
  });

  it("reads a pipe given by its fd straight into the buffers space() offers, every byte in order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealtrail-paced-"));
    try {
      const fifo = join(dir, "fifo");
      execFileSync("mkfifo", [fifo]);
      const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      const writeEnd = openSync(fifo, "w");
      // 500 writes of 3 KiB into buffers of 10 KiB: reads fill a buffer's free end in parts.
      const child = writer(500, 3 * 1024, 1, writeEnd);
      closeSync(writeEnd);
      let buffer = Buffer.alloc(10 * 1024);
      let used = 0;
      let elsewhere = 0;
      const parts: Buffer[] = [];
      let made!: PacedReader;
      await new Promise<void>((resolve, reject) => {
        made = new PacedReader(fd, {
          paceMs: 10,
          space: () => {
            if (used === buffer.length) [buffer, used] = [Buffer.alloc(10 * 1024), 0];
            return buffer.subarray(used);
          },
          onData: (data) => {
            if (data.buffer !== buffer.buffer || data.byteOffset !== buffer.byteOffset + used) elsewhere++;
            used += data.length;
            parts.push(Buffer.from(data));
          },
          onEnd: (error) => (error ? reject(error) : resolve()),
        });
      });
      expect(child.exitCode ?? (await new Promise((r) => child.once("exit", r)))).toBe(0);
      expect(Buffer.concat(parts).equals(expected(500, 3 * 1024))).toBe(true);
      expect(elsewhere).toBe(0);
      // Paced: far fewer reads than writes, though a full buffer (every 10 KiB) is read again at once.
      expect(made.reads).toBeLessThan(500 / 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads a lone write at once and holds the next read for the pace", async () => {
    // Two writes 50 ms apart after a quiet start, each carrying the writer's clock: the
    // first is read as it comes, the second only once the pace (300 ms) has passed. The
    // writer outlives both: at a child's exit Node resumes its paused stdout.
    const code = `setTimeout(() => { process.stdout.write("a" + Date.now() + ";"); setTimeout(() => process.stdout.write("b" + Date.now() + ";"), 50); setTimeout(() => {}, 1000); }, 300);`;
    const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
    const reads: { at: number; text: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      new PacedReader(child.stdout, { paceMs: 300, onData: (data) => reads.push({ at: Date.now(), text: data.toString() }), onEnd: (error) => (error ? reject(error) : resolve()) });
    });
    expect(reads.map((r) => r.text[0])).toEqual(["a", "b"]);
    const written = reads.map((r) => Number(r.text.slice(1, -1)));
    expect(reads[0]!.at - written[0]!).toBeLessThan(150);
    expect(reads[1]!.at - reads[0]!.at).toBeGreaterThanOrEqual(295);
    expect(reads[1]!.at - written[1]!).toBeGreaterThanOrEqual(200);
  });

  it("holds add up: reading resumes once every hold is released", async () => {
    const input = new PassThrough();
    const parts: string[] = [];
    const reader = new PacedReader(input, { paceMs: 0, onData: (data) => parts.push(data.toString()), onEnd: () => {} });
    input.write("one");
    await new Promise((r) => setImmediate(r));
    expect(parts).toEqual(["one"]);
    const first = reader.hold();
    const second = reader.hold();
    input.write("two");
    await new Promise((r) => setTimeout(r, 20));
    expect(parts).toEqual(["one"]);
    first();
    first();
    await new Promise((r) => setTimeout(r, 20));
    expect(parts).toEqual(["one"]);
    second();
    await new Promise((r) => setTimeout(r, 20));
    expect(parts).toEqual(["one", "two"]);
  });

  it("after stop() nothing more is delivered, not even the end", async () => {
    const input = new PassThrough();
    const seen: string[] = [];
    const reader = new PacedReader(input, { paceMs: 5, onData: (data) => seen.push(data.toString()), onEnd: () => seen.push("end") });
    input.write("x");
    await new Promise((r) => setImmediate(r));
    reader.stop();
    input.end("y");
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual(["x"]);
  });
});
