import { describe, expect, it } from "vitest";
import { type EntryMetadata, leafData, LEAF_FIELD, LeafBytes } from "../../src/core/entry/index.js";
import { sha256 } from "../../src/core/encoding/index.js";
// A unit test of an internal of the entry domain: the UTF-8 check LeafBytes relies on.
import { validUtf8 } from "../../src/core/entry/utf8.js";

const utf8 = (s: string) => Buffer.from(s, "utf8");

/** The metadata's fields laid out in one byte array, as the verifier finds them in a COPY row. */
function layout(text: Record<"action" | "actor" | "kind" | "outcome" | "resource" | "source", Uint8Array>, payloadHash: Uint8Array, tags: Uint8Array[]) {
  const parts: Uint8Array[] = [];
  const fields = new Int32Array(2 * (LEAF_FIELD.TAGS + tags.length));
  let at = 3; // Not at 0: offsets must be honoured.
  const put = (k: number, bytes: Uint8Array) => {
    parts.push(Buffer.alloc(1, 0xff), bytes);
    at += 1;
    fields[2 * k] = at;
    fields[2 * k + 1] = bytes.length;
    at += bytes.length;
  };
  put(LEAF_FIELD.ACTION, text.action);
  put(LEAF_FIELD.ACTOR, text.actor);
  put(LEAF_FIELD.KIND, text.kind);
  put(LEAF_FIELD.OUTCOME, text.outcome);
  put(LEAF_FIELD.PAYLOAD_HASH, payloadHash);
  put(LEAF_FIELD.RESOURCE, text.resource);
  put(LEAF_FIELD.SOURCE, text.source);
  tags.forEach((t, i) => put(LEAF_FIELD.TAGS + i, t));
  return { src: new Uint8Array(Buffer.concat([Buffer.alloc(3, 0xee), ...parts])), fields };
}

function written(writer: LeafBytes, m: EntryMetadata): Buffer | null {
  const { src, fields } = layout(
    { action: utf8(m.action), actor: utf8(m.actor), kind: utf8(m.kind), outcome: utf8(m.outcome), resource: utf8(m.resource), source: utf8(m.source) },
    m.payloadHash,
    m.tags.map(utf8),
  );
  const out = writer.write(src, fields, m.tags.length, m.seq, Date.parse(m.occurredAt), Date.parse(m.recordedAt));
  return out && Buffer.from(out);
}

const reference = (m: EntryMetadata) => utf8("\0" + leafData(m));

const base: EntryMetadata = {
  log: "example.com/log", seq: 41, kind: "config.change", actor: "alice", action: "set",
  resource: "db/max_connections", outcome: "success", source: "cli",
  occurredAt: "2026-11-22T01:02:03.004Z", recordedAt: "2026-11-22T01:02:03.005Z",
  tags: ["chd", "prod"], payloadHash: sha256("{}"),
};

