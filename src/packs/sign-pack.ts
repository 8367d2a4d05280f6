/**
 * Seals a pack: SHA256SUMS over every file, its raw Ed25519 signature (RFC 8032, as
 * `openssl pkeyutl -sign -rawin` makes and `-verify -rawin` checks) and the SPKI public key.
 * Ed25519 signatures are deterministic, so the same SHA256SUMS always gets the same signature.
 */
import { sign, type KeyObject } from "node:crypto";
import { rawPublicKey, publicKeyToPem } from "../core/note/index.js";
import { formatSha256Sums, SHA256SUMS_FILE, SIGNATURE_FILE, SIGNING_KEY_FILE } from "../core/pack/index.js";
import type { PackWriter } from "./pack-writer.js";

export async function sealPack(writer: PackWriter, key: KeyObject): Promise<{ sums: string; signature: Uint8Array }> {
  const sums = formatSha256Sums(writer.files());
  const signature = new Uint8Array(sign(null, Buffer.from(sums, "utf8"), key));
  // Written after the digests are taken: these three are the seal, not listed in it.
  await writer.writeText(SHA256SUMS_FILE, sums);
  await writer.writeBytes(SIGNATURE_FILE, signature);
  await writer.writeText(SIGNING_KEY_FILE, publicKeyToPem(rawPublicKey(key)));
  return { sums, signature };
}
