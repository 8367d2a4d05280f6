/**
 * JSON text read exactly or refused. JSON.parse would alter two things without a word: a number
 * a double cannot keep (exact-number.ts), and an object naming a member twice, of which it
 * keeps only the last. RFC 8259 §4 leaves duplicate names' meaning to the reader; I-JSON
 * (RFC 7493 §2.3) and RFC 8785 §3.1, whose canonical form the ledger hashes, require names to
 * be unique. So `{"actor":"alice","actor":"mallory"}` is refused at every entrance rather than
 * stored as mallory with alice dropped.
 */
import { CoreError } from "../errors.js";
import { firstInexactNumber, inexact } from "./exact-number.js";

/**
 * The first member name an object of `json` holds twice (compared after unescaping, so
 * `"a"` and `"\u0061"` are the same name), or undefined. Precondition: `json` is valid JSON
 * (JSON.parse accepted it). Iterative: the nesting depth is the sender's to choose.
 */
export function firstDuplicateName(json: string): string | undefined {
  // One frame per open container: the names seen so far for an object, null for an array.
  const frames: (Set<string> | null)[] = [];
  // Whether the next string of the innermost object is a member name (after `{` or `,`).
  let atName = false;
  const n = json.length;
  let i = 0;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      let escaped = false;
      i++;
      while (i < n) {
        const s = json.charCodeAt(i);
        if (s === 0x5c) {
          escaped = true;
          i += 2;
        } else if (s === 0x22) break;
        else i++;
      }
      i++;
      const names = frames[frames.length - 1];
      if (atName && names) {
        const name = escaped ? (JSON.parse(json.slice(start, i)) as string) : json.slice(start + 1, i - 1);
        if (names.has(name)) return name;
        names.add(name);
        atName = false;
      }
      continue;
    }
    if (c === 0x7b) {
      frames.push(new Set());
      atName = true;
    } else if (c === 0x5b) {
      frames.push(null);
      atName = false;
    } else if (c === 0x7d || c === 0x5d) {
      frames.pop();
      atName = false;
    } else if (c === 0x2c) {
      atName = frames[frames.length - 1] != null;
    }
    i++;
  }
  return undefined;
}

/**
 * Refuses JSON text that JSON.parse would not read exactly: a number a double cannot keep, or a
 * member name given twice in one object (CoreError CANONICAL_JSON_INVALID). Precondition: `json`
 * is valid JSON.
 */
export function checkExactJson(json: string, where = "the JSON text"): void {
  const literal = firstInexactNumber(json);
  if (literal !== undefined) throw inexact(literal, where);
  const name = firstDuplicateName(json);
  if (name !== undefined) {
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    throw new CoreError(
      "CANONICAL_JSON_INVALID",
      `${where}: an object names the member ${JSON.stringify(shown)} twice (member names must be unique, RFC 7493 §2.3, RFC 8785 §3.1); only one would be kept`,
    );
  }
}