describe("leaf bytes from stored fields", () => {
  const strings = [
    "", "plain", 'q"uote', "back\\slash", "new\nline", "tab\tcr\r", "\u0001\u001f\u007f", "é€😀", "\u2028\u2029", "</script>",
    "\ufeffbom", "\uffff\ud7ff\ue000", "\u{10ffff}", "mixed é and \"quote\"", "x".repeat(5000), "€".repeat(3000) + '"',
  ];

  it("equals \"\\0\" + leafData for awkward text in every field", () => {
    const writer = new LeafBytes(base.log);
    for (const s of strings) {
      for (const field of ["action", "actor", "kind", "resource", "source", "outcome"] as const) {
        const m = { ...base, [field]: s } as EntryMetadata;
        expect(written(writer, m)).toEqual(reference(m));
      }
      const m = { ...base, tags: [s, s + "z", "plain"] };
      expect(written(writer, m)).toEqual(reference(m));
    }
  });

  it("equals leafData for empty and many tags, every seq, and awkward origins", () => {
    for (const origin of ["example.com/log", 'q"uote/\\log', "ünïcode.example/😀", ""]) {
      const writer = new LeafBytes(origin);
      for (const tags of [[], [""], Array.from({ length: 64 }, (_, i) => `tag-${i}`)]) {
        for (const seq of [0, 1, 9, 10, 65535, 65536, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
          const m = { ...base, log: origin, tags, seq };
          expect(written(writer, m)).toEqual(reference(m));
        }
      }
    }
  });

  it("equals leafData for timestamps across days, years, leap days and the range of Date", () => {
    const times = [
      "1970-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "2000-01-01T00:00:00.000Z", "1999-12-31T23:59:59.999Z",
      "2024-02-29T23:59:59.999Z", "2024-03-01T00:00:00.000Z", "2000-02-29T12:00:00.500Z", "1900-02-28T23:59:59.999Z",
      "1900-03-01T00:00:00.001Z", "2100-02-28T23:59:59.999Z", "2100-03-01T00:00:00.000Z", "0001-01-01T00:00:00.000Z",
      "9999-12-31T23:59:59.999Z", "2026-11-22T09:05:07.010Z", "2026-11-22T10:00:00.100Z", "1600-02-29T01:02:03.004Z",
    ];
    const writer = new LeafBytes(base.log);
    // In order and out of order, so the cached day is both reused and replaced.
    for (const order of [times, [...times].reverse(), [...times, ...times]]) {
      for (let i = 0; i < order.length; i++) {
        const m = { ...base, occurredAt: order[i]!, recordedAt: order[(i + 3) % order.length]! };
        expect(written(writer, m)).toEqual(reference(m));
      }
    }
    // Every millisecond pattern of one second, and every hour and minute of a day.
    for (let ms = 0; ms < 1000; ms++) {
      const t = new Date(Date.UTC(2026, 0, 1, 23, 59, 59, ms)).toISOString();
      expect(written(writer, { ...base, occurredAt: t })).toEqual(reference({ ...base, occurredAt: t }));
    }
    for (let minute = 0; minute < 24 * 60; minute += 7) {
      const t = new Date(Date.UTC(1965, 5, 30, 0, minute, minute % 60, 999)).toISOString();
      expect(written(writer, { ...base, recordedAt: t })).toEqual(reference({ ...base, recordedAt: t }));
    }
  });

  it("equals leafData over the decoded text for bytes that are not UTF-8", () => {
    const writer = new LeafBytes(base.log);
    const bad = [[0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8], [0xc3], [0x61, 0xe2, 0x82], [0xff, 0x22, 0x0a]];
    for (const bytes of bad) {
      const raw = Uint8Array.from([0x61, ...bytes, 0x7a]);
      const text = Buffer.from(raw).toString("utf8");
      for (const field of ["actor", "outcome"] as const) {
        const fields = { action: utf8("a"), actor: utf8("b"), kind: utf8("k"), outcome: utf8("success"), resource: utf8("r"), source: utf8("s"), [field]: raw };
        const { src, fields: offsets } = layout(fields, base.payloadHash, [raw]);
        const m: EntryMetadata = { ...base, action: "a", actor: "b", kind: "k", resource: "r", source: "s", [field]: text, tags: [text] } as EntryMetadata;
        expect(Buffer.from(writer.write(src, offsets, 1, m.seq, Date.parse(m.occurredAt), Date.parse(m.recordedAt))!)).toEqual(reference(m));
      }
    }
  });

  it("equals leafData for random text", () => {
    const writer = new LeafBytes(base.log);
    const alphabet = ["a", "Z", "0", " ", '"', "\\", "\n", "\u0000", "\u001f", "\u007f", "é", "€", "😀", "\u2028", "\ufffd", "/"];
    let seed = 1;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const text = () => Array.from({ length: random(12) }, () => alphabet[random(alphabet.length)]).join("");
    for (let i = 0; i < 2000; i++) {
      const m = { ...base, action: text(), actor: text(), resource: text(), source: text(), tags: Array.from({ length: random(4) }, text) };
      expect(written(writer, m)).toEqual(reference(m));
    }
  });

  it("takes no timestamp Date cannot hold", () => {
    const writer = new LeafBytes(base.log);
    const { src, fields } = layout({ action: utf8("a"), actor: utf8("b"), kind: utf8("k"), outcome: utf8("success"), resource: utf8("r"), source: utf8("s") }, base.payloadHash, []);
    for (const ms of [Number.NaN, Infinity, 8.64e15 + 1, -8.64e15 - 1, 0.5]) {
      expect(writer.write(src, fields, 0, 0, ms, 0)).toBeNull();
      expect(writer.write(src, fields, 0, 0, 0, ms)).toBeNull();
    }
    for (const ms of [8.64e15, -8.64e15]) {
      const iso = new Date(ms).toISOString();
      expect(Buffer.from(writer.write(src, fields, 0, 0, ms, ms)!)).toEqual(
        reference({ ...base, action: "a", actor: "b", kind: "k", resource: "r", source: "s", tags: [], seq: 0, occurredAt: iso, recordedAt: iso }),
      );
    }
  });
});

describe("leaf bytes from metadata", () => {
  it("equals \"\\0\" + leafData for awkward text, lone surrogates included, tags, seqs and times", () => {
    const strings = ["", "plain", 'q"uote', "back\\slash", "new\nline", "\u0001\u001f\u007f", "é€😀", "\u2028\u2029", "lone \ud800 high", "lone \udc00 low", "x".repeat(3000), "€".repeat(2000)];
    for (const origin of ["example.com/log", 'q"uote/\\log']) {
      const writer = new LeafBytes(origin);
      for (const s of strings) {
        for (const field of ["action", "actor", "kind", "resource", "source", "outcome"] as const) {
          const m = { ...base, log: origin, [field]: s } as EntryMetadata;
          expect(Buffer.from(writer.writeMetadata(m))).toEqual(reference(m));
        }
        for (const tags of [[], [s], [s, "z" + s, "plain"]]) {
          for (const seq of [0, 7, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
            const m = { ...base, log: origin, tags, seq, occurredAt: "0001-01-01T00:00:00.000Z", recordedAt: "9999-12-31T23:59:59.999Z" };
            expect(Buffer.from(writer.writeMetadata(m))).toEqual(reference(m));
          }
        }
      }
    }
  });

  it("refuses metadata of another log", () => {
    expect(() => new LeafBytes("a/log").writeMetadata({ ...base, log: "b/log" })).toThrow(/log/);
  });
});

describe("validUtf8", () => {
  it("accepts exactly the bytes that decode and re-encode to themselves", () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const interesting = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff];
    for (let i = 0; i < 20000; i++) {
      const bytes = Uint8Array.from({ length: 1 + random(6) }, () => (random(2) ? interesting[random(interesting.length)]! : random(256)));
      const roundTrip = Buffer.from(Buffer.from(bytes).toString("utf8"), "utf8").equals(bytes);
      expect(validUtf8(bytes, 0, bytes.length), Buffer.from(bytes).toString("hex")).toBe(roundTrip);
    }
  });
});
