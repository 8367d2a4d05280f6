import { describe, expect, it } from "vitest";
import { CastEncoder, castHeaderLine } from "../../src/core/asciicast.js";
import { decodeChunkBody, encodeChunkBody, MAX_CHUNK_BYTES, MAX_CHUNK_SPAN_US, type OutputChunk } from "../../src/core/output-chunk.js";
import { OutputChunker, utf8Boundary } from "../../src/core/output-chunker.js";
import { encodeRecord, RECORD_HEADER_BYTES, recordHeader, scanRecords } from "../../src/core/spool-record.js";
import { terminalText } from "../../src/core/terminal-text.js";

describe("spool records", () => {
  const records = [Buffer.from("first"), Buffer.alloc(0), Buffer.from([0, 255, 1])].map(encodeRecord);
  const spool = Buffer.concat(records);

  it("reads back every complete record", () => {
    const scan = scanRecords(spool);
    expect(scan.bodies.map((b) => b.toString("hex"))).toEqual(["6669727374", "", "00ff01"]);
    expect(scan.validBytes).toBe(spool.length);
    expect(scan.stop).toBeUndefined();
  });

  it("recordHeader over parts makes the same record as encodeRecord over their concatenation", () => {
    const parts = [Buffer.from("head"), Buffer.from([0, 1, 2, 255])];
    expect(Buffer.concat([recordHeader(parts), ...parts]).equals(encodeRecord(Buffer.concat(parts)))).toBe(true);
  });

  it.each([
    ["a torn header", spool.subarray(0, spool.length - records[2]!.length + 5), "incomplete"],
    ["a torn body", spool.subarray(0, spool.length - 1), "incomplete"],
    ["a flipped body bit", Buffer.concat([records[0]!, records[1]!, flip(records[2]!, RECORD_HEADER_BYTES + 1)]), "bad-checksum"],
    ["garbage after the records", Buffer.concat([records[0]!, records[1]!, Buffer.from("garbage-garbage")]), "bad-magic"],
  ])("stops at %s and keeps what precedes it", (_, buffer, stop) => {
    const scan = scanRecords(buffer);
    expect(scan.stop).toBe(stop);
    expect(scan.bodies).toHaveLength(2);
    expect(scan.validBytes).toBe(records[0]!.length + records[1]!.length);
  });
});

function flip(buffer: Buffer, at: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[at]! ^= 0x01;
  return copy;
}

describe("chunk bodies", () => {
  it("round-trip", () => {
    const chunk: OutputChunk = { seq: 2 ** 40, offset: 2 ** 45 + 3, timeUs: 1_700_000_000_123_456, frames: [{ at: 0, afterUs: 0 }, { at: 3, afterUs: 999_999 }], data: Buffer.from([1, 2, 3, 4]) };
    const back = decodeChunkBody(encodeChunkBody(chunk));
    expect({ ...back, data: Buffer.from(back.data) }).toEqual({ ...chunk, data: Buffer.from(chunk.data) });
  });
});

