import { CoreError } from "../errors.js";

/**
 * Tree sizes and leaf indexes. RFC 9162 and C2SP checkpoints make them uint64, so the
 * verifiers take any value in [0, 2^64) as a bigint; node ids and proof generation work on
 * trees the database can hold, so they also accept numbers and cap at 2^53 - 1.
 * Bit arithmetic is done on bigint: JS number bitwise operators truncate to 32 bits.
 */

const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number") return String(value);
  return typeof value;
}

function toInteger(name: string, value: unknown, max: bigint, want: string): bigint {
  let n: bigint | undefined;
  if (typeof value === "bigint") n = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) n = BigInt(value);
  if (n === undefined || n < 0n || n > max) {
    throw new CoreError("INVALID_ARGUMENT", `${name}: got ${describe(value)}, want ${want}`);
  }
  return n;
}

/** An index or size as a verifier accepts it: a safe-integer number or a bigint in [0, 2^64). */
export function toUint64(name: string, value: number | bigint): bigint {
  return toInteger(name, value, MAX_UINT64, "an integer in [0, 2^64)");
}

/** An index or size that must also fit a safe-integer number (node ids, generation). */
export function toSafeUint(name: string, value: number | bigint): bigint {
  return toInteger(name, value, MAX_SAFE, "an integer in [0, 2^53)");
}

/** Number of bits needed to represent x >= 0 (Go's bits.Len64). */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Number of one bits in x >= 0 (Go's bits.OnesCount64). */
export function onesCount(x: bigint): number {
  let count = 0;
  for (const digit of x.toString(2)) if (digit === "1") count++;
  return count;
}

/** Number of trailing zero bits in x > 0 (Go's bits.TrailingZeros64). */
export function trailingZeros(x: bigint): number {
  let count = 0;
  for (let y = x; (y & 1n) === 0n && y !== 0n; y >>= 1n) count++;
  return count;
}
