/**
 * The leaf input "\0" + leafData(entry) (entry.ts) written as UTF-8 into one reused buffer:
 * straight from the bytes of stored fields (write), what the verifier hashes for each of a
 * million rows; or from the metadata's strings (writeMetadata), what the appender hashes.
 * leafData stays the specification; both must give exactly its bytes, which
 * test/core/leaf-bytes.test.ts checks on awkward rows.
 *
 * Why it is exact: for valid UTF-8 text, decoding and re-encoding gives the same bytes, and
 * JSON.stringify of the decoded (well-formed) string escapes only `"`, `\` and characters
 * below U+0020. Text with such a byte, or that is not valid UTF-8, goes through the
 * reference's own decode and JSON.stringify instead.
 */
import { type EntryMetadata, LEAF_KEYS, LEAF_VERSION, type LeafVersion } from "./entry.js";
import { CoreError } from "../errors.js";
import { decode, validUtf8 } from "./utf8.js";

/**
 * Where the text fields lie: `fields[2k]` is the start and `fields[2k+1]` the length in
 * bytes of field k in the source array, in this order; tags follow from TAGS on.
 */
export const LEAF_FIELD = {
  ACTION: 0,
  ACTOR: 1,
  KIND: 2,
  OUTCOME: 3,
  PAYLOAD_HASH: 4,
  RESOURCE: 5,
  SOURCE: 6,
  TAGS: 7,
} as const;

const DAY_MS = 86_400_000;
/** new Date(ms) holds |ms| <= 8.64e15 (ECMA-262 §21.4.1.22); beyond it toISOString throws. */
const MAX_DATE_MS = 8.64e15;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ACTION = ascii('\0{"action":');
const KIND = ascii(',"kind":');
const OUTCOME = ascii('","outcome":"');
const RECORDED_AT = ascii('","recorded_at":"');
const SEQ = ascii(',"seq":');
const SOURCE = ascii(',"source":');
const TAGS = ascii(',"tags":[');

/** The literals that differ between leaf versions (entry.ts LEAF_KEYS). */
interface VersionLiterals {
  actor: Uint8Array;
  payload: Uint8Array;
  resource: Uint8Array;
  end: Uint8Array;
}

function versionLiterals(v: LeafVersion): VersionLiterals {
  const keys = LEAF_KEYS[v];
  return {
    actor: ascii(`,"${keys.actor}":`),
    payload: ascii(`","${keys.payload}":"`),
    resource: ascii(`","${keys.resource}":`),
    end: ascii(`],"v":${v}}`),
  };
}
const HEX = ascii("0123456789abcdef");
const encoder = new TextEncoder();

export class LeafBytes {
  private buf = new Uint8Array(1 << 12);
  private p = 0;
  /** ',"log":<origin>,"occurred_at":"' */
  private readonly logOccurred: Uint8Array;
  /** "YYYY-MM-DDT" of the last day written, per timestamp: most rows share their days. */
  private readonly day = [Number.NaN, Number.NaN];
  private readonly dayText: Uint8Array[] = [new Uint8Array(0), new Uint8Array(0)];

  private readonly v: VersionLiterals;

  /** `version`: the log's leaf encoding; in v2 the actor, resource and payload hash fields hold the commitments. */
  constructor(readonly origin: string, readonly version: LeafVersion = LEAF_VERSION) {
    this.v = versionLiterals(version);
    this.logOccurred = encoder.encode(`,"log":${JSON.stringify(origin)},"occurred_at":"`);
  }

