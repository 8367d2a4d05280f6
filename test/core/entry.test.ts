import { describe, expect, it } from "vitest";
import { canonicalize, sha256, toHex } from "../../src/core/encoding/index.js";
import { chainHash, entryLeafHash, GENESIS_CHAIN_HASH, leafData, leafObject, type EntryMetadata, checkPreparedEvent, normalizeEvent, prepareEvent } from "../../src/core/entry/index.js";
import { CoreError } from "../../src/core/errors.js";
import { leafHash } from "../../src/core/merkle/index.js";

const base: EntryMetadata = {
  log: "example.com/log", seq: 41, kind: "config.change", actor: "alice", action: "set",
  resource: "db/max_connections", outcome: "success", source: "cli",
  occurredAt: "2026-11-22T01:02:03.004Z", recordedAt: "2026-11-22T01:02:03.005Z",
  tags: ["chd", "prod"], payloadHash: sha256("{}"),
};

describe("entry leaf", () => {
  const strings = ["", "plain", 'q"uote', "back\\slash", "new\nline", "\u0001\u001f", "é€😀", "\u2028\u2029", "</script>"];
  it("is the RFC 8785 canonical JSON of the metadata, for awkward strings too", () => {
    for (const s of strings) {
      const m = { ...base, actor: s, action: s, resource: s, source: s, kind: "custom", tags: [s, "z"].sort() };
      expect(leafData(m)).toBe(canonicalize(leafObject(m)));
      expect(toHex(entryLeafHash(m))).toBe(toHex(leafHash(Buffer.from(leafData(m), "utf8"))));
    }
  });

  it("is SHA-256 of \"\\0\" + leafData for logs and leaf versions hashed in turn", () => {
    const hex64 = "ab".repeat(32);
    for (let i = 0; i < 200; i++) {
      const m: EntryMetadata = { ...base, log: `example.com/log-${i % 3}`, seq: i, ...(i % 2 ? { v: 2 as const, actor: hex64, resource: hex64 } : {}) };
      expect(toHex(entryLeafHash(m))).toBe(toHex(sha256("\u0000" + leafData(m))));
    }
  });

  it("changes with every field it commits to", () => {
    const changes: Partial<EntryMetadata>[] = [
      { log: "other/log" }, { seq: 42 }, { kind: "deploy" }, { actor: "bob" }, { action: "unset" },
      { resource: "db/x" }, { outcome: "failure" }, { source: "api" }, { occurredAt: "2026-11-22T01:02:03.000Z" },
      { recordedAt: "2026-11-22T01:02:03.006Z" }, { tags: ["chd"] }, { payloadHash: sha256("[]") },
    ];
    const seen = new Set([toHex(entryLeafHash(base))]);
    for (const c of changes) seen.add(toHex(entryLeafHash({ ...base, ...c })));
    expect(seen.size).toBe(changes.length + 1);
  });

  it("chains from 32 zero bytes", () => {
    const leaf = entryLeafHash(base);
    expect(toHex(chainHash(GENESIS_CHAIN_HASH, leaf))).toBe(toHex(sha256(Buffer.concat([Buffer.alloc(32), leaf]))));
  });
});

describe("event normalisation", () => {
  const now = new Date("2026-11-22T10:00:00.123456Z");
  const ok = { kind: "deploy", actor: "a", action: "b", resource: "c" };
  it("fills defaults and canonicalises payload, tags and time", () => {
    const e = normalizeEvent({ ...ok, tags: ["b", "a", "b"], payload: { z: 1, a: [true, null] }, occurredAt: "2026-11-22T11:00:00.5+01:00" }, now);
    expect(e.outcome).toBe("success");
    expect(e.source).toBe("sealtrail");
    expect(e.tags).toEqual(["a", "b"]);
    expect(e.payload).toBe('{"a":[true,null],"z":1}');
    expect(e.occurredAt).toBe("2026-11-22T10:00:00.500Z");
    expect(normalizeEvent(ok, now).occurredAt).toBe("2026-11-22T10:00:00.123Z");
    expect(normalizeEvent({ ...ok, occurredAt: "2024-02-29T23:59:59Z" }, now).occurredAt).toBe("2024-02-29T23:59:59.000Z");
  });

  it("refuses what cannot be stored or hashed, with ENTRY_INVALID", () => {
    const bad: unknown[] = [
      { ...ok, kind: "UPPER" }, { ...ok, kind: "a..b" }, { ...ok, actor: "" }, { ...ok, actor: 7 },
      { ...ok, resource: "x\u0000y" }, { ...ok, action: "\udc00" }, { ...ok, outcome: "ok" },
      { ...ok, occurredAt: "2026-11-22 10:00" }, { ...ok, occurredAt: "2026-13-40T00:00:00Z" }, { ...ok, occurredAt: "2024-02-30T00:00:00Z" },
      { ...ok, occurredAt: "2023-02-29T00:00:00Z" }, { ...ok, occurredAt: "2026-01-01T24:00:00Z" }, { ...ok, occurredAt: "0000-06-01T00:00:00Z" },
      { ...ok, tags: "prod" }, { ...ok, tags: Array.from({ length: 65 }, (_, i) => `t${i}`) },
      { ...ok, actor: "x".repeat(1025) }, { ...ok, idempotencyKey: "sealtrail:seq:1" }, null,
    ];
    for (const b of bad) {
      let error: unknown;
      try {
        normalizeEvent(b as never, now);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(b)).toBeInstanceOf(CoreError);
      expect((error as CoreError).code).toBe("ENTRY_INVALID");
    }
    expect(() => normalizeEvent({ ...ok, payload: { x: Infinity } }, now)).toThrow(CoreError);
    expect(() => normalizeEvent({ ...ok, payload: "x".repeat(100) }, now, 50)).toThrow(/at most 50/);
  });
});

