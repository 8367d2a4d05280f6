import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { CoreError } from "../errors.js";
import { fromBase64, fromHex, sha256, toBase64, toHex } from "../encoding/index.js";
import { ED25519_KEY_SIZE, assertEd25519PrivateKey, publicKeyObject, rawPublicKey } from "./keys.js";

/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures, ported from
 * golang.org/x/mod/sumdb/note (note.go: keyHash, NewVerifier, Open, Sign). Section names below
 * are those of the spec. Ed25519 runs on node:crypto, ~20× faster than a pure-JS curve here.
 */

/** Signature type identifier byte of Ed25519 ("Signature types"). */
export const SIG_TYPE_ED25519 = 0x01;
/** A key ID is the first four bytes of a SHA-256 ("Signatures"). */
export const KEY_ID_SIZE = 4;
/** sumdb/note's limit; the spec asks verifiers for a limit of at least 16 ("Format"). */
export const MAX_SIGNATURES = 100;
const ED25519_SIGNATURE_SIZE = 64;
/** Em dash U+2014 and a space open every signature line ("Format"). */
const SIG_PREFIX = "\u2014 ";

/** A note signing key; `keyId` is KEY_ID_SIZE bytes. */
export interface Signer {
  readonly name: string;
  readonly keyId: Uint8Array;
  sign(msg: Uint8Array): Uint8Array;
}

/** A note verification key; `keyId` is KEY_ID_SIZE bytes. */
export interface Verifier {
  readonly name: string;
  readonly keyId: Uint8Array;
  verify(msg: Uint8Array, sig: Uint8Array): boolean;
}

/** A signature line of an opened note; `verified: false` means its key is unknown to the caller. */
export interface NoteSignature { name: string; keyId: Uint8Array; verified: boolean }

/** `text` is the signed text, final newline included. */
export interface Note { text: string; sigs: NoteSignature[] }

/** A parsed verifier key; `publicKey` is the raw 32-byte Ed25519 key. */
export interface VerifierKey { name: string; keyId: Uint8Array; publicKey: Uint8Array }

const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000B-\u001F]/;
/** Under the `u` flag a paired surrogate is one code point, so this matches only lone ones. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** Go's unicode.IsSpace is the Unicode White_Space property. */
const WHITE_SPACE = /\p{White_Space}/u;
const utf8Encoder = new TextEncoder();

function malformed(message: string): CoreError {
  return new CoreError("NOTE_MALFORMED", message);
}

/**
 * Key names must be non-empty and contain no Unicode spaces and no "+" ("Format"), and be
 * valid UTF-8 (no lone surrogates). We also refuse other ASCII control characters, which
 * could never appear in a note anyway.
 */
export function isValidKeyName(name: string): boolean {
  return typeof name === "string" && name !== "" && !name.includes("+") && !WHITE_SPACE.test(name) && hasOnlyNoteCharacters(name);
}

/** key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4] ("Ed25519 signatures"). */
export function keyId(name: string, publicKey: Uint8Array): Uint8Array {
  if (!isValidKeyName(name)) throw new CoreError("KEY_INVALID", `invalid key name ${JSON.stringify(name)}`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_KEY_SIZE) {
    throw new CoreError("KEY_INVALID", `public key: got ${publicKey?.length} bytes, want ${ED25519_KEY_SIZE}`);
  }
  const nameBytes = utf8Encoder.encode(name);
  const input = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  input.set(nameBytes, 0);
  input.set([0x0a, SIG_TYPE_ED25519], nameBytes.length);
  input.set(publicKey, nameBytes.length + 2);
  return new Uint8Array(sha256(input).subarray(0, KEY_ID_SIZE));
}

/** The verifier key `<name>+<hex key ID>+<base64(0x01 || public key)>`, as sumdb/note prints it. */
export function vkeyString(name: string, publicKey: Uint8Array): string {
  const id = keyId(name, publicKey);
  const key = new Uint8Array(1 + publicKey.length);
  key[0] = SIG_TYPE_ED25519;
  key.set(publicKey, 1);
  return `${name}+${toHex(id)}+${toBase64(key)}`;
}

