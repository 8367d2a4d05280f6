import { CoreError } from "../errors.js";

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
  return serialize(value, [], ROOT, null);
}

/**
 * Where a value sits, for error messages. A linked list formatted only when something fails,
 * and made only for containers (a value's own step is passed beside its parent's path):
 * the appender canonicalizes every event's payload.
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

/** The path of the value at `step` below `parent` (the root when step is null). */
function at(parent: Path, step: number | string | null): Path {
  return step === null ? parent : { parent, step };
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

/**
 * `ancestors` holds the containers on the current path only, so shared (acyclic) references
 * pass; a short array, searched from the top, is cheaper than a Set at the depths payloads have.
 */
function serialize(value: unknown, ancestors: object[], parent: Path, step: number | string | null): string {
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return serializeNumber(value, parent, step);
    case "string":
      return serializeString(value, parent, step);
    case "object":
      if (value === null) return "null";
      break;
    default:
      // undefined, function, symbol, bigint: JSON has no value for them (§3.2.2, I-JSON §2.2
      // for bigint, which would need a precision the Number type cannot give).
      throw invalid(at(parent, step), `a ${typeof value} has no JSON representation`);
  }

  const path = at(parent, step);
  if (ancestors.includes(value)) throw invalid(path, "cycle");
  if (ancestors.length >= MAX_DEPTH) throw invalid(path, `nesting deeper than ${MAX_DEPTH}`);
  ancestors.push(value);
  const text = Array.isArray(value) ? serializeArray(value, ancestors, path) : serializeObject(value, ancestors, path);
  ancestors.pop();
  return text;
}

function serializeArray(array: unknown[], ancestors: object[], path: Path): string {
  let out = "[";
  for (let i = 0; i < array.length; i++) {
    if (i > 0) out += ",";
    // A hole reads as undefined and is refused there, unlike JSON.stringify's silent null.
    out += serialize(array[i], ancestors, path, i);
  }
  return out + "]";
}

function serializeObject(object: object, ancestors: object[], path: Path): string {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    const kind = (object as { constructor?: { name?: unknown } }).constructor?.name;
    throw invalid(path, `not a plain object (${typeof kind === "string" ? kind : "unknown class"})`);
  }
  if (Object.getOwnPropertySymbols(object).length > 0) {
    throw invalid(path, "symbol-keyed member");
  }
  // §3.2.3: sort by the UTF-16 code units of the raw (unescaped) keys, which is what the
  // default sort does with strings (localeCompare would not).
  const keys = Object.keys(object).sort();
  const record = object as Record<string, unknown>;
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i > 0) out += ",";
    out += serializeKey(key, path) + ":" + serialize(record[key], ancestors, path, key);
  }
  return out + "}";
}

/**
 * §3.2.2.3: numbers are serialized as ECMAScript's Number.prototype.toString does, which is
 * what String() gives (shortest round-trip digits, exponent form outside [1e-7, 1e21), and
 * -0 as "0"). NaN and ±Infinity are not JSON numbers and are errors.
 */
function serializeNumber(n: number, parent: Path, step: number | string | null): string {
  if (!Number.isFinite(n)) throw invalid(at(parent, step), `${n} is not a JSON number`);
  return String(n);
}

/**
 * §3.2.2.2: escapes only `"`, `\`, and U+0000–U+001F (as \b \t \n \f \r or \u00xx with
 * lowercase hex); everything else, "/" and U+2028/U+2029 included, is emitted as is.
 * JSON.stringify does exactly that since ES2019 (Node ≥ 12), except that it escapes lone
 * surrogates instead of failing, so those are refused first.
 */
function serializeString(s: string, parent: Path, step: number | string | null): string {
  if (!isWellFormed(s)) throw invalid(at(parent, step), "string has a lone surrogate (not valid Unicode)");
  return JSON.stringify(s);
}

function serializeKey(key: string, path: Path): string {
  if (!isWellFormed(key)) throw invalid({ parent: path, step: key, isKey: true }, "string has a lone surrogate (not valid Unicode)");
  return JSON.stringify(key);
}

/** String.prototype.isWellFormed (ES2024, Node 20): no lone surrogate. O(1) for one-byte strings. */
export function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}
