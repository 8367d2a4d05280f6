/**
 * Seals a pack: SHA256SUMS over every file, its raw Ed25519 signature (RFC 8032, as
 * `openssl pkeyutl -sign -rawin` makes and `-verify -rawin` checks) and the SPKI public key.
 * Ed25519 signatures are deterministic, so the same SHA256SUMS always gets the same signature.
 * With a time-stamping authority, SHA256SUMS.tsr: its RFC 3161 token over SHA256SUMS, so the
 * whole manifest (not only each checkpoint) is shown to have existed at the TSA's time
 * (`openssl ts -verify -data SHA256SUMS -in SHA256SUMS.tsr -CAfile <the TSA's CA>`).
 */
import { sign, type KeyObject } from "node:crypto";
import { rawPublicKey, publicKeyToPem } from "../core/note/index.js";
import { formatSha256Sums, SHA256SUMS_FILE, SIGNATURE_FILE, SIGNING_KEY_FILE, SUMS_TIMESTAMP_FILE } from "../core/pack/index.js";
import { PackError } from "./pack-error.js";
import type { PackWriter } from "./pack-writer.js";

export async function sealPack(writer: PackWriter, key: KeyObject, timeStamp?: (data: string) => Promise<Uint8Array>): Promise<{ sums: string; signature: Uint8Array }> {
  const sums = formatSha256Sums(writer.files());
  const signature = new Uint8Array(sign(null, Buffer.from(sums, "utf8"), key));
  // Written after the digests are taken: these are the seal, not listed in it.
  await writer.writeText(SHA256SUMS_FILE, sums);
  await writer.writeBytes(SIGNATURE_FILE, signature);
  await writer.writeText(SIGNING_KEY_FILE, publicKeyToPem(rawPublicKey(key)));
  if (timeStamp) {
    // pack.json already promises the token: a TSA that does not answer fails the build.
    let token: Uint8Array;
    try {
      token = await timeStamp(sums);
    } catch (error) {
      throw new PackError("TIME_STAMP", `${SHA256SUMS_FILE}: ${(error as Error).message}`, { cause: error });
    }
    await writer.writeBytes(SUMS_TIMESTAMP_FILE, token);
  }
  return { sums, signature };
}