describe("OutputChunker", () => {
  it("cuts at 64 KiB, numbering seqs and offsets without gaps", () => {
    const chunker = new OutputChunker({ seq: 7, offset: 100 });
    const chunks = chunker.push(Buffer.alloc(3 * MAX_CHUNK_BYTES + 10, 0x61), 1_000);
    expect(chunks.map((c) => [c.seq, c.offset, c.data.length])).toEqual([
      [7, 100, MAX_CHUNK_BYTES],
      [8, 100 + MAX_CHUNK_BYTES, MAX_CHUNK_BYTES],
      [9, 100 + 2 * MAX_CHUNK_BYTES, MAX_CHUNK_BYTES],
    ]);
    expect(chunker.pendingBytes).toBe(10);
    expect(chunker.flush(2_000)).toMatchObject({ seq: 10, offset: 100 + 3 * MAX_CHUNK_BYTES });
  });

  it("cuts after one second, with frames for reads that came later", () => {
    const chunker = new OutputChunker({ seq: 0, offset: 0 });
    expect(chunker.push(Buffer.from("ab"), 1_000_000)).toEqual([]);
    expect(chunker.push(Buffer.from("cd"), 1_500_000)).toEqual([]);
    expect(chunker.dueUs).toBe(2_000_000);
    expect(chunker.due(1_999_999)).toEqual([]);
    const [chunk] = chunker.due(2_000_000);
    expect(Buffer.from(chunk!.data).toString()).toBe("abcd");
    expect(chunk!.frames).toEqual([{ at: 0, afterUs: 0 }, { at: 2, afterUs: 500_000 }]);
    expect(chunker.pendingBytes).toBe(0);
  });

  it("never splits a UTF-8 sequence at a cut, and keeps every byte", () => {
    const text = Buffer.from("€".repeat(30_000), "utf8"); // 3 bytes each: 64 KiB falls inside one
    const chunker = new OutputChunker({ seq: 0, offset: 0 });
    const chunks = [...chunker.push(text, 0), chunker.flush(1)!];
    expect(chunks.every((c) => Buffer.from(c.data).toString("utf8").replaceAll("€", "") === "")).toBe(true);
    expect(Buffer.concat(chunks.map((c) => c.data)).equals(text)).toBe(true);
  });

  it("takes a read made into space() where it lies: chunks are views of that buffer", () => {
    const chunker = new OutputChunker({ seq: 0, offset: 0 });
    const space = chunker.space();
    expect(space.length).toBeGreaterThanOrEqual(MAX_CHUNK_BYTES);
    // One read of a chunk and a half: a whole chunk, the rest pending where it lies.
    const read = space.subarray(0, MAX_CHUNK_BYTES + 6);
    read.fill(0x61, 0, MAX_CHUNK_BYTES).set(Buffer.from("hello "), MAX_CHUNK_BYTES);
    const [full] = chunker.push(read, 0);
    expect(full!.data.length).toBe(MAX_CHUNK_BYTES);
    expect(full!.data.buffer).toBe(space.buffer);
    const next = chunker.space();
    expect([next.buffer, next.byteOffset]).toEqual([space.buffer, space.byteOffset + MAX_CHUNK_BYTES + 6]);
    next.set(Buffer.from("world"));
    chunker.push(next.subarray(0, 5), 1);
    const rest = chunker.flush(2)!;
    expect(Buffer.from(rest.data).toString()).toBe("hello world");
    expect([rest.data.buffer, rest.data.byteOffset]).toEqual([space.buffer, space.byteOffset + MAX_CHUNK_BYTES]);
    expect(Buffer.from(full!.data).equals(Buffer.alloc(MAX_CHUNK_BYTES, 0x61))).toBe(true);
  });

  it("begins a new buffer when less than a chunk is free, never writing over bytes a chunk holds", () => {
    const chunker = new OutputChunker({ seq: 0, offset: 0 }, { maxBytes: 4, slabBytes: 10 });
    const first = chunker.space();
    first.set(Buffer.from("abcdefg"));
    const [chunk] = chunker.push(first.subarray(0, 7), 0);
    expect(Buffer.from(chunk!.data).toString()).toBe("abcd");
    // 3 bytes free: a new buffer, holding the pending "efg".
    const second = chunker.space();
    expect(second.buffer).not.toBe(first.buffer);
    expect(second.length).toBe(7);
    second.set(Buffer.from("h"));
    expect(chunker.push(second.subarray(0, 1), 1).map((c) => Buffer.from(c.data).toString())).toEqual(["efgh"]);
    expect(Buffer.from(chunk!.data).toString()).toBe("abcd");
  });

  it("takes a read into a space offered before a time cut where it lies", () => {
    const chunker = new OutputChunker({ seq: 0, offset: 0 });
    chunker.push(Buffer.from("abc"), 0);
    const space = chunker.space();
    const [chunk] = chunker.due(MAX_CHUNK_SPAN_US);
    expect(Buffer.from(chunk!.data).toString()).toBe("abc");
    space.set(Buffer.from("def"));
    expect(chunker.push(space.subarray(0, 3), MAX_CHUNK_SPAN_US + 1)).toEqual([]);
    const next = chunker.flush(MAX_CHUNK_SPAN_US + 2)!;
    expect(Buffer.from(next.data).toString()).toBe("def");
    expect([next.data.buffer, next.data.byteOffset]).toEqual([space.buffer, space.byteOffset]);
    expect(Buffer.from(chunk!.data).toString()).toBe("abc");
  });

  it.each([
    ["chunks and buffers of the product's sizes", {}],
    ["chunks of 7 bytes in buffers of 20", { maxBytes: 7, slabBytes: 20 }],
  ])("keeps every byte, in order and unchanged once cut, over random reads in place and copied: %s", (_, sizes: { maxBytes?: number; slabBytes?: number }) => {
    const max = sizes.maxBytes ?? MAX_CHUNK_BYTES;
    // A seeded generator (mulberry32): the same reads on every run.
    let state = 0x5ea1;
    const random = () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const chunker = new OutputChunker({ seq: 3, offset: 1000 }, sizes);
    const sent: Buffer[] = [];
    const chunks: { chunk: OutputChunk; copy: Buffer }[] = [];
    const keep = (made: OutputChunk[]) => chunks.push(...made.map((chunk) => ({ chunk, copy: Buffer.from(chunk.data) })));
    let now = 0;
    let stale: Uint8Array | undefined;
    // Bytes of which half are UTF-8 lead or continuation bytes, so cuts often move a tail to the next chunk.
    const table = Buffer.from(Array.from({ length: 257 }, () => [0xe2, 0x82, 0xf0, 0xc3][Math.floor(random() * 8)] ?? Math.floor(random() * 256)));
    for (let i = 0; i < 500; i++) {
      const size = random() < 0.3 ? 1 + Math.floor(random() * 10) : Math.floor(random() * 2 * max);
      const from = Math.floor(random() * 257);
      const bytes = Buffer.allocUnsafe(size);
      for (let j = 0; j < size; j++) bytes[j] = table[(from + j) % 257]!;
      now += random() < 0.1 ? MAX_CHUNK_SPAN_US : Math.floor(random() * 3000);
      const how = random();
      if (how < 0.5) {
        // A read into the space offered now (at most its length).
        const space = chunker.space();
        const read = bytes.subarray(0, Math.min(bytes.length, space.length));
        space.set(read);
        sent.push(Buffer.from(read));
        keep(chunker.push(space.subarray(0, read.length), now));
      } else if (how < 0.7 && stale) {
        // A read into a space offered before (a time cut may have come since).
        const read = bytes.subarray(0, Math.min(bytes.length, stale.length));
        stale.set(read);
        sent.push(Buffer.from(read));
        keep(chunker.push(stale.subarray(0, read.length), now));
      } else {
        sent.push(bytes);
        keep(chunker.push(bytes, now));
      }
      // A space offered now and read into only after a time cut, as when the cut's timer
      // fires between two reads; any push in between would make it another read's space.
      stale = random() < 0.3 ? chunker.space() : undefined;
      if (random() < 0.2) keep(chunker.due(now + Math.floor(random() * MAX_CHUNK_SPAN_US)));
    }
    const last = chunker.flush(now);
    if (last) keep([last]);
    expect(Buffer.concat(chunks.map((c) => c.chunk.data)).equals(Buffer.concat(sent))).toBe(true);
    expect(chunks.every((c) => Buffer.from(c.chunk.data).equals(c.copy))).toBe(true);
    expect(chunks.every((c) => c.chunk.data.length > 0 && c.chunk.data.length <= max)).toBe(true);
    let offset = 1000;
    chunks.forEach((c, i) => {
      expect([c.chunk.seq, c.chunk.offset]).toEqual([3 + i, offset]);
      offset += c.chunk.data.length;
    });
  });

  it("utf8Boundary leaves bytes that are not UTF-8 alone", () => {
    expect(utf8Boundary(Buffer.from([0x61, 0xe2, 0x82]))).toBe(1);
    expect(utf8Boundary(Buffer.from([0x61, 0xe2, 0x82, 0xac]))).toBe(4);
    expect(utf8Boundary(Buffer.from([0x80, 0x80, 0x80, 0x80]))).toBe(4);
    expect(utf8Boundary(Buffer.from([0xe2]))).toBe(1);
  });
});