/**
 * Parses a verifier key as sumdb/note's NewVerifier does: valid name, exactly 8 hex digits of
 * key ID that must match the key, type byte 0x01 and a 32-byte key. Stricter than Go in two
 * ways: the hex must be lowercase (as every implementation prints it) and the base64 canonical.
 */
export function parseVerifierKey(vkey: string): VerifierKey {
  const parts = typeof vkey === "string" ? /^([^+]*)\+([^+]*)\+(.*)$/s.exec(vkey) : null;
  const [, name = "", hex = "", b64 = ""] = parts ?? [];
  const id = /^[0-9a-f]{8}$/.test(hex) ? fromHex(hex) : undefined;
  const key = fromBase64(b64);
  if (parts === null || id === undefined || key === undefined || key.length === 0 || !isValidKeyName(name)) {
    throw new CoreError("KEY_INVALID", "malformed verifier key");
  }
  if (key[0] !== SIG_TYPE_ED25519) {
    throw new CoreError("KEY_INVALID", `signature type: got 0x${toHex(key.subarray(0, 1))}, want 0x01`);
  }
  const publicKey = key.slice(1);
  if (publicKey.length !== ED25519_KEY_SIZE) {
    throw new CoreError("KEY_INVALID", `public key: got ${publicKey.length} bytes, want ${ED25519_KEY_SIZE}`);
  }
  if (toHex(keyId(name, publicKey)) !== hex) {
    throw new CoreError("KEY_INVALID", `key ID ${hex} does not match the key`);
  }
  return { name, keyId: id, publicKey };
}

/** Signs as `name` with an Ed25519 private KeyObject; KEY_INVALID for another key type or a bad name. */
export function ed25519Signer(name: string, privateKey: KeyObject): Signer {
  assertEd25519PrivateKey(privateKey);
  const id = keyId(name, rawPublicKey(privateKey));
  return {
    name,
    keyId: id,
    // RFC 8032 Ed25519 (pure, no context): node:crypto takes `null` as the digest.
    sign: (msg) => new Uint8Array(cryptoSign(null, msg, privateKey)),
  };
}

/** Verifies signatures of `name` with a raw 32-byte Ed25519 public key; KEY_INVALID for a bad name or length. */
export function ed25519Verifier(name: string, publicKey: Uint8Array): Verifier {
  const id = keyId(name, publicKey);
  const key = publicKeyObject(publicKey);
  return {
    name,
    keyId: id,
    verify(msg, sig) {
      if (sig.length !== ED25519_SIGNATURE_SIZE) return false;
      try {
        return cryptoVerify(null, msg, key, sig);
      } catch {
        return false;
      }
    },
  };
}

/** The Verifier of a `<name>+<hex key ID>+<base64 key>` verifier key (see parseVerifierKey). */
export function verifierFromVkey(vkey: string): Verifier {
  const { name, publicKey } = parseVerifierKey(vkey);
  return ed25519Verifier(name, publicKey);
}

/** "Signed notes MUST be valid UTF-8 and MUST NOT contain any ASCII control characters … other than newline." */
export function hasOnlyNoteCharacters(s: string): boolean {
  return !LONE_SURROGATE.test(s) && !CONTROL_EXCEPT_NEWLINE.test(s);
}

function checkNoteCharacters(s: string): void {
  if (!hasOnlyNoteCharacters(s)) throw malformed("note has a control character or is not valid UTF-8 (lone surrogate)");
}

/**
 * The signed note: `text`, a blank line, then one signature line per signer, in order.
 * Preconditions: `text` ends with a newline and obeys the note character rules (NOTE_MALFORMED);
 * 1 to MAX_SIGNATURES signers (INVALID_ARGUMENT), each with a valid name and a 4-byte key ID
 * (KEY_INVALID).
 */
