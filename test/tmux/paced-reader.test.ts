/** The capture's pipe reading: paced after reads that empty the pipe, held while the spool catches up. */
import { spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { PacedReader } from "../../src/tmux/paced-reader.js";

/**
 * A writer process on a real pipe: `pieces` writes of `size` bytes, one every `everyMs` (piece
 * i filled with i % 251), then exits.
 */
function writer(pieces: number, size: number, everyMs: number) {
  const code = `let i = 0; const t = setInterval(() => { process.stdout.write(Buffer.alloc(${size}, i % 251)); if (++i === ${pieces}) { clearInterval(t); } }, ${everyMs});`;
  return spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
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
    const { reader, done } = readAll((o) => new PacedReader(child.stdout, o), 10);
    const got = await done;
    expect(got.equals(expected(1000, 1024))).toBe(true);
    expect(reader.reads).toBeLessThan(1000 / 4);
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