  /**
   * "\0" + leafData of the entry as UTF-8: a view of the writer's buffer, valid until the next
   * call. Timestamps are milliseconds since the Unix epoch, as new Date() takes them. Returns
   * null when a timestamp is not a finite integer that Date can hold (leafData's caller could
   * not have made its text either).
   */
  write(src: Uint8Array, fields: Int32Array, tagCount: number, seq: number, occurredAtMs: number, recordedAtMs: number): Uint8Array | null {
    if (!this.timeOk(occurredAtMs) || !this.timeOk(recordedAtMs)) return null;
    const f = fields;
    this.p = 0;
    this.literal(ACTION);
    this.jsonText(src, f[2 * LEAF_FIELD.ACTION]!, f[2 * LEAF_FIELD.ACTION + 1]!);
    this.literal(this.v.actor);
    this.jsonText(src, f[2 * LEAF_FIELD.ACTOR]!, f[2 * LEAF_FIELD.ACTOR + 1]!);
    this.literal(KIND);
    this.jsonText(src, f[2 * LEAF_FIELD.KIND]!, f[2 * LEAF_FIELD.KIND + 1]!);
    this.literal(this.logOccurred);
    this.timestamp(occurredAtMs, 0);
    this.literal(OUTCOME);
    // leafData writes the outcome unquoted by JSON.stringify: only its UTF-8 matters.
    this.rawText(src, f[2 * LEAF_FIELD.OUTCOME]!, f[2 * LEAF_FIELD.OUTCOME + 1]!);
    this.literal(this.v.payload);
    this.hex(src, f[2 * LEAF_FIELD.PAYLOAD_HASH]!, f[2 * LEAF_FIELD.PAYLOAD_HASH + 1]!);
    this.literal(RECORDED_AT);
    this.timestamp(recordedAtMs, 1);
    this.literal(this.v.resource);
    this.jsonText(src, f[2 * LEAF_FIELD.RESOURCE]!, f[2 * LEAF_FIELD.RESOURCE + 1]!);
    this.literal(SEQ);
    this.ascii(String(seq));
    this.literal(SOURCE);
    this.jsonText(src, f[2 * LEAF_FIELD.SOURCE]!, f[2 * LEAF_FIELD.SOURCE + 1]!);
    this.literal(TAGS);
    for (let i = 0; i < tagCount; i++) {
      if (i > 0) this.buf[this.p++] = 0x2c;
      this.jsonText(src, f[2 * (LEAF_FIELD.TAGS + i)]!, f[2 * (LEAF_FIELD.TAGS + i) + 1]!);
    }
    this.literal(this.v.end);
    return this.buf.subarray(0, this.p);
  }

  /**
   * "\0" + leafData(m) as UTF-8, written from the metadata's strings: what the appender
   * hashes, without building leafData's string. A view of the writer's buffer, valid until
   * the next call. Requires m.log to be this writer's origin.
   */
  writeMetadata(m: EntryMetadata): Uint8Array {
    if (m.log !== this.origin) throw new CoreError("INVALID_ARGUMENT", `log: got ${JSON.stringify(m.log)}, want ${JSON.stringify(this.origin)}`);
    if ((m.v ?? LEAF_VERSION) !== this.version) throw new CoreError("INVALID_ARGUMENT", `v: got ${m.v ?? LEAF_VERSION}, want ${this.version}`);
    this.p = 0;
    this.literal(ACTION);
    this.jsonString(m.action);
    this.literal(this.v.actor);
    this.jsonString(m.actor);
    this.literal(KIND);
    this.jsonString(m.kind);
    this.literal(this.logOccurred);
    this.utf8(m.occurredAt);
    this.literal(OUTCOME);
    this.utf8(m.outcome);
    this.literal(this.v.payload);
    this.hex(m.payloadHash, 0, m.payloadHash.length);
    this.literal(RECORDED_AT);
    this.utf8(m.recordedAt);
    this.literal(this.v.resource);
    this.jsonString(m.resource);
    this.literal(SEQ);
    this.ascii(String(m.seq));
    this.literal(SOURCE);
    this.jsonString(m.source);
    this.literal(TAGS);
    for (let i = 0; i < m.tags.length; i++) {
      if (i > 0) this.buf[this.p++] = 0x2c;
      this.jsonString(m.tags[i]!);
    }
    this.literal(this.v.end);
    return this.buf.subarray(0, this.p);
  }