export function signNote(text: string, signers: readonly Signer[]): string {
  if (typeof text !== "string" || !text.endsWith("\n")) throw malformed("note text must end with a newline");
  checkNoteCharacters(text);
  if (signers.length === 0 || signers.length > MAX_SIGNATURES) {
    throw new CoreError("INVALID_ARGUMENT", `signers: got ${signers.length}, want 1 to ${MAX_SIGNATURES}`);
  }
  const msg = utf8Encoder.encode(text);
  let lines = "";
  for (const signer of signers) {
    if (!isValidKeyName(signer.name) || signer.keyId.length !== KEY_ID_SIZE) {
      throw new CoreError("KEY_INVALID", `invalid signer ${JSON.stringify(signer.name)}`);
    }
    const sig = signer.sign(msg);
    const raw = new Uint8Array(KEY_ID_SIZE + sig.length);
    raw.set(signer.keyId, 0);
    raw.set(sig, KEY_ID_SIZE);
    lines += `${SIG_PREFIX}${signer.name} ${toBase64(raw)}\n`;
  }
  return `${text}\n${lines}`;
}

/**
 * Opens a signed note, as sumdb/note's Open does. Bytes are decoded as strict UTF-8.
 *
 * - NOTE_MALFORMED: bad characters, no blank line before the signatures, a signature line not
 *   of the form "— <name> <base64 of ≥ 5 bytes>\n", or more than MAX_SIGNATURES lines.
 * - Signatures whose (name, key ID) no verifier has are listed with `verified: false` ("Verifiers
 *   MUST ignore signatures from unknown keys"); repeats of an identical one are dropped.
 * - SIGNATURE_INVALID when a signature of a known key fails (the spec's SHOULD, which sumdb
 *   follows) or when no known key signed the note (the spec's MUST).
 * - INVALID_ARGUMENT when two verifiers share a (name, key ID) that a signature uses.
 *
 * Unlike sumdb, which skips repeated signatures of one key unchecked, every signature of a
 * known key is verified ("If the key name and ID match a known key, verifiers MUST verify the
 * signature"); a key that signed twice is listed once.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly Verifier[]): Note {
  const msg = typeof note === "string" ? note : decodeUtf8(note);
  checkNoteCharacters(msg);
  // The text ends at the last blank line; signature lines never hold one ("Format").
  const split = msg.lastIndexOf("\n\n");
  if (split < 0) throw malformed("no blank line before the signatures");
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (block === "" || !block.endsWith("\n")) throw malformed("signature block missing or not newline-terminated");

  const known = new Map<string, Verifier | "ambiguous">();
  for (const v of verifiers ?? []) {
    const k = `${v.name} ${toHex(v.keyId)}`;
    known.set(k, known.has(k) ? "ambiguous" : v);
  }
  const textBytes = utf8Encoder.encode(text);
  const sigs: NoteSignature[] = [];
  const seenLines = new Set<string>();
  const seenKeys = new Set<string>();
  const lines = block.slice(0, -1).split("\n");
  for (const [i, line] of lines.entries()) {
    if (!line.startsWith(SIG_PREFIX)) throw malformed(`signature line ${i + 1} does not start with "— "`);
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(" ");
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? "" : rest.slice(space + 1);
    const raw = fromBase64(b64);
    if (raw === undefined || b64 === "" || raw.length < KEY_ID_SIZE + 1 || !isValidKeyName(name)) {
      throw malformed(`signature line ${i + 1} is malformed`);
    }
    if (i + 1 > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`);

    const id = raw.slice(0, KEY_ID_SIZE);
    const k = `${name} ${toHex(id)}`;
    const verifier = known.get(k);
    if (verifier === undefined) {
      if (!seenLines.has(line)) sigs.push({ name, keyId: id, verified: false });
      seenLines.add(line);
      continue;
    }
    if (verifier === "ambiguous") throw new CoreError("INVALID_ARGUMENT", `ambiguous verifier key ${name}+${toHex(id)}`);
    if (!verifier.verify(textBytes, raw.subarray(KEY_ID_SIZE))) {
      throw new CoreError("SIGNATURE_INVALID", `invalid signature for key ${name}+${toHex(id)}`);
    }
    if (!seenKeys.has(k)) sigs.push({ name, keyId: id, verified: true });
    seenKeys.add(k);
  }
  if (!sigs.some((s) => s.verified)) throw new CoreError("SIGNATURE_INVALID", "note has no verifiable signatures");
  return { text, sigs };
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    // ignoreBOM keeps a leading U+FEFF as text, as Go would, instead of silently dropping it.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (err) {
    throw new CoreError("NOTE_MALFORMED", "note is not valid UTF-8", { cause: err });
  }
}