describe("terminalText", () => {
  it("drops control sequences and bytes that are not UTF-8, keeps words, newlines and tabs", () => {
    const bytes = Buffer.concat([Buffer.from("\x1b[1;31mred\x1b[0m\r\n\x1b]0;title\x07a\tb\x1bPdcs\x1b\\ ok\x07\x00", "latin1"), Buffer.from([0xff, 0xfe]), Buffer.from(" café", "utf8")]);
    expect(terminalText(bytes)).toBe("red\na\tb ok café");
  });
});

describe("asciicast", () => {
  it("writes a v2 header and decodes UTF-8 split across chunks", () => {
    expect(castHeaderLine({ width: 80, height: 24, timestamp: 1700000000, title: "s %1" })).toBe('{"version":2,"width":80,"height":24,"timestamp":1700000000,"title":"s %1"}\n');
    const euro = Buffer.from("x€y", "utf8");
    const encoder = new CastEncoder(1_000_000);
    const out =
      encoder.lines({ timeUs: 1_000_000, frames: [{ at: 0, afterUs: 0 }], data: euro.subarray(0, 2) }) +
      encoder.lines({ timeUs: 1_250_000, frames: [{ at: 0, afterUs: 0 }, { at: 2, afterUs: 500_000 }], data: euro.subarray(2) }) +
      encoder.end(2_000_000);
    expect(out.trimEnd().split("\n").map((l) => JSON.parse(l))).toEqual([[0, "o", "x"], [0.25, "o", "€"], [0.75, "o", "y"]]);
  });
});
