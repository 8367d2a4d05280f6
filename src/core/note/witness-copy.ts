/**
 * How checkpoints are laid out in a witness store outside the database (DESIGN.md
 * "Checkpoints"; PCI DSS 10.3.3: logs copied promptly to a store that is hard to modify). One
 * file per checkpoint, named by its tree size so that sizes can be listed without reading
 * notes, under a folder named by the log's origin; plus one append-only index of every copy.
 */
import { canonicalize } from "../encoding/index.js";
import { CoreError } from "../errors.js";

/** 20 digits: every uint64 tree size, so that names sort by size. */
const SIZE_DIGITS = 20;
const FILE = /^([0-9]{20})\.checkpoint$/;

export function witnessFileName(size: number): string {
  if (!Number.isSafeInteger(size) || size < 0) throw new CoreError("INVALID_ARGUMENT", `size: got ${size}, want a non-negative integer`);
  return `${String(size).padStart(SIZE_DIGITS, "0")}.checkpoint`;
}

/** The tree size a witness file is named for, or undefined for any other name. */
export function witnessFileSize(name: string): number | undefined {
  const match = FILE.exec(name);
  if (!match) return undefined;
  const size = Number(match[1]);
  return Number.isSafeInteger(size) ? size : undefined;
}

/**
 * The folder (or object key prefix) of a log's copies: its origin, percent-encoded so that
 * the "/" of an origin does not make folders. An origin of dots alone is encoded too, so
 * that no origin names the current or parent folder.
 */
export function witnessFolder(origin: string): string {
  if (origin === "") throw new CoreError("INVALID_ARGUMENT", "origin: empty");
  return encodeURIComponent(origin).replace(/^\.+$/, (dots) => "%2E".repeat(dots.length));
}

/** One line of the index: which copy was written when, and the SHA-256 of its bytes. */
export interface WitnessIndexEntry {
  origin: string;
  size: number;
  file: string;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
  witnessedAt: string;
}

/** The index line of a copy: RFC 8785 canonical JSON and a newline (JSON Lines). */
export function witnessIndexLine(entry: WitnessIndexEntry): string {
  return `${canonicalize({ ...entry })}\n`;
}
