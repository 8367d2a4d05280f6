/**
 * The two values that name a pack in its chain of custody, printed on the report's cover and
 * custody page and by verify-pack:
 *
 * - The pack hash: the SHA-256 of SHA256SUMS without report.pdf's line, that is of every
 *   file's digest but the report's, in SHA256SUMS's order and format. The report cannot print
 *   a hash of itself, so it is rendered last, after every other file is written, and prints
 *   this hash of all of them. By hand: `grep -v '  report.pdf$' SHA256SUMS | sha256sum`.
 * - The signing-key fingerprint: the SHA-256 of the raw 32-byte Ed25519 public key (RFC 8032)
 *   in signing-key.pem. By hand: `openssl pkey -pubin -in signing-key.pem -outform DER |
 *   tail -c 32 | sha256sum` (the DER of an Ed25519 key ends with its 32 raw bytes, RFC 8410).
 *
 * The report also carries both in its document information (SealtrailPackHash,
 * SealtrailSigningKey), which the dependency-free verify.mjs reads; sealtrail verify-pack
 * renders the pages again with the values it computed, byte for byte. Pure.
 */
import { createHash } from "node:crypto";

export const REPORT_FILE = "report.pdf";

/** What report.pdf states of its pack: rendered from the files written before it and the key that seals them. */
export interface ReportSeal {
  /** Hex SHA-256 of SHA256SUMS without report.pdf's line. */
  packHash: string;
  /** Hex SHA-256 of the raw Ed25519 public key of signing-key.pem. */
  signingKey: string;
}

/** The document-information keys of report.pdf that hold the seal's values. */
export const REPORT_INFO = { packHash: "SealtrailPackHash", signingKey: "SealtrailSigningKey" } as const;

const sha256Hex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** The pack hash of a SHA256SUMS text (formatSha256Sums's: a line `<hex>  <path>\n` per file). */
export function packHashOf(sums: string): string {
  const suffix = `  ${REPORT_FILE}`;
  const kept = sums.split("\n").filter((line) => line !== "" && !line.endsWith(suffix) && !line.endsWith(` *${REPORT_FILE}`));
  return sha256Hex(kept.map((l) => `${l}\n`).join(""));
}

/** The fingerprint of a raw Ed25519 public key: its SHA-256, hex. */
export function keyFingerprint(rawPublicKey: Uint8Array): string {
  return sha256Hex(rawPublicKey);
}

/**
 * The seal values report.pdf states in its document information, read without a PDF library:
 * pdfkit writes each information value as an indirect object holding a literal string, and
 * the hex values need no escapes. A value not found is undefined.
 */
export function reportInfo(pdf: Uint8Array): Partial<ReportSeal> {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString("latin1");
  const value = (key: string): string | undefined => {
    const ref = new RegExp(`/${key} (\\d+) 0 R`).exec(text);
    if (!ref) return undefined;
    const obj = new RegExp(`(?:^|\\n)${ref[1]} 0 obj\\s*\\(([0-9a-f]{64})\\)\\s*endobj`).exec(text);
    return obj?.[1];
  };
  const packHash = value(REPORT_INFO.packHash);
  const signingKey = value(REPORT_INFO.signingKey);
  return { ...(packHash ? { packHash } : {}), ...(signingKey ? { signingKey } : {}) };
}
