/**
 * Numbers kept exactly or refused. A JSON number is read as an IEEE 754 double (RFC 8785
 * §3.2.2.3; I-JSON, RFC 7493 §2.2), so a literal such as 12345678901234567891, or one with
 * more significant digits than a double holds, would be stored as another number without a
 * word. A literal is exact when the double it reads as, written back as ECMAScript writes it
 * (the canonical form the ledger hashes), is the same decimal value: 1.10, 1e2 and -0 are
 * exact (1.1, 100, 0); 12345678901234567891, 0.30000000000000000001 and 1e400 are not.
 */
import { CoreError } from "../errors.js";

/** A decimal value as significant digits and a power of ten: value = 0.digits × 10^point. */
function decimalOf(literal: string): string {
  let i = 0;
  const negative = literal.charCodeAt(0) === 0x2d;
  if (negative) i = 1;
  let e = literal.length;
  for (let k = i; k < literal.length; k++) {
    const c = literal.charCodeAt(k);
    if (c === 0x65 || c === 0x45) {
      e = k;
      break;
    }
  }
  const exponent = e < literal.length ? Number(literal.slice(e + 1)) : 0;
  const mantissa = literal.slice(i, e);
  const dot = mantissa.indexOf(".");
  let digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  let point = dot < 0 ? mantissa.length : dot;
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === 0x30) lead++;
  digits = digits.slice(lead);
  point -= lead;
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 0x30) end--;
  digits = digits.slice(0, end);
  if (digits === "") return "0";
  return `${negative ? "-" : ""}${digits}e${point + exponent}`;
}

/** Integers of at most 15 digits are exact as doubles (2^53 > 10^15): no comparison needed. */
const SHORT_INTEGER = /^-?\d{1,15}$/;

/** Whether the JSON number literal reads as a double of exactly its decimal value. */
export function isExactNumberLiteral(literal: string): boolean {
  if (SHORT_INTEGER.test(literal)) return true;
  const value = Number(literal);
  if (!Number.isFinite(value)) return false;
  return decimalOf(literal) === decimalOf(String(value));
}

/** The double a literal reads as; CoreError CANONICAL_JSON_INVALID when it would change. */
export function exactNumber(literal: string, where = "a number"): number {
  if (!isExactNumberLiteral(literal)) throw inexact(literal, where);
  return Number(literal);
}

export function inexact(literal: string, where = "a number"): CoreError {
  const shown = literal.length > 40 ? `${literal.slice(0, 40)}…` : literal;
  return new CoreError(
    "CANONICAL_JSON_INVALID",
    `${where}: ${shown} cannot be kept exactly (JSON numbers are IEEE 754 doubles, RFC 8785 §3.2.2.3); send it as a string`,
  );
}

/**
 * The first number literal of a JSON text that would not be kept exactly, or undefined.
 * Strings are skipped (a number inside one is text). Precondition: `json` is valid JSON
 * (JSON.parse accepted it); on other text the answer means nothing.
 */
export function firstInexactNumber(json: string): string | undefined {
  const n = json.length;
  let i = 0;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      // A string: to the next quote not escaped.
      i++;
      while (i < n) {
        const s = json.charCodeAt(i);
        if (s === 0x5c) i += 2;
        else if (s === 0x22) break;
        else i++;
      }
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      i++;
      while (i < n) {
        const d = json.charCodeAt(i);
        if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) i++;
        else break;
      }
      const literal = json.slice(start, i);
      if (!isExactNumberLiteral(literal)) return literal;
    } else i++;
  }
  return undefined;
}

/** Refuses a JSON text holding a number that would not be kept exactly (CoreError CANONICAL_JSON_INVALID). */
export function checkExactNumbers(json: string, where?: string): void {
  const literal = firstInexactNumber(json);
  if (literal !== undefined) throw inexact(literal, where);
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Bytes as UTF-8 text, or undefined when they are not well-formed UTF-8 (RFC 3629 §4): Node's
 * Buffer#toString would put U+FFFD in place of each bad sequence, altering the text silently.
 */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}
