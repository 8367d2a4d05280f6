import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { CoreError } from "../errors.js";
import { fromBase64, sha256, toBase64, toHex } from "../encoding/index.js";
import { isValidKeyName, openNote, publicKeyObject, rawPublicKey } from "../note/index.js";

/**
 * C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), Ed25519 type: a witness's
 * timestamped note signature over a checkpoint. Section names below are those of the spec.
 */

/** Signature type byte of Ed25519 cosignatures, in key IDs and vkeys ("Format"). */
export const COSIGNATURE_TYPE_ED25519 = 0x04;
const KEY_ID_SIZE = 4;
const TIMESTAMP_SIZE = 8;
const ED25519_SIGNATURE_SIZE = 64;
/** "It MUST NOT exceed 2^63 - 1" ("Format"). */
const MAX_TIMESTAMP = 2n ** 63n - 1n;
const encoder = new TextEncoder();

/** A cosigner (witness) as a client is configured with it: name and raw Ed25519 public key. */
export interface Cosigner {
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
}

/** key ID = SHA-256(<name> || "\n" || 0x04 || 32-byte public key)[:4] ("Format"). */
export function cosignerKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  if (!isValidKeyName(name)) throw new CoreError("KEY_INVALID", `invalid cosigner name ${JSON.stringify(name)}`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new CoreError("KEY_INVALID", `cosigner public key: got ${publicKey?.length} bytes, want 32`);
  }
  const nameBytes = encoder.encode(name);
  const input = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  input.set(nameBytes, 0);
  input.set([0x0a, COSIGNATURE_TYPE_ED25519], nameBytes.length);
  input.set(publicKey, nameBytes.length + 2);
  return sha256(input).slice(0, KEY_ID_SIZE);
}

/** The cosigner's vkey `<name>+<hex key ID>+<base64(0x04 || public key)>` ("Format": vkeys of type 0x04). */
export function cosignerVkey(name: string, publicKey: Uint8Array): string {
  const key = new Uint8Array(1 + publicKey.length);
  key[0] = COSIGNATURE_TYPE_ED25519;
  key.set(publicKey, 1);
  return `${name}+${toHex(cosignerKeyId(name, publicKey))}+${toBase64(key)}`;
}

/** Parses a type-0x04 vkey; KEY_INVALID for any other type, a bad name, length or key ID. */
export function parseCosignerVkey(vkey: string): Cosigner {
  const parts = typeof vkey === "string" ? /^([^+]*)\+([0-9a-f]{8})\+(.*)$/s.exec(vkey.trim()) : null;
  const key = parts ? fromBase64(parts[3]!) : undefined;
  if (!parts || key === undefined || !isValidKeyName(parts[1]!)) throw new CoreError("KEY_INVALID", "malformed cosigner verifier key");
  if (key[0] !== COSIGNATURE_TYPE_ED25519 || key.length !== 33) {
    throw new CoreError("KEY_INVALID", `cosigner key: want type 0x04 and 32 bytes (C2SP tlog-cosignature), got type 0x${toHex(key.subarray(0, 1))} and ${key.length - 1} bytes`);
  }
  const publicKey = key.slice(1);
  const keyId = cosignerKeyId(parts[1]!, publicKey);
  if (toHex(keyId) !== parts[2]) throw new CoreError("KEY_INVALID", `cosigner key ID ${parts[2]} does not match the key`);
  return { name: parts[1]!, keyId, publicKey };
}

/**
 * The signed message: "cosignature/v1\n", "time <timestamp>\n", then the checkpoint's note body
 * with its final newline and without signature lines ("Ed25519 signed message").
 */
export function cosignedMessage(checkpointText: string, timestamp: bigint): Uint8Array {
  return encoder.encode(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`);
}

/** A signed cosignature line "— <name> base64(key ID || u64 timestamp || signature)\n". */
export function cosignatureLine(name: string, privateKey: KeyObject, checkpointText: string, timestamp: bigint): string {
  if (timestamp < 0n || timestamp > MAX_TIMESTAMP) throw new CoreError("INVALID_ARGUMENT", `timestamp ${timestamp} is outside [0, 2^63 - 1]`);
  const keyId = cosignerKeyId(name, rawPublicKey(privateKey));
  const sig = cryptoSign(null, cosignedMessage(checkpointText, timestamp), privateKey);
  // timestamped_signature: u64 big-endian timestamp, then the signature (RFC 8446 §3.3 order).
  const raw = new Uint8Array(KEY_ID_SIZE + TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE);
  raw.set(keyId, 0);
  new DataView(raw.buffer).setBigUint64(KEY_ID_SIZE, timestamp);
  raw.set(sig, KEY_ID_SIZE + TIMESTAMP_SIZE);
  return `\u2014 ${name} ${toBase64(raw)}\n`;
}

/**
 * The time (POSIX seconds) at which `cosigner` cosigned the checkpoint in `note`, or undefined
 * when the note carries no valid cosignature of it. Lines of other keys are ignored, as the
 * signed-note spec requires; a line of this key that fails to verify counts as none.
 */
export function verifyCosignature(note: string, cosigner: Cosigner): bigint | undefined {
  const key = publicKeyObject(cosigner.publicKey);
  let time: bigint | undefined;
  const verifier = {
    name: cosigner.name,
    keyId: cosigner.keyId,
    verify(msg: Uint8Array, sig: Uint8Array): boolean {
      if (sig.length !== TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE) return false;
      const ts = new DataView(sig.buffer, sig.byteOffset, sig.byteLength).getBigUint64(0);
      if (ts > MAX_TIMESTAMP) return false;
      const text = new TextDecoder().decode(msg);
      const ok = cryptoVerify(null, cosignedMessage(text, ts), key, sig.subarray(TIMESTAMP_SIZE));
      if (ok) time = ts;
      return ok;
    },
  };
  try {
    openNote(note, [verifier]);
    return time;
  } catch (error) {
    if (error instanceof CoreError && error.code === "SIGNATURE_INVALID") return undefined;
    throw error;
  }
}
