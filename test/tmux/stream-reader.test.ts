/** The capture's reading of an input that is not a blocking pipe: Node's stream, held while the spool catches up. */
import { spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { StreamReader } from "../../src/tmux/stream-reader.js";

describe("StreamReader", () => {
  it("reads a child's pipe to the end, every byte in order", async () => {
    const code = `for (let i = 0; i < 200; i++) process.stdout.write(Buffer.alloc(3000, i % 251));`;
    const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
    const parts: Buffer[] = [];
    let reader!: StreamReader;
    await new Promise<void>((resolve, reject) => {
      reader = new StreamReader(child.stdout, { onData: (data) => parts.push(data), onEnd: (error) => (error ? reject(error) : resolve()) });
    });
    expect(Buffer.concat(parts).equals(Buffer.concat(Array.from({ length: 200 }, (_, i) => Buffer.alloc(3000, i % 251))))).toBe(true);
    expect(reader.reads).toBe(parts.length);
  });

  it("holds add up: reading resumes once every hold is released", async () => {
    const input = new PassThrough();
    const parts: string[] = [];
    const reader = new StreamReader(input, { onData: (data) => parts.push(data.toString()), onEnd: () => {} });
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
    const reader = new StreamReader(input, { onData: (data) => seen.push(data.toString()), onEnd: () => seen.push("end") });
    input.write("x");
    await new Promise((r) => setImmediate(r));
    reader.stop();
    input.end("y");
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual(["x"]);
  });
});
