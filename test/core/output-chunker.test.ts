import { describe, expect, it } from "vitest";
import { CastEncoder, castHeaderLine } from "../../src/core/asciicast.js";
import { decodeChunkBody, encodeChunkBody, MAX_CHUNK_BYTES, type OutputChunk } from "../../src/core/output-chunk.js";
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