describe("prepared events (what an ingest job carries)", () => {
  const now = new Date("2026-11-22T10:00:00.123Z");
  const input = {
    kind: "deploy", actor: "ci-bot", action: "finish", resource: "svc/api", outcome: "failure", source: "github",
    tags: ["prod", "chd", "prod"], payload: { z: 1, a: ["é", 0.1] }, occurredAt: "2026-11-22T11:00:00.5+01:00", idempotencyKey: "k-1",
  };

  it("is normalizeEvent's result less the payload hash, which checkPreparedEvent computes from the same text", () => {
    const prepared = prepareEvent(input, now);
    const { payloadHash, ...rest } = normalizeEvent(input, now);
    expect(prepared).toEqual(rest);
    expect(prepared).not.toHaveProperty("payloadHash");
    // Through the queue and back (JSON), then taken as it is.
    const checked = checkPreparedEvent(JSON.parse(JSON.stringify(prepared)));
    expect(checked).toEqual({ ...rest, payloadHash });
    expect(toHex(checked.payloadHash)).toBe(toHex(sha256('{"a":["é",0.1],"z":1}')));
  });

  it("refuses a NUL in a payload string or member name at any depth, and keeps a literal backslash before u0000", () => {
    for (const payload of [{ k: "a\u0000b" }, { ["k\u0000"]: 1 }, { a: [{ b: ["x", "\u0000"] }] }, { a: "\\\u0000" }]) {
      expect(() => prepareEvent({ ...input, payload }, now), JSON.stringify(payload)).toThrow(/payload: a string contains NUL/);
    }
    const literal = prepareEvent({ ...input, payload: { a: "\\u0000", b: "\\\\u0000" } }, now);
    expect(literal.payload).toBe(String.raw`{"a":"\\u0000","b":"\\\\u0000"}`);
    expect(checkPreparedEvent(JSON.parse(JSON.stringify(literal))).payload).toBe(literal.payload);
  });

  it("refuses a prepared event that breaks any rule it can check cheaply, with ENTRY_INVALID", () => {
    const ok = prepareEvent(input, now);
    const bad: unknown[] = [
      { ...ok, kind: "UPPER" }, { ...ok, actor: "" }, { ...ok, actor: 7 }, { ...ok, resource: "x\u0000y" }, { ...ok, action: "\udc00" },
      { ...ok, outcome: "ok" }, { ...ok, outcome: undefined }, { ...ok, source: "" },
      // Timestamps must be in canonical form already, not merely valid.
      { ...ok, occurredAt: "2026-11-22T11:00:00.5+01:00" }, { ...ok, occurredAt: "2026-11-22T10:00:00Z" }, { ...ok, occurredAt: "2024-02-30T00:00:00.000Z" },
      // Tags sorted and unique, as normalizeTags leaves them.
      { ...ok, tags: ["prod", "chd"] }, { ...ok, tags: ["chd", "chd"] }, { ...ok, tags: "prod" }, { ...ok, tags: [""] },
      { ...ok, payload: { a: 1 } }, { ...ok, payload: "" }, { ...ok, payload: '{"a":"\udc00"}' },
      // The payload string rule: no NUL in a payload string or member name, at any depth.
      { ...ok, payload: '{"a":"x\\u0000y"}' }, { ...ok, payload: '{"a\\u0000":1}' }, { ...ok, payload: '{"a":[{"b":"\\\\\\u0000"}]}' },
      { ...ok, idempotencyKey: "sealtrail:seq:1" }, { ...ok, idempotencyKey: 5 }, null, "event",
    ];
    for (const b of bad) {
      let error: unknown;
      try {
        checkPreparedEvent(b);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(b)).toBeInstanceOf(CoreError);
      expect((error as CoreError).code).toBe("ENTRY_INVALID");
    }
    expect(() => checkPreparedEvent({ ...ok, payload: JSON.stringify("x".repeat(100)) }, 50)).toThrow(/at most 50/);
  });
});
