import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/core/encoding/index.js";
import { EntryLineBytes, formatEntryLine, type PackEntry } from "../../src/core/pack/index.js";

const reference = (e: PackEntry) => Buffer.from(`${formatEntryLine(e)}\n`, "utf8");

const base: PackEntry = {
  log: "example.com/log", seq: 41, kind: "config.change", actor: "alice", action: "set",
  resource: "db/max_connections", outcome: "success", source: "cli",
  occurredAt: "2026-11-22T01:02:03.004Z", recordedAt: "2026-11-22T01:02:03.005Z",
  tags: ["chd", "prod"], payloadHash: sha256("{}"), payload: '{"a":"b"}', leafHash: sha256("leaf"), chainHash: sha256("chain"),
};

describe("events lines as bytes", () => {
  const strings = [
    "", "plain", 'q"uote', "back\\slash", "new\nline", "tab\tcr\r", "\u0001\u001f\u007f", "é€😀", "\u2028\u2029", "</script>",
    "lone \ud800 high", "lone \udc00 low", "\ufeffbom", "x".repeat(5000), "€".repeat(3000) + '"',
  ];

  it("are the UTF-8 of formatEntryLine + \"\\n\" for awkward text in every field", () => {
    const lines = new EntryLineBytes();
    for (const s of strings) {
      for (const field of ["log", "action", "actor", "kind", "resource", "source", "outcome", "occurredAt", "recordedAt"] as const) {
        const e = { ...base, [field]: s } as PackEntry;
        expect(Buffer.from(lines.line(e))).toEqual(reference(e));
      }
      for (const e of [{ ...base, tags: [s, "z" + s, "plain"] }, { ...base, payload: JSON.stringify({ text: s }) }]) expect(Buffer.from(lines.line(e))).toEqual(reference(e));
    }
  });

  it("are the UTF-8 of formatEntryLine + \"\\n\" for withheld payloads, empty hashes, seqs, formats, values and erasures", () => {
    const lines = new EntryLineBytes();
    const salt = "ab".repeat(32);
    const entries: PackEntry[] = [
      { ...base, payload: null }, { ...base, tags: [] }, { ...base, payloadHash: new Uint8Array(0), leafHash: new Uint8Array(0) },
      { ...base, seq: 0 }, { ...base, seq: Number.MAX_SAFE_INTEGER },
      { ...base, v: 2, actor: salt, resource: salt, values: { actor: { salt, value: "ålice \"q\"" }, payload: { salt }, resource: { salt, value: "r\n" } } },
      { ...base, v: 2, payload: null, erased: { actor: 7, payload: 9 }, values: { resource: { salt, value: "r" } } },
      { ...base, payload: JSON.stringify({ big: "y".repeat(20_000) }) },
    ];
    // Twice, in turn with a short line: the reused buffer keeps nothing of a longer one.
    for (const e of [...entries, ...entries]) {
      expect(Buffer.from(lines.line(e))).toEqual(reference(e));
      expect(Buffer.from(lines.line(base))).toEqual(reference(base));
    }
  });
});
