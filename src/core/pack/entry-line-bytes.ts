/**
 * An entry's events line, formatEntryLine(e) + "\n" (entry.ts), written as UTF-8 straight into
 * one reused buffer: the pack builder writes a million lines, and building each line as a
 * string of ~30 pieces only for it to be flattened and encoded cost more than the rest of
 * writing it. formatEntryLine stays the specification; test/core/entry-line-bytes.test.ts
 * checks these bytes equal its UTF-8 for awkward entries of both formats.
 *
 * Why it is exact: JSON.stringify of a string with no character below U+0020, no `"`, no `\`
 * and no surrogate is the string quoted, and such a string of ASCII characters is its own
 * UTF-8; any other string is written as JSON.stringify gives it. The raw parts (timestamps,
 * outcome, payload) are encoded as Buffer encodes the whole line.
 */
import { type PackEntry, erasedJson, openedJson } from "./entry.js";

const HEX = Buffer.from("0123456789abcdef", "latin1");

export class EntryLineBytes {
  private buf = Buffer.allocUnsafe(1 << 13);
  private p = 0;

  /** formatEntryLine(e) + "\n" as UTF-8: a view of the writer's buffer, valid until the next call. */
  line(e: PackEntry): Uint8Array {
    this.p = 0;
    this.ascii('{"action":');
    this.jsonString(e.action);
    this.ascii(',"actor":');
    this.jsonString(e.actor);
    this.ascii(',"chain_hash":"');
    this.hex(e.chainHash);
    this.ascii('"');
    if (e.erased) {
      this.ascii(',"erased":');
      this.text(erasedJson(e.erased));
    }
    this.ascii(',"kind":');
    this.jsonString(e.kind);
    this.ascii(',"leaf_hash":"');
    this.hex(e.leafHash);
    this.ascii('","log":');
    this.jsonString(e.log);
    this.ascii(',"occurred_at":"');
    this.text(e.occurredAt);
    this.ascii('","outcome":"');
    this.text(e.outcome);
    this.ascii('","payload":');
    this.text(e.payload ?? "null");
    this.ascii(',"payload_hash":"');
    this.hex(e.payloadHash);
    this.ascii('","recorded_at":"');
    this.text(e.recordedAt);
    this.ascii('","resource":');
    this.jsonString(e.resource);
    this.ascii(',"seq":');
    this.text(String(e.seq));
    this.ascii(',"source":');
    this.jsonString(e.source);
    this.ascii(',"tags":[');
    for (let i = 0; i < e.tags.length; i++) {
      if (i > 0) this.ascii(",");
      this.jsonString(e.tags[i]!);
    }
    this.ascii('],"v":');
    this.text(String(e.v ?? 1));
    if (e.values) {
      this.ascii(',"values":');
      this.text(openedJson(e.values));
    }
    this.ascii("}\n");
    return this.buf.subarray(0, this.p);
  }

  private reserve(n: number): void {
    if (this.p + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(2 * (this.p + n));
    this.buf.copy(bigger, 0, 0, this.p);
    this.buf = bigger;
  }

  /** A literal of this file: ASCII only. */
  private ascii(literal: string): void {
    this.reserve(literal.length);
    const buf = this.buf;
    let p = this.p;
    for (let i = 0; i < literal.length; i++) buf[p++] = literal.charCodeAt(i);
    this.p = p;
  }

  /** The UTF-8 of the text, as Buffer.from(text) encodes it. */
  private text(text: string): void {
    this.reserve(3 * text.length);
    this.p += this.buf.write(text, this.p);
  }

  /** JSON.stringify(text) as UTF-8: the text itself, quoted, unless a character needs more. */
  private jsonString(text: string): void {
    this.reserve(text.length + 2);
    const buf = this.buf;
    let p = this.p;
    buf[p++] = 0x22;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) return this.text(JSON.stringify(text));
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.p = p;
  }

  /** toHex of the bytes. */
  private hex(bytes: Uint8Array): void {
    this.reserve(2 * bytes.length);
    const buf = this.buf;
    let p = this.p;
    for (let i = 0; i < bytes.length; i++) {
      buf[p++] = HEX[bytes[i]! >> 4]!;
      buf[p++] = HEX[bytes[i]! & 15]!;
    }
    this.p = p;
  }
}
