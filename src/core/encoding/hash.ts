import { hash, timingSafeEqual } from "node:crypto";

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

/** Constant-time equality of two digests; false when the lengths differ. */
export function digestEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
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
