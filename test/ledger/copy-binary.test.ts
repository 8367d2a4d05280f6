import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { copyChunks, CopyRowParser, int8, int8At, readBinaryCopy, readCopyRows, timestampMs, timestampMsAt } from "../../src/ledger/postgres/copy-binary.js";

const int8Bytes = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};

/** A binary COPY stream of rows of (int8, text, bytea-or-NULL), as Postgres sends it. */
function copyData(rows: [bigint, string, Buffer | null][]): Buffer {
  const parts: Buffer[] = [Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(4), Buffer.from([0, 0, 0, 2, 0xab, 0xcd])];
  for (const [n, text, bytes] of rows) {
    const field = (b: Buffer | null) => {
      const len = Buffer.alloc(4);
      len.writeInt32BE(b === null ? -1 : b.length);
      return b === null ? [len] : [len, b];
    };
    parts.push(Buffer.from([0, 3]), ...field(int8Bytes(n)), ...field(Buffer.from(text)), ...field(bytes));
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

describe("binary COPY rows", () => {
  const rows: [bigint, string, Buffer | null][] = [
    [0n, "", Buffer.alloc(0)],
    [1n, "é€😀", null],
    [2n ** 40n, "x".repeat(300), Buffer.alloc(32, 7)],
    [-5n, "last", Buffer.from([1, 2, 3])],
  ];
  const data = copyData(rows);

  it("gives every row's fields however the stream is cut into chunks", async () => {
    for (let size = 1; size <= data.length; size += size < 40 ? 1 : 37) {
      for (const cuts of [[size], [size, 1, data.length]]) {
        const chunks: Buffer[] = [];
        for (let at = 0, i = 0; at < data.length; i++) {
          const n = cuts[i % cuts.length]!;
          chunks.push(data.subarray(at, at + n));
          at += n;
        }
        const got: unknown[] = [];
        const count = await readCopyRows(Readable.from(chunks), (row, f, n) => {
          expect(n).toBe(3);
          got.push([
            int8At(row, f[0]!),
            row.toString("utf8", f[2]!, f[2]! + f[3]!),
            f[5]! < 0 ? null : Buffer.from(row.subarray(f[4]!, f[4]! + f[5]!)),
          ]);
        });
        expect(count).toBe(rows.length);
        expect(got).toEqual(rows.map(([n, t, b]) => [Number(n), t, b]));
      }
    }
  });

  it("gives the same rows as views", async () => {
    const got: unknown[] = [];
    await readBinaryCopy(Readable.from([data.subarray(0, 30), data.subarray(30)]), (t) => got.push(t.map((f) => f && Buffer.from(f))));
    expect(got).toEqual(rows.map(([n, t, b]) => [int8Bytes(n), Buffer.from(t), b]));
  });

  it("gives the same rows from the stream's bytes kept for later, gathered in blocks however it came", async () => {
    const big: [bigint, string, Buffer | null][] = Array.from({ length: 800 }, (_, i) => [BigInt(i), "é".repeat(i % 300), i % 7 ? Buffer.alloc(i % 90, i) : null]);
    const bytes = copyData(big);
    for (const size of [7, 700, 70_000, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      const kept = await copyChunks(Readable.from(chunks));
      expect(Buffer.concat(kept)).toEqual(bytes);
      const got: unknown[] = [];
      const parser = new CopyRowParser((row, f) => got.push([int8At(row, f[0]!), row.toString("utf8", f[2]!, f[2]! + f[3]!), f[5]! < 0 ? null : Buffer.from(row.subarray(f[4]!, f[4]! + f[5]!))]));
      for (const block of kept) parser.push(block);
      expect(parser.ended).toBe(true);
      expect(got).toEqual(big.map(([n, t, b]) => [Number(n), t, b]));
    }
  });

  it("refuses a stream that ends before its trailer, after reading it all", async () => {
    await expect(readCopyRows(Readable.from([data.subarray(0, data.length - 2)]), () => {})).rejects.toThrow(/before the trailer/);
  });

  it("gives an error thrown by the handler once the stream has ended", async () => {
    let seen = 0;
    const result = readCopyRows(Readable.from([data]), () => {
      seen++;
      throw new Error("no");
    });
    await expect(result).rejects.toThrow("no");
    expect(seen).toBe(1);
  });
});

describe("int8 and timestamptz fields", () => {
  it("read int8 exactly, or NaN beyond the safe integers", () => {
    for (const v of [0n, 1n, 65535n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, -1n, -(2n ** 53n) + 1n]) {
      expect(int8At(int8Bytes(v), 0)).toBe(int8(int8Bytes(v)));
    }
    for (const v of [2n ** 53n, 2n ** 63n - 1n, -(2n ** 53n) - 1n, -(2n ** 63n)]) expect(int8At(int8Bytes(v), 0)).toBeNaN();
  });

  it("read whole milliseconds exactly over the range of timestamptz, and NaN for the rest", () => {
    const PG_EPOCH_US = 946_684_800_000_000n;
    const dates = ["0001-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00.000Z", "1999-12-31T23:59:59.999Z",
      "2000-01-01T00:00:00.001Z", "2024-02-29T12:34:56.789Z", "2262-04-11T23:47:16.855Z", "9999-12-31T23:59:59.999Z"];
    for (const iso of dates) {
      const us = BigInt(Date.parse(iso)) * 1000n - PG_EPOCH_US;
      for (const v of [us, us - 1000n, us + 1000n]) {
        expect(timestampMsAt(int8Bytes(v), 0)).toBe(timestampMs(int8Bytes(v)));
        expect(new Date(timestampMsAt(int8Bytes(v), 0)).toISOString()).toBe(new Date(timestampMs(int8Bytes(v))).toISOString());
      }
      expect(timestampMsAt(int8Bytes(us + 1n), 0)).toBeNaN();
      expect(timestampMsAt(int8Bytes(us - 999n), 0)).toBeNaN();
    }
    // infinity and -infinity: whole milliseconds they are not.
    expect(timestampMsAt(int8Bytes(2n ** 63n - 1n), 0)).toBeNaN();
    expect(timestampMsAt(int8Bytes(-(2n ** 63n)), 0)).toBeNaN();
  });
});
