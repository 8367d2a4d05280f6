/**
 * Generates test/vectors/checkpoints.json: signed checkpoints (c2sp.org/tlog-checkpoint over
 * c2sp.org/signed-note) and what verifyCheckpoint must make of them.
 *
 *   npx tsx test/vectors/generate-checkpoints.ts
 *
 * Keys come from fixed seeds and Ed25519 is deterministic, so the output is byte-for-byte
 * reproducible; test/core/checkpoint.test.ts checks the committed file against this generator.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatCheckpoint, privateKeyFromSeed, rawPublicKey, ed25519Signer, signNote, vkeyString, type Signer } from "../../src/core/note/index.js";
import { sha256, toBase64 } from "../../src/core/encoding/index.js";

export interface CheckpointVector {
  desc: string;
  vkey: string;
  note: string;
  wantErr: false | "NOTE_MALFORMED" | "SIGNATURE_INVALID" | "CHECKPOINT_MALFORMED";
  /** Present when wantErr is false; size is a decimal string because it may exceed 2^53. */
  want?: { origin: string; size: string; root: string; extensions: string[] };
}

/** TEST ONLY seeds. Never use them for a real log. */
const LOG_SEED = "5ea17a11000000000000000000000000000000000000000000000000000000a1";
const WITNESS_SEED = "5ea17a11000000000000000000000000000000000000000000000000000000b2";
const IMPOSTOR_SEED = "5ea17a11000000000000000000000000000000000000000000000000000000c3";
const ORIGIN = "sealtrail.test/log";
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function key(seedHex: string, name: string): { signer: Signer; vkey: string } {
  const privateKey = privateKeyFromSeed(Buffer.from(seedHex, "hex"));
  return { signer: ed25519Signer(name, privateKey), vkey: vkeyString(name, rawPublicKey(privateKey)) };
}

/**
 * Long: a table of vectors, one line each and in the committed file's order, with the few
 * notes they are built from; cut into pieces it would only be harder to read against the file.
 */
