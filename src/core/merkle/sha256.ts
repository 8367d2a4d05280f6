/**
 * SHA-256 (FIPS 180-4 §6.2) specialised to two message shapes: an RFC 9162 interior node,
 * 0x01 || left || right, where left and right are 32-byte hashes held as eight big-endian
 * 32-bit words each in an Int32Array (nodeHashWords); and a 64-byte message such as an
 * entry's chain input, previous chain hash || leaf hash (sha256Of64).
 *
 * Why not node:crypto: rootFromLeafHashes computes n-1 node hashes, and a call to
 * `crypto.hash()` costs ~2 µs on the 2-vCPU development VM, almost all of it binding overhead
 * and a fresh Buffer per digest, so 10^6 leaves took 2–3 s (this: 0.7–1.1 s). Working in place on words allocates nothing, and the
 * second block of a 65-byte message is padding except for its first byte, so its message
 * schedule (plus round constants) is precomputed for each of the 256 values of that byte.
 * test/core/merkle.test.ts checks this function against node:crypto for all 256 of them.
 */

// FIPS 180-4 §4.2.2 round constants and §5.3.3 initial hash value.
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** Message schedule of the first block (§6.2.2 step 1). Shared: JS runs one call at a time. */
const W = new Int32Array(64);
/** K[t] + W[t] of the second block whose first byte is b, at offset b * 64. */
const SECOND_BLOCK = new Int32Array(256 * 64);

