import { CoreError } from "./errors.js";

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * Why our own and not the npm `canonicalize` package: that package follows JSON.stringify's
 * lenient habits (it drops `undefined` and symbol members, calls `toJSON`, so a Date becomes a
 * string, has no cycle check and prints a function as `undefined`). A ledger hashes what it
 * canonicalizes, so every value that has no single JSON meaning must be an error instead.
 * The JCS rules themselves are short: ECMAScript serialization of primitives (§3.2.2) plus
 * sorting of object members by UTF-16 code units (§3.2.3).
 */

/**
 * Nesting deeper than this is refused rather than risking a stack overflow (a RangeError is not
 * a CoreError). RFC 8785 sets no limit; I-JSON (RFC 7493) lets implementations set one.
 */
export const MAX_DEPTH = 1000;

/** Under the `u` flag a paired surrogate is one code point, so this matches only lone ones. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The JCS text of `value`: the only JSON text RFC 8785 allows for it.
 *
 * Accepted: null, booleans, finite numbers, well-formed strings, arrays (dense) and plain
 * objects (prototype Object.prototype or null) of accepted values.
 * Throws CoreError CANONICAL_JSON_INVALID for anything else: NaN and ±Infinity (§3.2.2.3),
 * strings or keys with lone surrogates (§3.2.2.2, I-JSON §2.1), undefined, functions, symbols
 * and bigints at any depth, array holes, symbol-keyed members, class instances (Date, Map,
 * Uint8Array, …), cycles, and nesting deeper than MAX_DEPTH.
 */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  serialize(value, out, new Set<object>(), ROOT);
  return out.join("");
}

/**
 * Where a value sits, for error messages. A linked list formatted only when something fails:
 * building path strings for every member would double the cost of canonicalizing a payload,
 * which the appender does for every event.
 */
interface Path {
  readonly parent: Path | null;
  /** An array index, an object member name, or a member name used as a key. */
  readonly step: number | string;
  readonly isKey?: boolean;
}

const ROOT: Path = { parent: null, step: "$" };

function formatPath(path: Path): string {
  if (path.parent === null) return String(path.step);
  const parent = formatPath(path.parent);
  if (path.isKey) return `${parent} key ${JSON.stringify(path.step)}`;
  return typeof path.step === "number" ? `${parent}[${path.step}]` : `${parent}.${path.step}`;
}

/** UTF-8 bytes of the JCS text (§3.2.4: the canonical form is UTF-8 encoded). */
export function canonicalBytes(value: unknown): Uint8Array {
  // Lossless: canonicalize() has already rejected lone surrogates, the only strings UTF-8
  // cannot represent.
  return new TextEncoder().encode(canonicalize(value));
}

function invalid(path: Path, why: string): CoreError {
  return new CoreError("CANONICAL_JSON_INVALID", `${formatPath(path)}: ${why}`);
}

/** `ancestors` holds the containers on the current path only, so shared (acyclic) references pass. */
function serialize(value: unknown, out: string[], ancestors: Set<object>, path: Path): void {
  switch (typeof value) {
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "number":
      out.push(serializeNumber(value, path));
      return;
    case "string":
      out.push(serializeString(value, path));
      return;
    case "object":
      if (value === null) {
        out.push("null");
        return;
      }
      break;
    default:
      // undefined, function, symbol, bigint: JSON has no value for them (§3.2.2, I-JSON §2.2
      // for bigint, which would need a precision the Number type cannot give).
      throw invalid(path, `a ${typeof value} has no JSON representation`);
  }

  if (ancestors.has(value)) throw invalid(path, "cycle");
  if (ancestors.size >= MAX_DEPTH) throw invalid(path, `nesting deeper than ${MAX_DEPTH}`);
  ancestors.add(value);
  if (Array.isArray(value)) {
    serializeArray(value, out, ancestors, path);
  } else {
    serializeObject(value, out, ancestors, path);
  }
  ancestors.delete(value);
}

function serializeArray(array: unknown[], out: string[], ancestors: Set<object>, path: Path): void {
  out.push("[");
  for (let i = 0; i < array.length; i++) {
    if (i > 0) out.push(",");
    // A hole reads as undefined and is refused there, unlike JSON.stringify's silent null.
    serialize(array[i], out, ancestors, { parent: path, step: i });
  }
  out.push("]");
}

function serializeObject(object: object, out: string[], ancestors: Set<object>, path: Path): void {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    const kind = (object as { constructor?: { name?: unknown } }).constructor?.name;
    throw invalid(path, `not a plain object (${typeof kind === "string" ? kind : "unknown class"})`);
  }
  if (Object.getOwnPropertySymbols(object).length > 0) {
    throw invalid(path, "symbol-keyed member");
  }
  // §3.2.3: sort by the UTF-16 code units of the raw (unescaped) keys. `<` on JS strings
  // compares code units, which is exactly that; localeCompare would not be.
  const keys = Object.keys(object).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const record = object as Record<string, unknown>;
  out.push("{");
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i > 0) out.push(",");
    out.push(serializeString(key, path, key), ":");
    serialize(record[key], out, ancestors, { parent: path, step: key });
  }
  out.push("}");
}

/**
 * §3.2.2.3: numbers are serialized as ECMAScript's Number.prototype.toString does, which is
 * what String() gives (shortest round-trip digits, exponent form outside [1e-7, 1e21), and
 * -0 as "0"). NaN and ±Infinity are not JSON numbers and are errors.
 */
function serializeNumber(n: number, path: Path): string {
  if (!Number.isFinite(n)) throw invalid(path, `${n} is not a JSON number`);
  return String(n);
}

/**
 * §3.2.2.2: escapes only `"`, `\`, and U+0000–U+001F (as \b \t \n \f \r or \u00xx with
 * lowercase hex); everything else, "/" and U+2028/U+2029 included, is emitted as is.
 * JSON.stringify does exactly that since ES2019 (Node ≥ 12), except that it escapes lone
 * surrogates instead of failing, so those are refused first.
 */
function serializeString(s: string, path: Path, asKey?: string): string {
  if (LONE_SURROGATE.test(s)) {
    throw invalid(asKey === undefined ? path : { parent: path, step: asKey, isKey: true }, "string has a lone surrogate (not valid Unicode)");
  }
  return JSON.stringify(s);
}
