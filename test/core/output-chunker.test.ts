import { describe, expect, it } from "vitest";
import { prng } from "../../bench/support.js";
import { CastEncoder, castHeaderLine, decodeChunkBody, encodeChunkBody, MAX_CHUNK_BYTES, MAX_CHUNK_SPAN_US, type OutputChunk, OutputChunker, utf8Boundary, encodeRecord, RECORD_HEADER_BYTES, recordHeader, scanRecords, terminalText } from "../../src/core/capture/index.js";

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

  it("lays reads end to end in one buffer: chunks are views of it, a read crossing a cut included", () => {
    const chunker = new OutputChunker({ seq: 0, offset: 0 });
    const [full] = chunker.push(Buffer.concat([Buffer.alloc(MAX_CHUNK_BYTES - 2, 0x61), Buffer.from("hello ")]), 0);
    chunker.push(Buffer.from("world"), 1);
    const rest = chunker.flush(2)!;
    expect(full!.data.length).toBe(MAX_CHUNK_BYTES);
    expect(Buffer.from(rest.data).toString()).toBe("llo world");
    expect(rest.data.buffer).toBe(full!.data.buffer);
    expect(rest.data.byteOffset).toBe(full!.data.byteOffset + MAX_CHUNK_BYTES);
  });

  it("begins a new buffer when less than a chunk is free, never writing over bytes a chunk holds", () => {
    const chunker = new OutputChunker({ seq: 0, offset: 0 }, { maxBytes: 4, slabBytes: 10 });
    const [first] = chunker.push(Buffer.from("abcdefg"), 0);
    expect(Buffer.from(first!.data).toString()).toBe("abcd");
    // 3 bytes free after "efg": the next read goes to a new buffer, with "efg" copied over.
    const [second, third] = chunker.push(Buffer.from("hijklm"), 1);
    expect([second, third].map((c) => Buffer.from(c!.data).toString())).toEqual(["efgh", "ijkl"]);
    expect(second!.data.buffer).not.toBe(first!.data.buffer);
    expect(Buffer.from(chunker.flush(2)!.data).toString()).toBe("m");
    expect(Buffer.from(first!.data).toString()).toBe("abcd");
  });

  it.each([
    ["chunks and buffers of the product's sizes", {}],
    ["chunks of 7 bytes in buffers of 20", { maxBytes: 7, slabBytes: 20 }],
  ])("keeps every byte, in order and unchanged once cut, over random reads: %s", (_, sizes: { maxBytes?: number; slabBytes?: number }) => {
    const max = sizes.maxBytes ?? MAX_CHUNK_BYTES;
    // Seeded: the same reads on every run.
    const random = prng(0x5ea1);
    const chunker = new OutputChunker({ seq: 3, offset: 1000 }, sizes);
    const sent: Buffer[] = [];
    const chunks: { chunk: OutputChunk; copy: Buffer }[] = [];
    const keep = (made: OutputChunk[]) => chunks.push(...made.map((chunk) => ({ chunk, copy: Buffer.from(chunk.data) })));
    let now = 0;
    // Bytes of which half are UTF-8 lead or continuation bytes, so cuts often move a tail to the next chunk.
    const table = Buffer.from(Array.from({ length: 257 }, () => [0xe2, 0x82, 0xf0, 0xc3][Math.floor(random() * 8)] ?? Math.floor(random() * 256)));
    const read = Buffer.alloc(2 * max);
    for (let i = 0; i < 500; i++) {
      const size = random() < 0.3 ? 1 + Math.floor(random() * 10) : Math.floor(random() * 2 * max);
      const from = Math.floor(random() * 257);
      // One reused read buffer, as a reader's: the chunker must have copied what it kept.
      const bytes = read.subarray(0, size);
      for (let j = 0; j < size; j++) bytes[j] = table[(from + j) % 257]!;
      now += random() < 0.1 ? MAX_CHUNK_SPAN_US : Math.floor(random() * 3000);
      sent.push(Buffer.from(bytes));
      keep(chunker.push(bytes, now));
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
