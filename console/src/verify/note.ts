/**
 * C2SP signed-note and tlog-checkpoint checks with WebCrypto: a verifier key is
 * `name+keyid+base64(0x01 || Ed25519 public key)`, its key id the first 4 bytes of
 * SHA-256(name || "\n" || 0x01 || key); a note is its text, a blank line, then lines
 * `— name base64(keyid || signature)`; the Ed25519 signature covers the text (C2SP signed-note).
 */
import { buffer, concat, equal, fromBase64, fromHex, sha256, toHex, utf8 } from "./bytes.js";

export interface VerifierKey {
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
}

export async function parseVerifierKey(vkey: string): Promise<VerifierKey> {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  if (!m) throw new Error("the verifier key is not name+keyid+base64");
  const raw = fromBase64(m[3]!);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error("the verifier key is not an Ed25519 key (algorithm 0x01, 32 bytes)");
  const name = m[1]!;
  const publicKey = raw.slice(1);
  const expected = (await sha256(concat(utf8(name), utf8("\n"), raw))).slice(0, 4);
  if (!equal(expected, fromHex(m[2]!))) throw new Error(`the verifier key's id ${m[2]} does not match its key (want ${toHex(expected)})`);
  return { name, keyId: expected, publicKey };
}

export interface OpenedNote {
  text: string;
  signer: string;
}

/** The note's text once a signature line of `key` verifies over it; throws saying why not. */
export async function openNote(note: string, key: VerifierKey): Promise<OpenedNote> {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) throw new Error("the note has no signature block");
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split("\n");
  let sawName = false;
  for (const line of lines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m || m[1] !== key.name) continue;
    sawName = true;
    const sig = fromBase64(m[2]!);
    if (sig.length !== 68 || !equal(sig.slice(0, 4), key.keyId)) continue;
    const publicKey = await crypto.subtle.importKey("raw", buffer(key.publicKey), { name: "Ed25519" }, false, ["verify"]);
    const ok = await crypto.subtle.verify({ name: "Ed25519" }, publicKey, buffer(sig.slice(4)), buffer(utf8(text)));
    if (ok) return { text, signer: key.name };
    throw new Error(`the Ed25519 signature of ${key.name} does not verify over the note's text`);
  }
  throw new Error(sawName ? `no signature line of ${key.name} carries key id ${toHex(key.keyId)}` : `the note carries no signature of ${key.name}`);
}

export interface CheckpointBody {
  origin: string;
  size: number;
  root: Uint8Array;
}

/** C2SP tlog-checkpoint: origin, decimal size, base64 root, then optional extension lines. */
export function parseCheckpoint(text: string): CheckpointBody {
  const lines = text.split("\n");
  if (lines.length < 4 || !/^(0|[1-9][0-9]*)$/.test(lines[1]!)) throw new Error("the checkpoint is not origin / size / root");
  const root = fromBase64(lines[2]!);
  if (root.length !== 32) throw new Error("the checkpoint's root is not 32 bytes");
  return { origin: lines[0]!, size: Number(lines[1]), root };
}
