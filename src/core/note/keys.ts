import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { CoreError } from "../errors.js";
import { fromBase64, toBase64 } from "../encoding/index.js";

/**
 * Ed25519 key handling on node:crypto KeyObjects. Raw keys are the 32-byte encodings of
 * RFC 8032 §5.1.5; PEM files hold them in PKCS #8 (private, RFC 8410 §7) or SPKI (public,
 * RFC 8410 §4) DER. Parsing a key is computation, not I/O: reading the file is the caller's job.
 */

/** Length of an Ed25519 public key and of a private key seed (RFC 8032 §5.1.5). */
export const ED25519_KEY_SIZE = 32;

/** DER of SubjectPublicKeyInfo { id-Ed25519 (1.3.101.112) }, BIT STRING of 32 bytes (RFC 8410 §4). */
const SPKI_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

/** DER of OneAsymmetricKey v0 { id-Ed25519 }, OCTET STRING { OCTET STRING of the seed } (RFC 8410 §7). */
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

const PUBLIC_KEY_PEM = /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n-----END PUBLIC KEY-----$/;

function keyInvalid(message: string, cause?: unknown): CoreError {
  return new CoreError("KEY_INVALID", message, cause === undefined ? undefined : { cause });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Throws KEY_INVALID unless `key` is an Ed25519 private KeyObject. */
export function assertEd25519PrivateKey(key: KeyObject): void {
  if (key?.type !== "private" || key.asymmetricKeyType !== "ed25519") {
    throw keyInvalid(`got a ${key?.asymmetricKeyType ?? "non-"} ${key?.type ?? "key"} key, want an Ed25519 private key`);
  }
}

/**
 * The Ed25519 private key whose RFC 8032 seed is `seed` (32 bytes). node:crypto has no raw
 * import for Ed25519, so the seed is wrapped in the fixed PKCS #8 prefix. Meant for test keys
 * with a fixed seed and for keys kept as raw seeds (as Go's note.NewSigner does).
 */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_KEY_SIZE) {
    throw keyInvalid(`Ed25519 seed: got ${seed?.length} bytes, want ${ED25519_KEY_SIZE}`);
  }
  return createPrivateKey({
    key: Buffer.from(concat(PKCS8_ED25519_PREFIX, seed)),
    format: "der",
    type: "pkcs8",
  });
}

/**
 * Parses a PKCS #8 PEM ("BEGIN PRIVATE KEY") holding an Ed25519 key. Any other algorithm, an
 * encrypted key (no passphrase is taken), a public key or garbage is KEY_INVALID.
 */
export function privateKeyFromPem(pem: string): KeyObject {
  if (typeof pem !== "string" || !pem.trim().startsWith("-----BEGIN PRIVATE KEY-----")) {
    throw keyInvalid("want a PKCS #8 PEM (-----BEGIN PRIVATE KEY-----)");
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (err) {
    throw keyInvalid("cannot parse the private key PEM", err);
  }
  assertEd25519PrivateKey(key);
  return key;
}

/** The raw 32-byte public key of an Ed25519 private key. */
export function rawPublicKey(privateKey: KeyObject): Uint8Array {
  assertEd25519PrivateKey(privateKey);
  const der = new Uint8Array(createPublicKey(privateKey).export({ format: "der", type: "spki" }));
  return rawFromSpki(der);
}

/**
 * The raw 32-byte key of an SPKI PEM ("BEGIN PUBLIC KEY") holding an Ed25519 public key.
 * Decoded by hand rather than with createPublicKey, which would also accept a private key
 * or a certificate and silently derive a public key from it.
 */
export function publicKeyFromPem(spkiPem: string): Uint8Array {
  const match = typeof spkiPem === "string" ? PUBLIC_KEY_PEM.exec(spkiPem.trim()) : null;
  const der = match?.[1] === undefined ? undefined : fromBase64(match[1].replace(/\r?\n/g, ""));
  if (der === undefined) throw keyInvalid("want an SPKI PEM (-----BEGIN PUBLIC KEY-----)");
  return rawFromSpki(der);
}

/** SPKI PEM of a raw Ed25519 public key, byte-identical to node:crypto's own export. */
export function publicKeyToPem(publicKey: Uint8Array): string {
  assertRawPublicKey(publicKey);
  const b64 = toBase64(concat(SPKI_ED25519_PREFIX, publicKey));
  // 44 DER bytes are 60 base64 characters: one line, under PEM's 64-character limit (RFC 7468 §2).
  return `-----BEGIN PUBLIC KEY-----\n${b64}\n-----END PUBLIC KEY-----\n`;
}

/** A node:crypto public KeyObject for a raw Ed25519 public key. */
export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  assertRawPublicKey(publicKey);
  try {
    return createPublicKey({
      key: Buffer.from(concat(SPKI_ED25519_PREFIX, publicKey)),
      format: "der",
      type: "spki",
    });
  } catch (err) {
    throw keyInvalid("cannot import the Ed25519 public key", err);
  }
}

function assertRawPublicKey(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_KEY_SIZE) {
    throw keyInvalid(`Ed25519 public key: got ${publicKey?.length} bytes, want ${ED25519_KEY_SIZE}`);
  }
}

function rawFromSpki(der: Uint8Array): Uint8Array {
  const prefixOk =
    der.length === SPKI_ED25519_PREFIX.length + ED25519_KEY_SIZE &&
    SPKI_ED25519_PREFIX.every((b, i) => der[i] === b);
  if (!prefixOk) throw keyInvalid("not an Ed25519 SubjectPublicKeyInfo");
  return der.slice(SPKI_ED25519_PREFIX.length);
}
