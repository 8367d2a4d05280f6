/**
 * The little DER (ITU-T X.690 §8, §10) that RFC 3161 requests and the status of responses
 * need: definite lengths, SEQUENCE, INTEGER, OCTET STRING, BOOLEAN, OID, NULL.
 */
import { CoreError } from "../errors.js";

export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  // X.690 §8.1.3: short form below 128, else 0x80 | count of length bytes, big-endian.
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

export const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

export interface Element {
  tag: number;
  /** Offsets of the content within the buffer. */
  start: number;
  end: number;
}

/** Reads the element at `at`; INVALID_ARGUMENT when it overruns its parent. */
export function readElement(der: Uint8Array, at: number, limit = der.length): Element {
  const fail = (why: string) => new CoreError("INVALID_ARGUMENT", `DER: ${why} at offset ${at}`);
  if (at + 2 > limit) throw fail("truncated header");
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw fail("bad length");
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + der[start + i]!;
    start += count;
  }
  if (start + len > limit) throw fail("content overruns");
  return { tag, start, end: start + len };
}

/** The elements inside a constructed element. */
export function children(der: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const e = readElement(der, at, parent.end);
    out.push(e);
    at = e.end;
  }
  return out;
}
