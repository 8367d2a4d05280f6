/**
 * Encoding of values for COPY ... FROM STDIN in text format (PostgreSQL docs, "COPY", File
 * Formats / Text Format): columns separated by tab, rows by newline, NULL as \N, and
 * backslash, newline, carriage return and tab escaped with a backslash.
 */

const SPECIAL = /[\\\n\r\t]/;

export function copyText(value: string): string {
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[\\\n\r\t]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t"));
}

export function copyNullable(value: string | null | undefined): string {
  return value === null || value === undefined ? "\\N" : copyText(value);
}

/** bytea in hex format; the backslash of "\x" is itself escaped for COPY. */
export function copyBytea(bytes: Uint8Array): string {
  return "\\\\x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/**
 * A text[] array literal: every element double-quoted with " and \ backslash-escaped
 * (array input syntax), then escaped again for COPY.
 */
export function copyTextArray(values: readonly string[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    out += (i ? "," : "") + '"' + values[i]!.replace(/[\\"]/g, (c) => "\\" + c) + '"';
  }
  return copyText(out + "}");
}
