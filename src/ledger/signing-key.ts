import type { KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { CoreError } from "../core/errors.js";
import { privateKeyFromPem, publicKeyFromPem, rawPublicKey, parseVerifierKey } from "../core/note/index.js";
import { LedgerError } from "./errors.js";

/** The Ed25519 signing key from a PKCS8 PEM file (SEALTRAIL_SIGNING_KEY). */
export async function loadSigningKey(path: string | undefined): Promise<KeyObject> {
  if (!path) throw new LedgerError("KEY_UNAVAILABLE", "no signing key: set SEALTRAIL_SIGNING_KEY to a PKCS8 PEM file (sealtrail keys generate)");
  let pem: string;
  try {
    pem = await readFile(path, "utf8");
  } catch (error) {
    throw new LedgerError("KEY_UNAVAILABLE", `signing key ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  try {
    return privateKeyFromPem(pem);
  } catch (error) {
    throw new LedgerError("KEY_UNAVAILABLE", `signing key ${path}: ${(error as CoreError).message}`, { cause: error });
  }
}

/**
 * The trusted Ed25519 public key checkpoints must verify with. `source` is a note verifier key
 * (`name+keyid+base64`), or a file holding one or an SPKI PEM. Only the public key is taken:
 * the signer name of a log's checkpoints is always the log's origin.
 */
export async function loadTrustedPublicKey(source: string): Promise<Uint8Array> {
  return (await loadTrustedKey(source)).publicKey;
}

/** As loadTrustedPublicKey, with the vkey's name when the key is a vkey: it verifies only the log of that origin. */
export async function loadTrustedKey(source: string): Promise<{ publicKey: Uint8Array; name?: string }> {
  let text = source.trim();
  if (!/^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(text)) {
    try {
      text = (await readFile(source, "utf8")).trim();
    } catch (error) {
      throw new LedgerError("KEY_UNAVAILABLE", `verifier key ${source}: neither a vkey nor a readable file`, { cause: error });
    }
  }
  try {
    if (text.includes("-----BEGIN PUBLIC KEY-----")) return { publicKey: publicKeyFromPem(text) };
    if (text.includes("-----BEGIN PRIVATE KEY-----")) return { publicKey: rawPublicKey(privateKeyFromPem(text)) };
    const { name, publicKey } = parseVerifierKey(text);
    return { publicKey, name };
  } catch (error) {
    throw new LedgerError("KEY_UNAVAILABLE", `verifier key ${source}: ${(error as Error).message}`, { cause: error });
  }
}
