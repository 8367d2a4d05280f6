import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_TREE_SIZE, formatCheckpoint, parseCheckpoint, signCheckpoint, verifyCheckpoint, privateKeyFromSeed, rawPublicKey, ed25519Signer, ed25519Verifier, openNote, verifierFromVkey } from "../../src/core/note/index.js";
import { sha256 } from "../../src/core/encoding/index.js";
import { generateCheckpointVectors, type CheckpointVector } from "../vectors/generate-checkpoints.js";
import { errorCode } from "../support/errors.js";

const vectors = JSON.parse(
  readFileSync(new URL("../vectors/checkpoints.json", import.meta.url), "utf8"),
) as CheckpointVector[];


const ORIGIN = "example.com/log";
const seed = new Uint8Array(32).fill(42);
const signer = ed25519Signer(ORIGIN, privateKeyFromSeed(seed));
const verifier = ed25519Verifier(ORIGIN, rawPublicKey(privateKeyFromSeed(seed)));
const root = new Uint8Array(sha256("root"));

describe("checkpoint golden vectors", () => {
  it("the committed file is what the generator produces", () => {
    expect(vectors).toEqual(generateCheckpointVectors());
  });

  it("covers every outcome", () => {
    const outcomes = new Set(vectors.map((v) => v.wantErr));
    expect(outcomes).toEqual(new Set([false, "NOTE_MALFORMED", "SIGNATURE_INVALID", "CHECKPOINT_MALFORMED"]));
  });

  it.each(vectors.map((v) => [v.desc, v] as const))("%s", (_desc, v) => {
    const verify = () => verifyCheckpoint(v.note, verifierFromVkey(v.vkey));
    if (v.wantErr) {
      expect(errorCode(verify)).toBe(v.wantErr);
      return;
    }
    const cp = verify();
    expect({
      origin: cp.origin,
      size: cp.size.toString(),
      root: Buffer.from(cp.root).toString("base64"),
      extensions: cp.extensions,
    }).toEqual(v.want);
    // The same note as bytes gives the same checkpoint.
    expect(verifyCheckpoint(new TextEncoder().encode(v.note), verifierFromVkey(v.vkey))).toEqual(cp);
  });
});

describe("formatCheckpoint and parseCheckpoint", () => {
  it("formats the three lines and round-trips", () => {
    const text = formatCheckpoint({ origin: ORIGIN, size: 20852163, root });
    expect(text).toBe(`${ORIGIN}\n20852163\n${Buffer.from(root).toString("base64")}\n`);
    expect(parseCheckpoint(text)).toEqual({ origin: ORIGIN, size: 20852163n, root, extensions: [] });
  });

  it("round-trips extensions and uint64 sizes", () => {
    const cp = { origin: ORIGIN, size: MAX_TREE_SIZE, root, extensions: ["a b", "c"] };
    expect(parseCheckpoint(formatCheckpoint(cp))).toEqual(cp);
  });

  it("parses the tlog-checkpoint spec's example text and origins that are not URLs", () => {
    const cp = parseCheckpoint("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
    expect(cp.origin).toBe("example.com/behind-the-sofa");
    expect(cp.size).toBe(20852163n);
    expect(cp.root).toHaveLength(32);
    // Origins may hold spaces: clients MUST NOT assume the origin is a URL ("Note text" item 1).
    expect(parseCheckpoint(`my log\n0\n${Buffer.from(root).toString("base64")}\n`).origin).toBe("my log");
  });

  it.each<[string, unknown]>([
    ["empty origin", { origin: "", size: 1, root }],
    ["origin with a newline", { origin: "a\nb", size: 1, root }],
    ["origin with a control character", { origin: "a\tb", size: 1, root }],
    ["negative size", { origin: ORIGIN, size: -1, root }],
    ["fractional size", { origin: ORIGIN, size: 1.5, root }],
    ["unsafe integer size", { origin: ORIGIN, size: 2 ** 53, root }],
    ["NaN size", { origin: ORIGIN, size: NaN, root }],
    ["size 2^64", { origin: ORIGIN, size: MAX_TREE_SIZE + 1n, root }],
    ["string size", { origin: ORIGIN, size: "1", root }],
    ["31-byte root", { origin: ORIGIN, size: 1, root: root.subarray(1) }],
    ["empty extension", { origin: ORIGIN, size: 1, root, extensions: [""] }],
    ["extension with a newline", { origin: ORIGIN, size: 1, root, extensions: ["a\n"] }],
  ])("formatCheckpoint rejects %s with INVALID_ARGUMENT", (_desc, cp) => {
    expect(errorCode(() => formatCheckpoint(cp as Parameters<typeof formatCheckpoint>[0]))).toBe("INVALID_ARGUMENT");
  });

  it.each([
    ["no final newline", `${ORIGIN}\n1\n${Buffer.from(root).toString("base64")}`],
    ["CRLF", `${ORIGIN}\r\n1\r\n${Buffer.from(root).toString("base64")}\r\n`],
    ["lone surrogate", `\ud800\n1\n${Buffer.from(root).toString("base64")}\n`],
    ["empty text", ""],
    ["a single newline", "\n"],
    ["trailing empty extension line", `${ORIGIN}\n1\n${Buffer.from(root).toString("base64")}\n\n`],
  ])("parseCheckpoint rejects %s with CHECKPOINT_MALFORMED", (_desc, text) => {
    expect(errorCode(() => parseCheckpoint(text))).toBe("CHECKPOINT_MALFORMED");
  });
});

describe("signCheckpoint and verifyCheckpoint", () => {
  it("round-trips and is a plain signed note", () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 3n, root, extensions: ["x"] }, signer);
    expect(verifyCheckpoint(note, verifier)).toEqual({ origin: ORIGIN, size: 3n, root, extensions: ["x"] });
    expect(openNote(note, [verifier]).text).toBe(formatCheckpoint({ origin: ORIGIN, size: 3, root, extensions: ["x"] }));
  });

  it("signCheckpoint requires the origin to be the key name", () => {
    expect(errorCode(() => signCheckpoint({ origin: "example.com/other", size: 1, root }, signer))).toBe("INVALID_ARGUMENT");
  });

  it("verifyCheckpoint checks the origin against the key name, or against expectedOrigin", () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 1, root }, signer);
    expect(verifyCheckpoint(note, verifier, ORIGIN).size).toBe(1n);
    expect(errorCode(() => verifyCheckpoint(note, verifier, "example.com/other"))).toBe("SIGNATURE_INVALID");
  });

  it("verifies before parsing: a bad body under a bad signature is SIGNATURE_INVALID", () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 1, root }, signer);
    expect(errorCode(() => verifyCheckpoint(note.replace("\n1\n", "\n01\n"), verifier))).toBe("SIGNATURE_INVALID");
  });

  it("a verifier of another key finds no signature", () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 1, root }, signer);
    const other = ed25519Verifier(ORIGIN, rawPublicKey(privateKeyFromSeed(new Uint8Array(32).fill(1))));
    expect(errorCode(() => verifyCheckpoint(note, other))).toBe("SIGNATURE_INVALID");
  });
});
