/**
 * The console's in-browser verifier (console/src/verify, WebCrypto only) against the server's
 * own core: the same leaf data and leaf hash as entryLeafHash for awkward fields, the same root
 * from every inclusion proof of trees of many sizes, C2SP signed notes and vkeys made by the
 * core accepted, and each kind of wrong input refused. Runs on Node's WebCrypto (the browser's
 * API); the browser tests run the same code in chromium.
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { entryLeafHash, leafData as coreLeafData } from "../../src/core/entry/index.js";
import { consistencyProof, inclusionProof, leafHash, rootFromLeafHashes } from "../../src/core/merkle/index.js";
import { ed25519Signer, rawPublicKey, signCheckpoint, vkeyString } from "../../src/core/note/index.js";
import { leafData, leafHashOf, payloadHashOf, canonicalJson } from "../../console/src/verify/leaf.js";
import { verifyConsistency } from "../../console/src/verify/consistency.js";
import { rootFromInclusionProof } from "../../console/src/verify/merkle.js";
import { openNote, parseCheckpoint, parseVerifierKey } from "../../console/src/verify/note.js";

const hashes = (n: number) => Array.from({ length: n }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${i}`)));

describe("the console's verifier agrees with the core", () => {
  it("builds the same leaf data and leaf hash, for non-ASCII, escapes and tags", async () => {
    const payload = { b: [1, 2.5, "é\u2028"], a: { "\u00e9": null, z: true }, n: -0.000001 };
    const payloadHash = await payloadHashOf(payload);
    const fields = {
      origin: "test.example/ops", seq: 41, kind: "config.change", actor: "zoë \"q\" \\ <a@b>", action: "config.set", resource: "svc/\u0001tab\t",
      outcome: "failure", source: "ci", occurredAt: "2026-01-02T03:04:05.678Z", recordedAt: "2026-01-02T03:04:06.000Z", tags: ["pci", "prod"],
      payloadHash: Buffer.from(payloadHash).toString("base64"),
    };
    const core = { log: fields.origin, seq: fields.seq, kind: fields.kind, actor: fields.actor, action: fields.action, resource: fields.resource, outcome: "failure" as const, source: fields.source, occurredAt: fields.occurredAt, recordedAt: fields.recordedAt, tags: fields.tags, payloadHash };
    expect(leafData(fields)).toBe(coreLeafData(core));
    expect(Buffer.from(await leafHashOf(fields))).toEqual(Buffer.from(entryLeafHash(core)));
    expect(canonicalJson(payload)).toBe('{"a":{"z":true,"é":null},"b":[1,2.5,"é\u2028"],"n":-0.000001}');
  });

  it("walks every inclusion proof of trees of 1 to 70 leaves to the core's root, and no wrong one", async () => {
    for (let size = 1; size <= 70; size++) {
      const leaves = hashes(size);
      const root = Buffer.from(rootFromLeafHashes(leaves));
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(index, size, leaves);
        expect(Buffer.from(await rootFromInclusionProof(index, size, leaves[index]!, proof))).toEqual(root);
        if (size > 1) {
          const other = (index + 1) % size;
          expect(Buffer.from(await rootFromInclusionProof(index, size, leaves[other]!, proof))).not.toEqual(root);
        }
      }
    }
    await expect(rootFromInclusionProof(5, 5, hashes(1)[0]!, [])).rejects.toThrow("not inside a tree");
    await expect(rootFromInclusionProof(0, 4, hashes(1)[0]!, [])).rejects.toThrow("shorter than the tree is deep");
  });

  it("opens the core's signed checkpoints with the core's vkey, and refuses a forged one", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const origin = "test.example/ops";
    const root = rootFromLeafHashes(hashes(9));
    const note = signCheckpoint({ origin, size: 9, root }, ed25519Signer(origin, privateKey));
    const vkey = vkeyString(origin, rawPublicKey(privateKey));
    const key = await parseVerifierKey(vkey);
    const body = parseCheckpoint((await openNote(note, key)).text);
    expect(body).toMatchObject({ origin, size: 9 });
    expect(Buffer.from(body.root)).toEqual(Buffer.from(root));

    const forged = note.replace("\n9\n", "\n8\n");
    await expect(openNote(forged, key)).rejects.toThrow("does not verify");
    const stranger = await parseVerifierKey(vkeyString(origin, rawPublicKey(generateKeyPairSync("ed25519").privateKey)));
    await expect(openNote(note, stranger)).rejects.toThrow("carries key id");
    await expect(parseVerifierKey(vkey.replace(/\+([0-9a-f]{8})\+/, "+00000000+"))).rejects.toThrow("does not match its key");
  });

  it("checks every consistency proof between trees of 1 to 40 leaves against the core's roots, and refuses a changed hash or root", async () => {
    const leaves = hashes(40);
    const roots = [new Uint8Array(32), ...Array.from({ length: 40 }, (_, i) => rootFromLeafHashes(leaves.slice(0, i + 1)))];
    for (let second = 1; second <= 40; second++) {
      for (let first = 1; first <= second; first++) {
        const proof = consistencyProof(first, second, leaves.slice(0, second));
        await verifyConsistency(first, second, roots[first]!, roots[second]!, proof);
        if (proof.length > 0) {
          const bent = proof.map((h, i) => (i === proof.length - 1 ? h.map((b, j) => (j === 0 ? b ^ 1 : b)) : h));
          await expect(verifyConsistency(first, second, roots[first]!, roots[second]!, bent)).rejects.toThrow();
        }
        if (first < second) await expect(verifyConsistency(first, second, roots[first]!, roots[second - 1]!, proof)).rejects.toThrow("signed root");
      }
    }
    await expect(verifyConsistency(3, 2, roots[3]!, roots[2]!, [])).rejects.toThrow("cannot be a prefix");
  });
});
