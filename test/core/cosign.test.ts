/** C2SP tlog-cosignature (cosignature/v1) lines and k-of-n witness policies. */
import { describe, expect, it } from "vitest";
import { checkPolicy, cosignatureLine, cosignedMessage, cosignerKeyId, cosignerVkey, parseCosignerVkey, verifyCosignature, witnessPolicy } from "../../src/core/cosign/index.js";
import { fromBase64, sha256, toHex } from "../../src/core/encoding/index.js";
import { ed25519Signer, keyId, signCheckpoint } from "../../src/core/note/index.js";
import { testKey } from "../support/keys.js";

const log = testKey();
const note = signCheckpoint({ origin: "example.com/log", size: 5, root: new Uint8Array(32).fill(1) }, ed25519Signer("example.com/log", log.privateKey));
const text = note.slice(0, note.lastIndexOf("\n\n") + 1);

describe("cosignature/v1", () => {
  it("key IDs use type byte 0x04, unlike the note's 0x01", () => {
    const w = testKey();
    const want = sha256(new Uint8Array([...new TextEncoder().encode("w.example\n"), 0x04, ...w.publicKey])).slice(0, 4);
    expect(toHex(cosignerKeyId("w.example", w.publicKey))).toBe(toHex(want));
    expect(toHex(cosignerKeyId("w.example", w.publicKey))).not.toBe(toHex(keyId("w.example", w.publicKey)));
    const vkey = cosignerVkey("w.example", w.publicKey);
    expect(fromBase64(vkey.split("+").slice(2).join("+"))![0]).toBe(0x04);
    expect(parseCosignerVkey(vkey).publicKey).toEqual(w.publicKey);
  });

  it("signs 'cosignature/v1\\ntime T\\n' + the checkpoint body, with the timestamp in the line", () => {
    const w = testKey();
    const line = cosignatureLine("w.example", w.privateKey, text, 1679315147n);
    const raw = fromBase64(line.split(" ")[2]!.trim())!;
    expect(raw.length).toBe(4 + 8 + 64);
    expect(new DataView(raw.buffer, raw.byteOffset).getBigUint64(4)).toBe(1679315147n);
    expect(new TextDecoder().decode(cosignedMessage(text, 1679315147n))).toBe(`cosignature/v1\ntime 1679315147\n${text}`);
    const cosigner = parseCosignerVkey(cosignerVkey("w.example", w.publicKey));
    expect(verifyCosignature(note + line, cosigner)).toBe(1679315147n);
    // Another checkpoint, another key, or an altered timestamp: no cosignature.
    const other = signCheckpoint({ origin: "example.com/log", size: 6, root: new Uint8Array(32) }, ed25519Signer("example.com/log", log.privateKey));
    expect(verifyCosignature(other + line, cosigner)).toBeUndefined();
    expect(verifyCosignature(note + line, parseCosignerVkey(cosignerVkey("w.example", testKey().publicKey)))).toBeUndefined();
    raw[11] = (raw[11]! + 1) & 0xff;
    expect(verifyCosignature(`${note}— w.example ${Buffer.from(raw).toString("base64")}\n`, cosigner)).toBeUndefined();
  });

  it("refuses vkeys of another type or with a wrong key ID", () => {
    const w = testKey();
    const vkey = cosignerVkey("w.example", w.publicKey);
    expect(() => parseCosignerVkey(vkey.replace(/\+[0-9a-f]{8}\+/, "+00000000+"))).toThrow(/does not match/);
    expect(() => parseCosignerVkey("w.example+00000000+AQ==")).toThrow(/type 0x04/);
  });
});

describe("witness policy", () => {
  it("counts the cosigners whose line verifies against the quorum", () => {
    const [a, b, c] = [testKey(), testKey(), testKey()];
    const cosigners = [a, b, c].map((k, i) => parseCosignerVkey(cosignerVkey(`w${i}.example`, k.publicKey)));
    const cosigned = note + cosignatureLine("w0.example", a.privateKey, text, 1n) + cosignatureLine("w2.example", c.privateKey, text, 2n);
    expect(checkPolicy(cosigned, witnessPolicy(cosigners, 2))).toEqual({ met: true, quorum: 2, cosigned: [{ name: "w0.example", time: 1 }, { name: "w2.example", time: 2 }], missing: ["w1.example"] });
    expect(checkPolicy(cosigned, witnessPolicy(cosigners)).met).toBe(false);
    expect(() => witnessPolicy(cosigners, 4)).toThrow(/quorum/);
    expect(() => witnessPolicy(cosigners, 0)).toThrow(/quorum/);
    expect(() => witnessPolicy([cosigners[0]!, cosigners[0]!], 1)).toThrow(/share a name/);
  });
});