  /** JSON.stringify(text) as UTF-8: the text itself, quoted, unless a character needs escaping. */
  private jsonString(text: string): void {
    this.reserve(text.length + 2);
    const buf = this.buf;
    const start = this.p;
    let p = start;
    buf[p++] = 0x22;
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // Lone surrogates are escaped by JSON.stringify; let it decide for any surrogate.
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
        this.p = start;
        return this.utf8(JSON.stringify(text));
      }
      if (c >= 0x80) ascii = false;
      else buf[p++] = c;
    }
    if (!ascii) {
      this.p = start;
      return this.utf8(JSON.stringify(text));
    }
    buf[p++] = 0x22;
    this.p = p;
  }

  private timeOk(ms: number): boolean {
    return Number.isInteger(ms) && ms >= -MAX_DATE_MS && ms <= MAX_DATE_MS;
  }

  private reserve(n: number): void {
    if (this.p + n <= this.buf.length) return;
    const bigger = new Uint8Array(2 * (this.p + n));
    bigger.set(this.buf.subarray(0, this.p));
    this.buf = bigger;
  }

  private literal(bytes: Uint8Array): void {
    this.reserve(bytes.length + 1); // +1: the comma between tags.
    const buf = this.buf;
    let p = this.p;
    for (let i = 0; i < bytes.length; i++) buf[p++] = bytes[i]!;
    this.p = p;
  }

  private ascii(text: string): void {
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) this.buf[this.p++] = text.charCodeAt(i);
  }

  /** JSON.stringify(text) as UTF-8, for the UTF-8 text src[start, start+length). */
  private jsonText(src: Uint8Array, start: number, length: number): void {
    const end = start + length;
    let plain = true;
    for (let i = start; i < end; i++) {
      const c = src[i]!;
      if (c < 0x20 || c === 0x22 || c === 0x5c) {
        plain = false;
        break;
      }
      if (c >= 0x80) {
        plain = validUtf8(src, i, end) && !needsEscape(src, i, end);
        break;
      }
    }
    if (plain) {
      this.reserve(length + 2);
      const buf = this.buf;
      buf[this.p++] = 0x22;
      let p = this.p;
      for (let i = start; i < end; i++) buf[p++] = src[i]!;
      buf[p++] = 0x22;
      this.p = p;
    } else this.utf8(JSON.stringify(decode(src, start, end)));
  }

  /** The UTF-8 of the decoded text src[start, start+length): the bytes themselves when valid. */
  private rawText(src: Uint8Array, start: number, length: number): void {
    if (!validUtf8(src, start, start + length)) return this.utf8(decode(src, start, start + length));
    this.reserve(length);
    const buf = this.buf;
    let p = this.p;
    for (let i = start; i < start + length; i++) buf[p++] = src[i]!;
    this.p = p;
  }

  private utf8(text: string): void {
    this.reserve(3 * text.length);
    const buf = this.buf;
    let p = this.p;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        this.p += encoder.encodeInto(text, buf.subarray(this.p)).written;
        return;
      }
      buf[p++] = c;
    }
    this.p = p;
  }

  /** toHex of src[start, start+length). */
  private hex(src: Uint8Array, start: number, length: number): void {
    this.reserve(2 * length);
    const buf = this.buf;
    let p = this.p;
    for (let i = start; i < start + length; i++) {
      buf[p++] = HEX[src[i]! >> 4]!;
      buf[p++] = HEX[src[i]! & 15]!;
    }
    this.p = p;
  }

  /** new Date(ms).toISOString(), from a cached "YYYY-MM-DDT" and the time of day. */
  private timestamp(ms: number, which: 0 | 1): void {
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.day[which]) {
      this.day[which] = day;
      const iso = new Date(day * DAY_MS).toISOString();
      this.dayText[which] = ascii(iso.slice(0, iso.indexOf("T") + 1));
    }
    this.literal(this.dayText[which]!);
    this.reserve(13);
    let t = ms - day * DAY_MS;
    const milli = t % 1000;
    t = (t - milli) / 1000;
    const s = t % 60;
    t = (t - s) / 60;
    const m = t % 60;
    const h = (t - m) / 60;
    const buf = this.buf;
    let p = this.p;
    buf[p++] = 0x30 + ((h / 10) | 0);
    buf[p++] = 0x30 + (h % 10);
    buf[p++] = 0x3a;
    buf[p++] = 0x30 + ((m / 10) | 0);
    buf[p++] = 0x30 + (m % 10);
    buf[p++] = 0x3a;
    buf[p++] = 0x30 + ((s / 10) | 0);
    buf[p++] = 0x30 + (s % 10);
    buf[p++] = 0x2e;
    buf[p++] = 0x30 + ((milli / 100) | 0);
    buf[p++] = 0x30 + (((milli / 10) | 0) % 10);
    buf[p++] = 0x30 + (milli % 10);
    buf[p++] = 0x5a;
    this.p = p;
  }
}

function needsEscape(src: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = src[i]!;
    if (c < 0x20 || c === 0x22 || c === 0x5c) return true;
  }
  return false;
}