export function generateCheckpointVectors(): CheckpointVector[] {
  const log = key(LOG_SEED, ORIGIN);
  const witness = key(WITNESS_SEED, "sealtrail.test/witness");
  const impostor = key(IMPOSTOR_SEED, ORIGIN); // same name as the log, another key (and key ID)
  const unicodeLog = key(LOG_SEED, "sealtrail.test/журнал");

  const emptyRoot = sha256(new Uint8Array(0)); // RFC 6962 §2.1: MTH({}) = SHA-256()
  const root = sha256("sealtrail checkpoint vectors");
  const root64 = toBase64(root);
  const body = (size: string, rootLine = root64, origin = ORIGIN, ext: string[] = []) =>
    [origin, size, rootLine, ...ext].map((l) => `${l}\n`).join("");
  const good = body("1234");
  const goodNote = signNote(good, [log.signer]);
  const [goodText, goodSig] = [good, goodNote.slice(good.length + 1)];
  const b64 = goodSig.slice(goodSig.lastIndexOf(" ") + 1, -1); // base64 of key ID || signature

  const vectors: CheckpointVector[] = [];
  const ok = (desc: string, note: string, size: string, r: Uint8Array, ext: string[] = [], k = log, origin = ORIGIN) =>
    vectors.push({ desc, vkey: k.vkey, note, wantErr: false, want: { origin, size, root: toBase64(r), extensions: ext } });
  const bad = (desc: string, note: string, wantErr: CheckpointVector["wantErr"], vkey = log.vkey) =>
    vectors.push({ desc, vkey, note, wantErr });
  const signed = (text: string) => signNote(text, [log.signer]);

  // --- valid
  ok("empty tree: size 0 and the SHA-256 of nothing", signed(formatCheckpoint({ origin: ORIGIN, size: 0, root: emptyRoot })), "0", emptyRoot);
  ok("size 1", signed(body("1")), "1", root);
  ok("typical size", goodNote, "1234", root);
  ok("size 2^53 + 1, beyond JS safe integers", signed(body("9007199254740993")), "9007199254740993", root);
  ok("size 2^64 - 1, the largest uint64", signed(body("18446744073709551615")), "18446744073709551615", root);
  ok("one extension line", signed(body("5", root64, ORIGIN, ["ext one"])), "5", root, ["ext one"]);
  ok("two extension lines, one with a leading space", signed(body("5", root64, ORIGIN, ["a", " b"])), "5", root, ["a", " b"]);
  ok("cosigned by an unknown witness key, which is ignored", signNote(good, [log.signer, witness.signer]), "1234", root);
  ok("witness signature first, log signature second", signNote(good, [witness.signer, log.signer]), "1234", root);
  ok("impostor key with the log's name but another key ID is ignored", signNote(good, [impostor.signer, log.signer]), "1234", root);
  ok("the log's signature twice", `${goodNote}${goodSig}`, "1234", root);
  const uText = body("7", root64, unicodeLog.signer.name);
  ok("non-ASCII origin and key name", signNote(uText, [unicodeLog.signer]), "7", root, [], unicodeLog, unicodeLog.signer.name);

  // --- NOTE_MALFORMED: not a signed note
  bad("no blank line before the signature", `${goodText}${goodSig}`, "NOTE_MALFORMED");
  bad("signature line without its final newline", goodNote.slice(0, -1), "NOTE_MALFORMED");
  bad("text and blank line, no signature", `${goodText}\n`, "NOTE_MALFORMED");
  bad("CRLF line endings", goodNote.replace(/\n/g, "\r\n"), "NOTE_MALFORMED");
  bad("tab in the text", `${goodText.replace("1234", "1234\t")}\n${goodSig}`, "NOTE_MALFORMED");
  bad("NUL in the text", `${goodText.replace("\n", "\u0000\n")}\n${goodSig}`, "NOTE_MALFORMED");
  bad("hyphen-minus instead of em dash", goodNote.replace("\u2014", "-"), "NOTE_MALFORMED");
  bad("em dash without the space", goodNote.replace("\u2014 ", "\u2014"), "NOTE_MALFORMED");
  bad("key name with a plus sign", goodNote.replace(`\u2014 ${ORIGIN}`, `\u2014 ${ORIGIN}+x`), "NOTE_MALFORMED");
  bad("signature of 4 bytes: key ID only", `${goodText}\n\u2014 ${ORIGIN} ${toBase64(log.signer.keyId)}\n`, "NOTE_MALFORMED");
  bad("signature base64 without padding", goodNote.replace(b64, b64.replace(/=+$/, "")), "NOTE_MALFORMED");
  bad("line after the signatures", `${goodNote}trailing junk\n`, "NOTE_MALFORMED");
  bad("101 signature lines", `${goodText}\n${goodSig.repeat(101)}`, "NOTE_MALFORMED");

  // --- SIGNATURE_INVALID: well formed, but nothing trustworthy vouches for it
  bad("tree size changed after signing", goodNote.replace("\n1234\n", "\n1235\n"), "SIGNATURE_INVALID");
  bad("root hash changed after signing", goodNote.replace(root64, toBase64(emptyRoot)), "SIGNATURE_INVALID");
  bad("origin changed after signing", goodNote.replace(`${ORIGIN}\n`, "sealtrail.test/lag\n"), "SIGNATURE_INVALID");
  bad("extension line added after signing", `${goodText}ext\n\n${goodSig}`, "SIGNATURE_INVALID");
  const extNote = signed(body("5", root64, ORIGIN, ["ext"]));
  bad("extension line removed after signing", extNote.replace("ext\n", ""), "SIGNATURE_INVALID");
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
  bad("signature byte changed", goodNote.replace(b64, flip(b64, 40)), "SIGNATURE_INVALID");
  const short = toBase64(Buffer.from(b64, "base64").subarray(0, 4 + 61)); // key ID kept, 61 signature bytes
  bad("signature 3 bytes short", goodNote.replace(b64, short), "SIGNATURE_INVALID");
  bad("key ID changed: the signature is from an unknown key", goodNote.replace(b64, flip(b64, 0)), "SIGNATURE_INVALID");
  bad("only a witness signature", signNote(good, [witness.signer]), "SIGNATURE_INVALID");
  bad("signed by an impostor key with the log's name", signNote(good, [impostor.signer]), "SIGNATURE_INVALID");
  bad("a good and a bad signature of the log key", `${goodNote}${goodSig.replace(b64, flip(b64, 40))}`, "SIGNATURE_INVALID");
  bad("validly signed, but the origin is another log's", signed(body("1234", root64, "sealtrail.test/other")), "SIGNATURE_INVALID");
  bad("validly signed, origin with a trailing space", signed(body("1234", root64, `${ORIGIN} `)), "SIGNATURE_INVALID");

  // --- CHECKPOINT_MALFORMED: validly signed text that is not a checkpoint
  const malformed = (desc: string, text: string) => bad(desc, signed(text), "CHECKPOINT_MALFORMED");
  malformed("only two lines", `${ORIGIN}\n1234\n`);
  malformed("empty origin", `\n1234\n${root64}\n`);
  for (const [desc, size] of [
    ["size with a leading zero", "01"],
    ["size 00", "00"],
    ["size with a plus sign", "+1"],
    ["negative size", "-1"],
    ["size 2^64 overflows uint64", "18446744073709551616"],
    ["size with 21 digits", "100000000000000000000"],
    ["size in hex", "0x10"],
    ["size with an exponent", "1e3"],
    ["size with a decimal point", "1.0"],
    ["size with a trailing space", "1234 "],
    ["size with a leading space", " 1234"],
    ["empty size line", ""],
    ["size with non-ASCII digits", "\u0661\u0662"],
  ]) {
    malformed(desc!, body(size!));
  }
  const urlSafe = new Uint8Array(32).fill(0xfb); // standard base64 "+/v7…", URL-safe "-_v7…"
  for (const [desc, rootLine] of [
    ["root hash of 31 bytes", toBase64(root.subarray(1))],
    ["root hash of 33 bytes", toBase64(new Uint8Array([...root, 0]))],
    ["root hash without padding", root64.replace(/=+$/, "")],
    ["root hash with non-canonical trailing bits", root64.replace(/.=$/, (m) => `${B64[B64.indexOf(m[0]!) | 1]}=`)],
    ["root hash in URL-safe base64", toBase64(urlSafe).replace(/\+/g, "-").replace(/\//g, "_")],
    ["root hash in hex", Buffer.from(root).toString("hex")],
    ["empty root hash line", ""],
  ]) {
    malformed(desc!, body("1234", rootLine!));
  }
  malformed("empty extension line before another", body("1234", root64, ORIGIN, ["", "ext"]));
  return vectors;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = new URL("./checkpoints.json", import.meta.url);
  const vectors = generateCheckpointVectors();
  writeFileSync(out, `${JSON.stringify(vectors, null, 2)}\n`);
  console.log(`wrote ${vectors.length} vectors to ${fileURLToPath(out)}`);
}
