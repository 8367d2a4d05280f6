import { ed25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import { privateKeyFromSeed, rawPublicKey, MAX_SIGNATURES, ed25519Signer, ed25519Verifier, isValidKeyName, keyId, openNote, parseVerifierKey, signNote, verifierFromVkey, vkeyString, type Signer } from "../../src/core/note/index.js";
import { errorCode } from "../support/errors.js";

// Known vectors from golang.org/x/mod/sumdb/note (note.go doc comment and note_test.go).
const PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG =
  "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/** The Ed25519 seed inside a sumdb "PRIVATE+KEY+name+hash+base64(0x01 || seed)" signer key. */
const peterSeed = Buffer.from(PETER_SKEY.split("+").slice(4).join("+"), "base64").subarray(1);
const peterKey = privateKeyFromSeed(peterSeed);
const peterSigner = ed25519Signer("PeterNeumann", peterKey);
const peter = verifierFromVkey(PETER_VKEY);
const enoch = verifierFromVkey(ENOCH_VKEY);

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");


describe("keys and verifier keys (sumdb/note vectors)", () => {
  it("keyId and vkeyString match the PeterNeumann key", () => {
    const pub = rawPublicKey(peterKey);
    expect(hex(keyId("PeterNeumann", pub))).toBe("c74f20a3");
    expect(hex(peterSigner.keyId)).toBe("c74f20a3");
    expect(vkeyString("PeterNeumann", pub)).toBe(PETER_VKEY);
  });

  it("parseVerifierKey returns name, key ID and raw key", () => {
    const k = parseVerifierKey(PETER_VKEY);
    expect(k.name).toBe("PeterNeumann");
    expect(hex(k.keyId)).toBe("c74f20a3");
    expect(k.publicKey).toEqual(rawPublicKey(peterKey));
    expect(vkeyString(k.name, k.publicKey)).toBe(PETER_VKEY);
  });

  it("rejects every proper substring and every one-character increment (TestNewVerifier)", () => {
    for (let i = 0; i <= PETER_VKEY.length; i++) {
      for (let j = i + 1; j <= PETER_VKEY.length; j++) {
        if (i === 0 && j === PETER_VKEY.length) continue;
        expect(errorCode(() => parseVerifierKey(PETER_VKEY.slice(i, j))), PETER_VKEY.slice(i, j)).toBe("KEY_INVALID");
      }
    }
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const bad = PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
      expect(errorCode(() => parseVerifierKey(bad)), bad).toBe("KEY_INVALID");
    }
  });

  it.each([
    ["wrong key length, adjusted key ID", "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="],
    ["unknown signature type, adjusted key ID", "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"],
    ["uppercase key ID", "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"],
    ["empty", ""],
    ["name with a space", "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"],
  ])("rejects %s", (_desc, vkey) => {
    expect(errorCode(() => parseVerifierKey(vkey))).toBe("KEY_INVALID");
  });

  it.each([
    ["", false],
    ["a+b", false],
    ["a b", false],
    ["a\tb", false],
    ["a\u00a0b", false], // NBSP: Unicode White_Space
    ["a\u2003b", false], // EM SPACE
    ["a\u3000b", false], // IDEOGRAPHIC SPACE
    ["a\u0000b", false],
    ["a\ud800", false],
    ["example.com/log", true],
    ["quasimodo.example/salvatore", true],
    ["日本/ログ", true],
    ["a\u200bb", true], // ZERO WIDTH SPACE is not White_Space (nor is it for Go's unicode.IsSpace)
  ])("isValidKeyName(%j) is %s", (name, want) => {
    expect(isValidKeyName(name)).toBe(want);
  });

  it("keyId and the Ed25519 constructors refuse invalid names and keys", () => {
    const pub = rawPublicKey(peterKey);
    expect(errorCode(() => keyId("a b", pub))).toBe("KEY_INVALID");
    expect(errorCode(() => keyId("ok", pub.subarray(1)))).toBe("KEY_INVALID");
    expect(errorCode(() => ed25519Signer("a+b", peterKey))).toBe("KEY_INVALID");
    expect(errorCode(() => ed25519Verifier("", pub))).toBe("KEY_INVALID");
  });
});

