/**
 * HMAC-SHA256 request signatures (RFC 2104), as GitHub sends them in X-Hub-Signature-256
 * (`sha256=<hex>` of the raw body) and as the signed format sends them in
 * X-Sealtrail-Signature (`sha256=<hex>` of `<delivery>.<timestamp>.<body>`). Signing the
 * delivery id and the timestamp with the body stops a captured request from being replayed
 * under another id or, outside the window, at all.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * True when `header` is `sha256=<hex>` of HMAC-SHA256(secret, parts joined). The digests are
 * compared in constant time (crypto.timingSafeEqual), so the time taken says nothing about
 * how much of a forged signature was right.
 */
export function signatureMatches(secret: Buffer, header: string, ...parts: (string | Buffer)[]): boolean {
  return signatureMatchesAny([secret], header, ...parts);
}

/** Like signatureMatches, under any of `secrets` (a rotation); every one is tried, match or not. */
export function signatureMatchesAny(secrets: readonly Buffer[], header: string, ...parts: (string | Buffer)[]): boolean {
  const match = SIGNATURE.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, "hex");
  let matched = false;
  for (const secret of secrets) {
    const hmac = createHmac("sha256", secret);
    for (const part of parts) hmac.update(part);
    if (timingSafeEqual(given, hmac.digest())) matched = true;
  }
  return matched;
}

/** The header value a sender computes: `sha256=<hex>`. */
export function signature(secret: Buffer | string, ...parts: (string | Buffer)[]): string {
  const hmac = createHmac("sha256", secret);
  for (const part of parts) hmac.update(part);
  return `sha256=${hmac.digest("hex")}`;
}