/** §6.2.2 step 1: W[t] for 16 <= t < 64. */
function schedule(w: Int32Array, t: number): number {
  const w15 = w[t - 15]!;
  const w2 = w[t - 2]!;
  const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
  const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
  return (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
}

// Second block: byte 64 of the message, 0x80, zeros, then the bit length 65 * 8 = 520 (§5.1.1).
for (let byte = 0; byte < 256; byte++) {
  W.fill(0);
  W[0] = (byte << 24) | 0x800000;
  W[15] = 520;
  for (let t = 16; t < 64; t++) W[t] = schedule(W, t);
  for (let t = 0; t < 64; t++) SECOND_BLOCK[byte * 64 + t] = (K[t]! + W[t]!) | 0;
}

/**
 * Writes SHA-256(0x01 || left || right) to words[out .. out+8), where left and right are the
 * hashes at words[left .. left+8) and words[right .. right+8). out may equal left or right.
 * One function with the state in locals: V8 keeps them in registers (2x faster than
 * passing the state through a typed array between helper calls).
 */
export function nodeHashWords(words: Int32Array, left: number, right: number, out: number): void {
  // First block: the 0x01 prefix shifts both children one byte to the right.
  W[0] = 0x01000000 | (words[left]! >>> 8);
  for (let t = 1; t < 8; t++) W[t] = (words[left + t - 1]! << 24) | (words[left + t]! >>> 8);
  W[8] = (words[left + 7]! << 24) | (words[right]! >>> 8);
  for (let t = 9; t < 16; t++) W[t] = (words[right + t - 9]! << 24) | (words[right + t - 8]! >>> 8);
  const second = (words[right + 7]! & 0xff) * 64;

  let a = IV[0]!, b = IV[1]!, c = IV[2]!, d = IV[3]!, e = IV[4]!, f = IV[5]!, g = IV[6]!, h = IV[7]!;
  for (let t = 16; t < 64; t++) W[t] = schedule(W, t);
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  const h0 = (IV[0]! + a) | 0, h1 = (IV[1]! + b) | 0, h2 = (IV[2]! + c) | 0, h3 = (IV[3]! + d) | 0;
  const h4 = (IV[4]! + e) | 0, h5 = (IV[5]! + f) | 0, h6 = (IV[6]! + g) | 0, h7 = (IV[7]! + h) | 0;

  a = h0; b = h1; c = h2; d = h3; e = h4; f = h5; g = h6; h = h7;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + SECOND_BLOCK[second + t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  words[out] = (h0 + a) | 0;
  words[out + 1] = (h1 + b) | 0;
  words[out + 2] = (h2 + c) | 0;
  words[out + 3] = (h3 + d) | 0;
  words[out + 4] = (h4 + e) | 0;
  words[out + 5] = (h5 + f) | 0;
  words[out + 6] = (h6 + g) | 0;
  words[out + 7] = (h7 + h) | 0;
}

/** K[t] + W[t] of the second block of a 64-byte message: padding only (0x80, zeros, length 512). */
const PAD_BLOCK = (() => {
  W.fill(0);
  W[0] = 0x80000000 | 0;
  W[15] = 512;
  for (let t = 16; t < 64; t++) W[t] = schedule(W, t);
  return Int32Array.from(W, (w, t) => (w + K[t]!) | 0);
})();

/**
 * Writes SHA-256 of the 64 bytes a[aAt .. aAt+32) || b[bAt .. bAt+32) to out[outAt .. outAt+32).
 * The second block is constant padding, so this costs two compressions, one of them with a
 * precomputed schedule, and no call into node:crypto (~1–2 µs each on small inputs). Its
 * rounds are nodeHashWords' written out again, not shared through a helper, for the reason
 * given there: the state stays in locals.
 * test/core/merkle.test.ts checks it against node:crypto.
 */
export function sha256Of64(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, out: Uint8Array, outAt: number): void {
  for (let t = 0; t < 8; t++) {
    const i = aAt + 4 * t;
    W[t] = (a[i]! << 24) | (a[i + 1]! << 16) | (a[i + 2]! << 8) | a[i + 3]!;
    const j = bAt + 4 * t;
    W[t + 8] = (b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!;
  }
  let a0 = IV[0]!, b0 = IV[1]!, c = IV[2]!, d = IV[3]!, e = IV[4]!, f = IV[5]!, g = IV[6]!, h = IV[7]!;
  for (let t = 16; t < 64; t++) W[t] = schedule(W, t);
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
    const S0 = ((a0 >>> 2) | (a0 << 30)) ^ ((a0 >>> 13) | (a0 << 19)) ^ ((a0 >>> 22) | (a0 << 10));
    const t2 = (S0 + ((a0 & b0) ^ (a0 & c) ^ (b0 & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b0; b0 = a0; a0 = (t1 + t2) | 0;
  }
  const h0 = (IV[0]! + a0) | 0, h1 = (IV[1]! + b0) | 0, h2 = (IV[2]! + c) | 0, h3 = (IV[3]! + d) | 0;
  const h4 = (IV[4]! + e) | 0, h5 = (IV[5]! + f) | 0, h6 = (IV[6]! + g) | 0, h7 = (IV[7]! + h) | 0;
  a0 = h0; b0 = h1; c = h2; d = h3; e = h4; f = h5; g = h6; h = h7;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + PAD_BLOCK[t]!) | 0;
    const S0 = ((a0 >>> 2) | (a0 << 30)) ^ ((a0 >>> 13) | (a0 << 19)) ^ ((a0 >>> 22) | (a0 << 10));
    const t2 = (S0 + ((a0 & b0) ^ (a0 & c) ^ (b0 & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b0; b0 = a0; a0 = (t1 + t2) | 0;
  }
  putWord(out, outAt, h0 + a0);
  putWord(out, outAt + 4, h1 + b0);
  putWord(out, outAt + 8, h2 + c);
  putWord(out, outAt + 12, h3 + d);
  putWord(out, outAt + 16, h4 + e);
  putWord(out, outAt + 20, h5 + f);
  putWord(out, outAt + 24, h6 + g);
  putWord(out, outAt + 28, h7 + h);
}

function putWord(out: Uint8Array, at: number, w: number): void {
  out[at] = w >>> 24;
  out[at + 1] = w >>> 16;
  out[at + 2] = w >>> 8;
  out[at + 3] = w;
}

/** Loads a 32-byte hash into words[at .. at+8) as big-endian words. */
export function loadWords(words: Int32Array, at: number, hash: Uint8Array): void {
  for (let i = 0; i < 8; i++) {
    const j = 4 * i;
    words[at + i] = (hash[j]! << 24) | (hash[j + 1]! << 16) | (hash[j + 2]! << 8) | hash[j + 3]!;
  }
}

/** Returns words[at .. at+8) as a 32-byte hash. */
export function storeWords(words: Int32Array, at: number): Uint8Array {
  const hash = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const w = words[at + i]!;
    hash[4 * i] = w >>> 24;
    hash[4 * i + 1] = w >>> 16;
    hash[4 * i + 2] = w >>> 8;
    hash[4 * i + 3] = w;
  }
  return hash;
}
