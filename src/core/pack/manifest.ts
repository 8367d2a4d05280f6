/**
 * The pack manifest: `SHA256SUMS` in the format `sha256sum -c` reads (GNU coreutils,
 * "md5sum invocation": one line per file, the hex digest, two spaces — text mode — and the
 * path), and the pack id. Pure: the caller hashes the files and writes the text.
 */
import { canonicalize, HASH_SIZE, fromHex, sha256, toHex } from "../encoding/index.js";
import { CoreError } from "../errors.js";

export const SHA256SUMS_FILE = "SHA256SUMS";
export const SIGNATURE_FILE = "SHA256SUMS.sig";
export const SIGNING_KEY_FILE = "signing-key.pem";
/** The RFC 3161 time-stamp token over SHA256SUMS, when the pack was built with a TSA. */
export const SUMS_TIMESTAMP_FILE = "SHA256SUMS.tsr";

export interface FileDigest {
  /** Relative path inside the pack, `/`-separated. */
  path: string;
  sha256: Uint8Array;
}

/**
 * A pack path coreutils prints as is: relative, `/`-separated, no `.` or `..` segment, no
 * empty segment, and no backslash or newline (those it would escape with a leading `\`).
 */
export function isPackPath(path: string): boolean {
  if (typeof path !== "string" || path === "" || path.length > 255) return false;
  if (/[\\\n\r\0]/.test(path) || path.startsWith("/")) return false;
  return path.split("/").every((s) => s !== "" && s !== "." && s !== "..");
}

/**
 * SHA256SUMS text: every file once, sorted by path (UTF-16 code units, which for the ASCII
 * names of a pack is byte order), so the same files always give the same bytes.
 */
export function formatSha256Sums(files: readonly FileDigest[]): string {
  const seen = new Set<string>();
  for (const f of files) {
    if (!isPackPath(f.path)) throw new CoreError("INVALID_ARGUMENT", `pack path ${JSON.stringify(f.path)} is not a plain relative path`);
    if (f.sha256.length !== HASH_SIZE) throw new CoreError("INVALID_ARGUMENT", `${f.path}: got a ${f.sha256.length}-byte digest, want ${HASH_SIZE}`);
    if (seen.has(f.path)) throw new CoreError("INVALID_ARGUMENT", `${f.path} listed twice`);
    seen.add(f.path);
  }
  return [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${toHex(f.sha256)}  ${f.path}\n`)
    .join("");
}

/**
 * Parses SHA256SUMS as formatSha256Sums writes it: lowercase hex, two spaces (or space and
 * `*`, binary mode, which sha256sum also reads), a pack path, a newline. Anything else is
 * MANIFEST_MALFORMED naming the line.
 */
export function parseSha256Sums(text: string): FileDigest[] {
  if (text === "" || !text.endsWith("\n")) throw new CoreError("MANIFEST_MALFORMED", "SHA256SUMS must be non-empty lines, each ended by a newline");
  const out: FileDigest[] = [];
  const seen = new Set<string>();
  text.slice(0, -1).split("\n").forEach((line, i) => {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    const digest = match ? fromHex(match[1]!) : undefined;
    if (!match || !digest || !isPackPath(match[2]!)) throw new CoreError("MANIFEST_MALFORMED", `SHA256SUMS line ${i + 1}: want "<64 hex digits>  <relative path>"`);
    if (seen.has(match[2]!)) throw new CoreError("MANIFEST_MALFORMED", `SHA256SUMS line ${i + 1}: ${match[2]} listed twice`);
    seen.add(match[2]!);
    out.push({ path: match[2]!, sha256: digest });
  });
  return out;
}

/**
 * The pack id: SHA-256 of the canonical JSON (RFC 8785) of what determines the pack — the
 * request and the ledger state it was built from — first 16 bytes in hex. The same request on
 * the same ledger state gets the same id; any change of either gets another.
 */
export function derivePackId(basis: unknown): string {
  return toHex(sha256(canonicalize(basis))).slice(0, 32);
}

/**
 * A UUID for an object of a pack (the OSCAL documents need them), derived from the pack id and
 * a name, so rebuilding the pack gives the same UUIDs. Name-based like RFC 4122 §4.3 version 5,
 * but over SHA-256 instead of SHA-1; the version and variant bits are set as for version 5.
 */
export function packUuid(packId: string, name: string): string {
  const b = sha256(`${packId}\n${name}`).slice(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
