/**
 * The pure parts of evidence packs: SHA256SUMS text, the pack id and UUIDs, seeded samples,
 * the events line format, and the range proof that a run of entries is exactly part of a
 * signed tree.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { entryLeafHash, payloadHash } from "../../src/core/entry/index.js";
import { fromHex, sha256, toHex } from "../../src/core/encoding/index.js";
import { consistencyProof, rangeNodes, rootFromLeafHashes, RangeAccumulator } from "../../src/core/merkle/index.js";
import { formatEntryLine, parseEntryLine, type PackEntry, derivePackId, formatSha256Sums, packUuid, parseSha256Sums, sampleRank, SampleSelector } from "../../src/core/pack/index.js";
// An internal of the Merkle domain: the frontier a range proof starts from, built independently.
import { subtreeRoot } from "../../src/core/merkle/hash.js";
import { errorCode } from "../support/errors.js";
import { testLeafHashes } from "./merkle-reference.js";

describe("SHA256SUMS", () => {
  it("is what sha256sum -c reads, sorted by path, and parses back", () => {
    const dir = mkdtempSync(join(tmpdir(), "sealtrail-sums-"));
    try {
      const files = { "b.txt": "bee\n", "a/c.json": "{}\n", "report.pdf": "%PDF" };
      for (const [p, text] of Object.entries(files)) {
        execFileSync("mkdir", ["-p", join(dir, p, "..")]);
        writeFileSync(join(dir, p), text);
      }
      const sums = formatSha256Sums(Object.entries(files).map(([path, text]) => ({ path, sha256: sha256(text) })));
      expect(sums.split("\n").slice(0, -1).map((l) => l.slice(66))).toEqual(["a/c.json", "b.txt", "report.pdf"]);
      writeFileSync(join(dir, "SHA256SUMS"), sums);
      expect(execFileSync("sha256sum", ["-c", "--strict", "SHA256SUMS"], { cwd: dir }).toString()).toMatch(/b\.txt: OK/);
      expect(parseSha256Sums(sums).map((f) => [f.path, toHex(f.sha256)])).toEqual(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, t]) => [p, toHex(sha256(t))]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses paths coreutils would escape or that leave the pack, and malformed lines", () => {
    const h = sha256("x");
    for (const path of ["../x", "/etc/passwd", "a//b", "a\\b", "line\nbreak", "./a", ""]) expect(errorCode(() => formatSha256Sums([{ path, sha256: h }])), path).toBe("INVALID_ARGUMENT");
    expect(errorCode(() => formatSha256Sums([{ path: "a", sha256: h }, { path: "a", sha256: h }]))).toBe("INVALID_ARGUMENT");
    for (const text of ["", "abc  x\n", `${toHex(h)}  ../x\n`, `${toHex(h)} x\n`, `${toHex(h)}  x`, `${toHex(h)}  x\n${toHex(h)}  x\n`]) {
      expect(errorCode(() => parseSha256Sums(text)), JSON.stringify(text)).toBe("MANIFEST_MALFORMED");
    }
  });
});

describe("SHA256SUMS vectors (test/vectors/pack-manifests.json)", () => {
  const vectors = JSON.parse(readFileSync(new URL("../vectors/pack-manifests.json", import.meta.url), "utf8")) as {
    format: { desc: string; files: { path: string; sha256: string }[]; wantErr: boolean; want?: string }[];
    parse: { desc: string; text: string; wantErr: boolean; want?: { path: string; sha256: string }[] }[];
  };
  for (const v of vectors.format) {
    it(`format: ${v.desc}`, () => {
      const files = v.files.map((f) => ({ path: f.path, sha256: fromHex(f.sha256)! }));
      if (v.wantErr) expect(errorCode(() => formatSha256Sums(files))).toBe("INVALID_ARGUMENT");
      else expect(formatSha256Sums(files)).toBe(v.want);
    });
  }
  for (const v of vectors.parse) {
    it(`parse: ${v.desc}`, () => {
      if (v.wantErr) expect(errorCode(() => parseSha256Sums(v.text))).toBe("MANIFEST_MALFORMED");
      else expect(parseSha256Sums(v.text).map((f) => ({ path: f.path, sha256: toHex(f.sha256) }))).toEqual(v.want);
    });
  }
});

describe("pack id and UUIDs", () => {
  it("depend on every part of the basis and on nothing else", () => {
    const a = derivePackId({ request: { log: "prod", from: "x" }, size: 10 });
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(derivePackId({ size: 10, request: { from: "x", log: "prod" } })).toBe(a);
    expect(derivePackId({ request: { log: "prod", from: "x" }, size: 11 })).not.toBe(a);
    const u = packUuid(a, "finding:CC8.1");
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(packUuid(a, "finding:CC8.1")).toBe(u);
    expect(packUuid(a, "finding:CC7.1")).not.toBe(u);
  });
});

describe("samples", () => {
  it("are the entries of lowest SHA-256 rank, whatever the order they stream in", () => {
    const seqs = Array.from({ length: 200 }, (_, i) => i);
    const rank = (seq: number) => toHex(sha256(`seed-1\nexample.com/log\n${seq}`));
    const want = [...seqs].sort((a, b) => (rank(a) < rank(b) ? -1 : 1)).slice(0, 7);
    for (const order of [seqs, [...seqs].reverse()]) {
      const s = new SampleSelector<number>(7);
      for (const seq of order) s.offer(sampleRank("seed-1", "example.com/log", seq), seq);
      expect(s.items().map((i) => i.item)).toEqual(want);
    }
    const all = new SampleSelector<number>(500);
    for (const seq of seqs) all.offer(sampleRank("s", "o", seq), seq);
    expect(all.items()).toHaveLength(200);
    expect(new SampleSelector<number>(0).items()).toEqual([]);
    expect(errorCode(() => new SampleSelector(-1))).toBe("INVALID_ARGUMENT");
  });
});

describe("events lines", () => {
  const entry: PackEntry = {
    log: "example.com/prod", seq: 7, kind: "tmux.output", actor: "Zoë", action: "pane.output", resource: "ops", outcome: "success",
    source: "host-1", occurredAt: "2025-03-01T00:00:00.000Z", recordedAt: "2025-03-01T00:00:01.000Z", tags: ["a", "b"],
    payloadHash: payloadHash('{"data":"✓ \\u0007","pane":"%1"}'), payload: '{"data":"✓ \\u0007","pane":"%1"}', leafHash: new Uint8Array(32), chainHash: new Uint8Array(32).fill(1),
  };
  entry.leafHash = entryLeafHash(entry);

  it("are canonical JSON that parses back to the same entry and leaf hash", () => {
    const line = formatEntryLine(entry);
    expect(Object.keys(JSON.parse(line))).toEqual([...Object.keys(JSON.parse(line))].sort());
    const back = parseEntryLine(line, 1);
    const hexed = (e: PackEntry) => ({ ...e, payloadHash: toHex(e.payloadHash), leafHash: toHex(e.leafHash), chainHash: toHex(e.chainHash) });
    expect(hexed(back)).toEqual(hexed(entry));
    expect(toHex(entryLeafHash(back))).toBe(toHex(entry.leafHash));
    expect(parseEntryLine(formatEntryLine({ ...entry, payload: null }), 1).payload).toBeNull();
  });

  it("refuse what a pack must not hold, naming the line", () => {
    const o = JSON.parse(formatEntryLine(entry)) as Record<string, unknown>;
    for (const [field, value] of [["seq", -1], ["seq", "7"], ["outcome", "maybe"], ["leaf_hash", "00"], ["tags", [1]], ["v", 3], ["actor", null]] as const) {
      const bad = JSON.stringify({ ...o, [field]: value });
      expect(() => parseEntryLine(bad, 9), field).toThrow(/events line 9/);
    }
    expect(errorCode(() => parseEntryLine("not json", 3))).toBe("ENTRY_INVALID");
  });
});

describe("range proofs", () => {
  const leaves = testLeafHashes(70);
  const size = 70;
  const root = rootFromLeafHashes(leaves);

  function accumulate(first: number, end: number, run = leaves.slice(first, end)) {
    const frontier = rangeNodes(0, first).map((id) => subtreeRoot(leaves, id.index * 2 ** id.level, (id.index + 1) * 2 ** id.level));
    const acc = new RangeAccumulator(first, frontier);
    for (const l of run) acc.add(l);
    return acc;
  }

  it("accept exactly the leaves [first, end) of the signed tree, for every run", () => {
    for (let first = 0; first <= size; first += 3) {
      for (let end = first; end <= size; end += 5) {
        const acc = accumulate(first, end);
        expect(() => acc.verify(size, consistencyProof(end, size, leaves), root), `${first}..${end}`).not.toThrow();
      }
    }
  });

  it("reject a run with a leaf missing, added, changed or moved", () => {
    const proof = (end: number) => consistencyProof(end, size, leaves);
    const run = leaves.slice(10, 40);
    expect(errorCode(() => accumulate(10, 40, [...run.slice(0, 5), ...run.slice(6)]).verify(size, proof(39), root))).toBe("PROOF_MISMATCH");
    expect(errorCode(() => accumulate(10, 40, [...run, leaves[0]!]).verify(size, proof(41), root))).toBe("PROOF_MISMATCH");
    const changed = [...run];
    changed[3] = sha256("forged");
    expect(errorCode(() => accumulate(10, 40, changed).verify(size, proof(40), root))).toBe("PROOF_MISMATCH");
    const swapped = [...run];
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    expect(errorCode(() => accumulate(10, 40, swapped).verify(size, proof(40), root))).toBe("PROOF_MISMATCH");
    expect(errorCode(() => accumulate(10, 40).verify(size, proof(40), sha256("other root")))).toBe("PROOF_MISMATCH");
    expect(errorCode(() => accumulate(60, 70, leaves.slice(60, 70)).verify(65, [], root))).toBe("PROOF_MISMATCH");
  });
});