describe("signNote", () => {
  it("reproduces the sumdb/note signed note byte for byte (Ed25519 is deterministic)", () => {
    expect(signNote(TEXT, [peterSigner])).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it("node:crypto and @noble/curves give the same signature", () => {
    const msg = new TextEncoder().encode(TEXT);
    const node = peterSigner.sign(msg);
    expect(node).toEqual(ed25519.sign(msg, new Uint8Array(peterSeed)));
    expect(ed25519.verify(node, msg, rawPublicKey(peterKey))).toBe(true);
  });

  it("signs with several keys in order and round-trips through openNote", () => {
    const other = ed25519Signer("example.com/witness", privateKeyFromSeed(new Uint8Array(32).fill(7)));
    const note = signNote(TEXT, [peterSigner, other]);
    const verifierOther = ed25519Verifier(other.name, rawPublicKey(privateKeyFromSeed(new Uint8Array(32).fill(7))));
    const opened = openNote(note, [verifierOther, peter]);
    expect(opened.text).toBe(TEXT);
    expect(opened.sigs.map((s) => [s.name, s.verified])).toEqual([
      ["PeterNeumann", true],
      ["example.com/witness", true],
    ]);
  });

  it("keeps text with empty lines and an empty last line intact", () => {
    for (const text of ["\n", "a\n\nb\n", "a\n\n", "— looks like a signature\n"]) {
      expect(openNote(signNote(text, [peterSigner]), [peter]).text).toBe(text);
    }
  });

  it.each([
    ["no final newline", "abc", "NOTE_MALFORMED"],
    ["empty", "", "NOTE_MALFORMED"],
    ["control character", "a\tb\n", "NOTE_MALFORMED"],
    ["carriage return", "a\r\n", "NOTE_MALFORMED"],
    ["lone surrogate", "a\ud800\n", "NOTE_MALFORMED"],
  ])("rejects text with %s", (_desc, text, code) => {
    expect(errorCode(() => signNote(text, [peterSigner]))).toBe(code);
  });

  it("rejects bad signers and signer counts", () => {
    const badName: Signer = { ...peterSigner, name: "bad name" };
    const badId: Signer = { ...peterSigner, keyId: new Uint8Array(3) };
    expect(errorCode(() => signNote(TEXT, [badName]))).toBe("KEY_INVALID");
    expect(errorCode(() => signNote(TEXT, [badId]))).toBe("KEY_INVALID");
    expect(errorCode(() => signNote(TEXT, []))).toBe("INVALID_ARGUMENT");
    expect(errorCode(() => signNote(TEXT, Array(MAX_SIGNATURES + 1).fill(peterSigner)))).toBe("INVALID_ARGUMENT");
  });
});

describe("openNote (TestOpen)", () => {
  const both = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
  const sig = (name: string, id: string, verified: boolean) => ({ name, keyId: Buffer.from(id, "hex"), verified });
  const shape = (n: ReturnType<typeof openNote>) => n.sigs.map((s) => ({ ...s, keyId: Buffer.from(s.keyId) }));

  it("one verified, one unknown", () => {
    const n = openNote(both, [peter]);
    expect(n.text).toBe(TEXT);
    expect(shape(n)).toEqual([sig("PeterNeumann", "c74f20a3", true), sig("EnochRoot", "af0cfe78", false)]);
  });

  it("both verified, from a string or from bytes", () => {
    const want = [sig("PeterNeumann", "c74f20a3", true), sig("EnochRoot", "af0cfe78", true)];
    expect(shape(openNote(both, [peter, enoch]))).toEqual(want);
    expect(shape(openNote(new TextEncoder().encode(both), [peter, enoch]))).toEqual(want);
  });

  it("no known key → SIGNATURE_INVALID", () => {
    expect(errorCode(() => openNote(both, []))).toBe("SIGNATURE_INVALID");
  });

  it("same name, other key ID (and same key ID, other name) are unknown keys", () => {
    const otherId = PETER_SIG.replace("x08g", "xxxx");
    const otherName = PETER_SIG.replace("PeterNeumann", "CarmenSandiego");
    expect(shape(openNote(`${TEXT}\n${PETER_SIG}${otherId}${otherName}`, [peter]))).toHaveLength(3);
    expect(errorCode(() => openNote(`${TEXT}\n${otherId}${otherName}`, [peter]))).toBe("SIGNATURE_INVALID");
  });

  it("duplicated verifier: an error only when a signature uses it", () => {
    expect(errorCode(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, peter, enoch]))).toBe("INVALID_ARGUMENT");
    expect(openNote(`${TEXT}\n${PETER_SIG}`, [enoch, peter, enoch]).sigs).toHaveLength(1);
  });

  it("more than MAX_SIGNATURES signatures → NOTE_MALFORMED, known or not", () => {
    const many = `${TEXT}\n${PETER_SIG.repeat(MAX_SIGNATURES + 1)}`;
    expect(errorCode(() => openNote(many, [peter]))).toBe("NOTE_MALFORMED");
    expect(errorCode(() => openNote(many, []))).toBe("NOTE_MALFORMED");
    expect(openNote(`${TEXT}\n${PETER_SIG.repeat(MAX_SIGNATURES)}`, [peter]).sigs).toHaveLength(1);
  });

  it("a failing signature of a known key → SIGNATURE_INVALID, even next to a good one", () => {
    const longer = PETER_SIG.slice(0, 60) + "ABCD" + PETER_SIG.slice(60);
    expect(errorCode(() => openNote(`${TEXT}\n${longer}`, [peter]))).toBe("SIGNATURE_INVALID");
    expect(errorCode(() => openNote(`${TEXT}\n${PETER_SIG}${longer}`, [peter]))).toBe("SIGNATURE_INVALID");
    const flipped = PETER_SIG.slice(0, 30) + (PETER_SIG[30] === "A" ? "B" : "A") + PETER_SIG.slice(31);
    expect(errorCode(() => openNote(`${TEXT}\n${flipped}`, [peter]))).toBe("SIGNATURE_INVALID");
  });

  it("tampered text → SIGNATURE_INVALID", () => {
    expect(errorCode(() => openNote(`${TEXT.replace("you", "we")}\n${PETER_SIG}`, [peter]))).toBe("SIGNATURE_INVALID");
    expect(errorCode(() => openNote(`x${TEXT}\n${PETER_SIG}`, [peter]))).toBe("SIGNATURE_INVALID");
  });

  it("drops repeated signatures: verified once per key, identical unknown lines once", () => {
    const enochABCD = ENOCH_SIG.slice(0, 60) + "ABCD" + ENOCH_SIG.slice(60);
    const n = openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${enochABCD}`, [peter]);
    expect(shape(n)).toEqual([
      sig("PeterNeumann", "c74f20a3", true),
      sig("EnochRoot", "af0cfe78", false),
      sig("EnochRoot", "af0cfe78", false),
    ]);
  });

  it.each([
    ["text only", TEXT],
    ["blank line, no signatures", `${TEXT}\n`],
    ["signature line without newline", `${TEXT}\n${PETER_SIG.slice(0, -1)}`],
    ["control character", `\u0001${TEXT}\n${PETER_SIG}`],
    ["carriage returns", `${TEXT}\n${PETER_SIG}`.replace(/\n/g, "\r\n")],
    ["lone surrogate", `\ud800${TEXT}\n${PETER_SIG}`],
    ["name with a space", `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`],
    ["unexpected line after the signatures", `${TEXT}\n${PETER_SIG}Unexpected line.\n`],
    ["hyphen instead of em dash", `${TEXT}\n${PETER_SIG.replace("—", "-")}`],
    ["en dash instead of em dash", `${TEXT}\n${PETER_SIG.replace("—", "–")}`],
    ["two spaces after the dash", `${TEXT}\n${PETER_SIG.replace("— ", "—  ")}`],
    ["no signature after the name", `${TEXT}\n— PeterNeumann\n`],
    ["empty signature", `${TEXT}\n— PeterNeumann \n`],
    ["signature of 4 bytes", `${TEXT}\n— PeterNeumann x08gow==\n`],
    ["unpadded base64", `${TEXT}\n${PETER_SIG.replace("=\n", "\n")}`],
    ["non-canonical base64 (stray bits)", `${TEXT}\n${PETER_SIG.replace("AM=\n", "AN=\n")}`],
    ["trailing space", `${TEXT}\n${PETER_SIG.replace("=\n", "= \n")}`],
    ["name with a plus", `${TEXT}\n${PETER_SIG.replace("PeterNeumann", "Peter+Neumann")}`],
  ])("%s → NOTE_MALFORMED", (_desc, note) => {
    expect(errorCode(() => openNote(note, [peter]))).toBe("NOTE_MALFORMED");
  });

  it("a blank line between signatures turns the earlier ones into text (the last blank line splits)", () => {
    const note = `${TEXT}\n${PETER_SIG}\n${ENOCH_SIG}`;
    // Peter's line is now text, not a signature; Enoch's signature is over TEXT, not that text.
    expect(errorCode(() => openNote(note, [peter]))).toBe("SIGNATURE_INVALID");
    expect(errorCode(() => openNote(note, [enoch]))).toBe("SIGNATURE_INVALID");
    const resigned = signNote(`${TEXT}\n${PETER_SIG}`, [peterSigner]);
    expect(openNote(resigned, [peter]).text).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it.each([
    ["invalid UTF-8 byte", [0xff]],
    ["UTF-8-encoded surrogate", [0xed, 0xa0, 0x80]],
    ["overlong encoding", [0xc0, 0xaf]],
  ])("bytes with %s → NOTE_MALFORMED", (_desc, bad) => {
    const bytes = Buffer.concat([Buffer.from(bad), Buffer.from(`${TEXT}\n${PETER_SIG}`)]);
    expect(errorCode(() => openNote(bytes, [peter]))).toBe("NOTE_MALFORMED");
  });

  it("keeps a leading byte order mark as text (so it is signed text, not stripped)", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${TEXT}\n${PETER_SIG}`)]);
    expect(errorCode(() => openNote(bytes, [peter]))).toBe("SIGNATURE_INVALID");
  });
});
