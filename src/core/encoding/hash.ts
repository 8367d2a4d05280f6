import { hash } from "node:crypto";

/** Length in bytes of every hash in the ledger (SHA-256). */
export const HASH_SIZE = 32;

/**
 * SHA-256 of `data`. node:crypto's one-shot `hash()` is used because it is several times
 * faster than a streaming Hash object or a pure-JS implementation for the small inputs the
 * ledger hashes (see STACK.md); hashing is computation, not I/O, so the core may use it.
 */
export function sha256(data: Uint8Array | string): Uint8Array {
  return hash("sha256", data, "buffer");
}

/**
 * Constant-time equality of two digests; false when the lengths differ. Every byte is
 * compared and the differences OR-ed, with no early exit, as crypto.timingSafeEqual does; in
 * JS because a call into node:crypto cost ~20 times these 32 comparisons, and packs and
 * verification compare three digests for each of a million entries.
 */
export function digestEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");
/** Digests and other short values are written here; longer ones go through Buffer's own hex. */
const hexScratch = Buffer.alloc(256);

/**
 * Lowercase hex. A short value's digits are written into a scratch buffer and read back as one
 * string: Buffer.from(bytes.buffer) would first move a small typed array (the digests a pack
 * copies out of its rows) off the V8 heap, which cost twice the encoding itself.
 */
export function toHex(bytes: Uint8Array): string {
  const n = bytes.length;
  if (2 * n > hexScratch.length) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    hexScratch[2 * i] = HEX_DIGITS[b >> 4]!;
    hexScratch[2 * i + 1] = HEX_DIGITS[b & 15]!;
  }
  return hexScratch.toString("latin1", 0, 2 * n);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Strict hex decoding: even length, hex digits only (Buffer.from silently truncates). */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, "hex"));
}

/** Strict standard base64 (RFC 4648 §4, padded), as C2SP notes use; undefined when not canonical. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  // Reject non-canonical encodings (stray bits in the last character).
  if (bytes.toString("base64") !== text) return undefined;
  return new Uint8Array(bytes);
}
