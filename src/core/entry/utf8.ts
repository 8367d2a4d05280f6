/** UTF-8 text in byte arrays, for the verifier's leaf writer (leaf-bytes.ts). */

/** The text src[start, end) as Node decodes UTF-8 (ill-formed sequences become U+FFFD). */
export function decode(src: Uint8Array, start: number, end: number): string {
  return Buffer.from(src.buffer, src.byteOffset + start, end - start).toString("utf8");
}

/**
 * Whether src[start, end) is well-formed UTF-8 (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing above U+10FFFF), the only text that decodes and re-encodes to itself.
 */
export function validUtf8(src: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = src[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return false;
    if (i + n >= end) return false;
    const second = src[i + 1]!;
    if (second < lo || second > hi) return false;
    for (let k = 2; k <= n; k++) {
      const b = src[i + k]!;
      if (b < 0x80 || b > 0xbf) return false;
    }
    i += n + 1;
  }
  return true;
}
