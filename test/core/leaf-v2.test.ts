import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalize, sha256, toHex } from "../../src/core/encoding/index.js";
import { entryLeafHash, type EntryMetadata, LeafBytes, leafData, leafObject, SALT_SIZE, valueCommitment } from "../../src/core/entry/index.js";

const vectors = JSON.parse(readFileSync(new URL("../vectors/leaf-formats.json", import.meta.url), "utf8")) as {
  salts: string[];
  commitments: string[];
  v1: { data: string; leaf: string };
  v2: { data: string; leaf: string };
};
const hex = (h: string) => Uint8Array.from(Buffer.from(h, "hex"));
const base = { log: "example.com/vectors", seq: 7, kind: "access", action: "login", outcome: "success" as const, source: "sso", occurredAt: "2026-01-02T03:04:05.678Z", recordedAt: "2026-01-02T03:04:06.000Z", tags: ["prod"] };
const values = ["alice@example.com", "customer/42", '{"i":2}'];

describe("leaf format v2", () => {
  it("matches the documented test vectors (docs/leaf-format.md)", () => {
    const commitments = values.map((v, i) => toHex(valueCommitment(hex(vectors.salts[i]!), v)));
    expect(commitments).toEqual(vectors.commitments);
    const v1: EntryMetadata = { ...base, actor: values[0]!, resource: values[1]!, payloadHash: sha256(values[2]!) };
    const v2: EntryMetadata = { ...base, actor: commitments[0]!, resource: commitments[1]!, payloadHash: hex(commitments[2]!), v: 2 };
    expect(leafData(v1)).toBe(vectors.v1.data);
    expect(toHex(entryLeafHash(v1))).toBe(vectors.v1.leaf);
    expect(leafData(v2)).toBe(vectors.v2.data);
    expect(toHex(entryLeafHash(v2))).toBe(vectors.v2.leaf);
  });

  it("is the canonical JSON of its object, and LeafBytes writes the same bytes from metadata and from stored fields", () => {
    const m: EntryMetadata = { ...base, actor: "ab".repeat(32), resource: "cd".repeat(32), payloadHash: sha256("x"), tags: ["a", "ü\"q"], v: 2 };
    expect(leafData(m)).toBe(canonicalize(leafObject(m)));
    const writer = new LeafBytes(m.log, 2);
    expect(Buffer.from(writer.writeMetadata(m)).toString("utf8")).toBe("\0" + leafData(m));
    // From stored bytes, as the verifier reads a row.
    const parts = [m.action, m.actor, m.kind, m.outcome, "", m.resource, m.source, ...m.tags];
    const payloadHash = m.payloadHash;
    const chunks: Buffer[] = [];
    const fields = new Int32Array(2 * parts.length);
    let at = 0;
    parts.forEach((p, i) => {
      const b = i === 4 ? Buffer.from(payloadHash) : Buffer.from(p, "utf8");
      fields[2 * i] = at;
      fields[2 * i + 1] = b.length;
      chunks.push(b);
      at += b.length;
    });
    const src = Buffer.concat(chunks);
    const written = writer.write(src, fields, m.tags.length, m.seq, Date.parse(m.occurredAt), Date.parse(m.recordedAt));
    expect(Buffer.from(written!).toString("utf8")).toBe("\0" + leafData(m));
    // A v1 writer refuses v2 metadata rather than writing the wrong keys.
    expect(() => new LeafBytes(m.log).writeMetadata(m)).toThrow(/v: got 2, want 1/);
  });

  it("defeats the guessing attack: a v1 payload hash of a short value is confirmed by hashing candidates, a v2 commitment without its salt is not", () => {
    const erased = '{"i":2}';
    const candidates = Array.from({ length: 10_000 }, (_, i) => `{"i":${i}}`);
    const v1Hash = toHex(sha256(erased));
    expect(candidates.filter((c) => toHex(sha256(c)) === v1Hash)).toEqual([erased]);
    const salt = Uint8Array.from({ length: SALT_SIZE }, (_, i) => (i * 37 + 11) & 255);
    const commitment = toHex(valueCommitment(salt, erased));
    // The attacker has the leaf (the commitment) but not the deleted salt: no hashing of the
    // candidates alone, nor with any salt they can pick, matches it.
    expect(candidates.filter((c) => toHex(sha256(c)) === commitment)).toEqual([]);
    expect(candidates.filter((c) => toHex(valueCommitment(new Uint8Array(SALT_SIZE), c)) === commitment)).toEqual([]);
    // With the salt (before erasure) the value still binds.
    expect(candidates.filter((c) => toHex(valueCommitment(salt, c)) === commitment)).toEqual([erased]);
  });
});
