/**
 * CPU cost per entry of verification's steps, without the database: the first ranges of a
 * seeded log (bench/verify.ts --schema NAME --keep) are read once with verify-range.ts's
 * binary COPY query and kept in memory as the chunks Postgres sent; each variant then
 * consumes those chunks as a stream, as verifyRange does. Best of several rounds (variants
 * interleaved), µs per entry (CPU time of this process, GC threads included, beside wall).
 *
 *   npx tsx bench/verify-cpu.ts --schema NAME [--ranges 2] [--rounds 5] [--live]
 *
 * --live streams every range of the log from Postgres for each variant instead (one
 * connection, one thread: what verifyLog with threads 0 does), so socket, postgres.js and GC
 * costs of a whole log are in the figures too.
 *
 * Variants: what src/ does today (parse; parse + decode; + RangeCheck.add; + the Merkle part
 * of verifyRange), and a prototype of the suggested rewrite of that hot loop (BENCHMARKS.md):
 * the leaf's canonical JSON written as bytes straight from the COPY fields into one reused
 * buffer and hashed once (no strings, no JSON.stringify, no BigInt), field offsets instead of
 * Buffer views, and the range's Merkle tree built while streaming with the in-place word
 * SHA-256 (one pass, no per-node crypto call, no leaves array). The prototype is checked
 * untimed against the core: its leaf bytes equal "\0" + leafData() for every row, and its
 * range roots equal verifyRange's.
 */
import { hash } from "node:crypto";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { GENESIS_CHAIN_HASH, leafData } from "../src/core/entry.js";
import { digestEqual, sha256 } from "../src/core/hash.js";
import { nodeHash, rootFromLeafHashes } from "../src/core/merkle.js";
import { loadWords, nodeHashWords, storeWords } from "../src/core/merkle-sha256.js";
import { RangeCheck, type StoredEntry } from "../src/core/range-check.js";
import { RANGE_LEVEL, verifyRange } from "../src/integrity/verify-range.js";
import { int8, readBinaryCopy, textArray, timestampMs, type Tuple } from "../src/ledger/copy-binary.js";
import { connect, type Sql } from "../src/ledger/db.js";
import { findLog, treeSize } from "../src/ledger/logs.js";
import { STORED_NODE_MIN_LEVEL } from "../src/ledger/tree.js";
import { BENCH_LOG } from "./seed.js";
import { DEFAULT_URL, parseFlags, resolveUrl } from "./support.js";

const flags = parseFlags(process.argv.slice(2), { schema: "", ranges: 2, rounds: 5, url: DEFAULT_URL, live: false });
flags.url = resolveUrl(flags.url);
if (!flags.schema) throw new Error("--schema NAME: a schema seeded by bench/verify.ts --keep");
const RANGE = 2 ** RANGE_LEVEL;

interface Range {
  start: number;
  end: number;
  /** The range's COPY stream: the chunks kept in memory, or (--live) the query itself. */
  open(): Promise<Readable>;
  /** Stored nodes of the range as verify-range.ts loads them. */
  stored: Map<string, Uint8Array>;
}


// ---------------------------------------------------------------------------------------
// Today's code path (src/integrity/verify-range.ts), minus the database.

class TimestampText {
  private last = -1;
  private text = "";
  iso(field: Buffer): string {
    const ms = timestampMs(field);
    if (ms !== this.last) {
      this.last = ms;
      this.text = new Date(ms).toISOString();
    }
    return this.text;
  }
}

function decode(t: Tuple, origin: string, occurred: TimestampText, recorded: TimestampText): StoredEntry {
  return {
    log: origin,
    seq: int8(t[0]!),
    kind: t[1]!.toString("utf8"),
    actor: t[2]!.toString("utf8"),
    action: t[3]!.toString("utf8"),
    resource: t[4]!.toString("utf8"),
    outcome: t[5]!.toString("utf8") as StoredEntry["outcome"],
    source: t[6]!.toString("utf8"),
    occurredAt: occurred.iso(t[7]!),
    recordedAt: recorded.iso(t[8]!),
    tags: textArray(t[9]!),
    payload: t[10] ?? null,
    payloadHash: t[11]!,
    leafHash: t[12]!,
    chainHash: t[13]!,
  };
}

async function todayRows(r: Range, origin: string, merkle: boolean): Promise<Uint8Array> {
  const check = new RangeCheck(origin, r.start, r.end, r.start === 0 ? GENESIS_CHAIN_HASH : null);
  const occurred = new TimestampText();
  const recorded = new TimestampText();
  await readBinaryCopy(await r.open(), (t) => check.add(decode(t, origin, occurred, recorded)));
  check.finish();
  if (check.findings.length) throw new Error(`findings in range ${r.start}: ${JSON.stringify(check.findings[0])}`);
  if (!merkle) return new Uint8Array(32);
  // verify-range.ts's Merkle part, as it is.
  let level: Uint8Array[] = check.leaves;
  let bad = 0;
  for (let l = 1; level.length >= 2; l++) {
    const next: Uint8Array[] = new Array(level.length >> 1);
    for (let i = 0; i < next.length; i++) {
      const h = nodeHash(level[2 * i]!, level[2 * i + 1]!);
      next[i] = h;
      if (l < STORED_NODE_MIN_LEVEL) continue;
      const have = r.stored.get(`${l}:${Math.floor(r.start / 2 ** l) + i}`);
      if (!have || !digestEqual(have, h)) bad++;
    }
    level = next;
  }
  if (bad) throw new Error(`${bad} node mismatches`);
  // A complete range's root is the top of the levels just built.
  return level.length === 1 && (check.leaves.length & (check.leaves.length - 1)) === 0 ? level[0]! : rootFromLeafHashes(check.leaves);
}

// ---------------------------------------------------------------------------------------
// Prototype of the suggested hot loop.

const lit = (s: string) => Buffer.from(s, "utf8");
const HEX = lit("0123456789abcdef");

/** Writes "\0" + leafData(entry) as UTF-8 into one reused buffer, from the COPY fields' bytes. */
class LeafWriter {
  buf = Buffer.allocUnsafe(1 << 16);
  p = 0;
  private readonly A: Buffer;
  private readonly LOG_OCC: Buffer;
  /** "YYYY-MM-DDT" of the last day seen, per timestamp column (they rarely change row to row). */
  private readonly dayKey = [NaN, NaN];
  private readonly dayPrefix = [Buffer.alloc(0), Buffer.alloc(0)];
  constructor(origin: string) {
    this.A = lit('\0{"action":');
    this.LOG_OCC = lit(`,"log":${JSON.stringify(origin)},"occurred_at":"`);
  }
  private raw(b: Buffer): void {
    for (let i = 0; i < b.length; i++) this.buf[this.p++] = b[i]!;
  }
  private ensure(n: number): void {
    if (this.p + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(2 * (this.p + n));
      this.buf.copy(bigger, 0, 0, this.p);
      this.buf = bigger;
    }
  }
  /** JSON.stringify of the UTF-8 text src[s, e): the bytes themselves unless an escape is due. */
  private str(src: Buffer, s: number, e: number): void {
    this.ensure(6 * (e - s) + 2);
    const buf = this.buf;
    let i = s;
    for (; i < e; i++) {
      const c = src[i]!;
      if (c < 0x20 || c === 0x22 || c === 0x5c) break;
    }
    if (i === e) {
      buf[this.p++] = 0x22;
      src.copy(buf, this.p, s, e);
      this.p += e - s;
      buf[this.p++] = 0x22;
    } else this.p += buf.write(JSON.stringify(src.toString("utf8", s, e)), this.p, "utf8");
  }
  private digits(n: number, width: number): void {
    for (let k = width - 1; k >= 0; k--) {
      this.buf[this.p + k] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    }
    this.p += width;
  }
  /** timestamptz (µs since 2000-01-01, int8) as toISOString() of its milliseconds. */
  private iso(src: Buffer, at: number, column: 0 | 1): void {
    const us = src.readInt32BE(at) * 4294967296 + src.readUInt32BE(at + 4);
    const ms = Math.round(us / 1000) + 946_684_800_000;
    const day = Math.floor(ms / 86_400_000);
    if (day !== this.dayKey[column]) {
      this.dayKey[column] = day;
      this.dayPrefix[column] = lit(new Date(day * 86_400_000).toISOString().slice(0, -13)); // "YYYY-MM-DDT"
    }
    this.ensure(40);
    this.raw(this.dayPrefix[column]!);
    let t = ms - day * 86_400_000;
    const msec = t % 1000;
    t = (t - msec) / 1000;
    this.digits(Math.floor(t / 3600), 2);
    this.buf[this.p++] = 0x3a;
    this.digits(Math.floor(t / 60) % 60, 2);
    this.buf[this.p++] = 0x3a;
    this.digits(t % 60, 2);
    this.buf[this.p++] = 0x2e;
    this.digits(msec, 3);
    this.buf[this.p++] = 0x5a;
  }

  /** f: [start, length] of each field in src (length -1 for NULL). */
  write(src: Buffer, f: Int32Array, seq: number): number {
    // Field k is src[f[2k], f[2k] + f[2k+1]).
    this.p = 0;
    this.ensure(256);
    this.raw(this.A);
    this.str(src, f[6]!, f[6]! + f[7]!); // action
    this.ensure(16);
    this.raw(C.actor);
    this.str(src, f[4]!, f[4]! + f[5]!);
    this.ensure(16);
    this.raw(C.kind);
    this.str(src, f[2]!, f[2]! + f[3]!);
    this.ensure(this.LOG_OCC.length);
    this.raw(this.LOG_OCC);
    this.iso(src, f[14]!, 0); // occurred_at
    this.ensure(32 + f[11]!);
    this.raw(C.outcome);
    src.copy(this.buf, this.p, f[10]!, f[10]! + f[11]!);
    this.p += f[11]!;
    const ph = f[22]!;
    const phEnd = ph + f[23]!;
    this.ensure(32 + 2 * f[23]!);
    this.raw(C.payloadHash);
    for (let i = ph; i < phEnd; i++) {
      this.buf[this.p++] = HEX[src[i]! >> 4]!;
      this.buf[this.p++] = HEX[src[i]! & 15]!;
    }
    this.raw(C.recordedAt);
    this.iso(src, f[16]!, 1); // recorded_at
    this.ensure(16);
    this.raw(C.resource);
    this.str(src, f[8]!, f[8]! + f[9]!);
    this.ensure(32);
    this.raw(C.seq);
    const s = String(seq);
    for (let i = 0; i < s.length; i++) this.buf[this.p++] = s.charCodeAt(i);
    this.raw(C.source);
    this.str(src, f[12]!, f[12]! + f[13]!);
    this.ensure(16);
    this.raw(C.tags);
    // text[]: ndim, flags, oid, (dim, lbound), then (len, bytes) per element.
    const a = f[18]!;
    if (src.readInt32BE(a) === 1) {
      const n = src.readInt32BE(a + 12);
      let q = a + 20;
      for (let i = 0; i < n; i++) {
        const len = src.readInt32BE(q);
        q += 4;
        if (i) this.buf[this.p++] = 0x2c;
        this.str(src, q, q + len);
        q += len;
      }
    }
    this.ensure(16);
    this.raw(C.end);
    return this.p;
  }
}
const C = {
  actor: lit(',"actor":'), kind: lit(',"kind":'), outcome: lit('","outcome":"'), payloadHash: lit('","payload_hash":"'),
  recordedAt: lit('","recorded_at":"'), resource: lit('","resource":'), seq: lit(',"seq":'), source: lit(',"source":'),
  tags: lit(',"tags":['), end: lit('],"v":1}'),
};

function equal32(a: Buffer, at: number, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[at + i] !== b[i]) return false;
  return true;
}

/**
 * Streams a binary COPY, calling onRow(chunk, fields) with [start, length] pairs per field;
 * the partial tuple at a chunk's end is carried over alone (not concatenated with the whole
 * next chunk every time).
 */
async function forEachRow(s: Readable, onRow: (buf: Buffer, f: Int32Array) => void): Promise<void> {
  const f = new Int32Array(64);
  let carry: Buffer | null = null;
  let header = false;
  let ended = false;
  try {
    for await (const chunk of s as AsyncIterable<Buffer>) {
      if (ended) continue;
      // Complete a carried partial tuple with this chunk (then go on in the chunk itself).
      let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      let pos = 0;
      if (!header) {
        pos = 19 + buf.readUInt32BE(15);
        header = true;
      }
      for (;;) {
        if (buf.length - pos < 2) break;
        const n = buf.readInt16BE(pos);
        if (n === -1) {
          ended = true;
          break;
        }
        let p = pos + 2;
        let ok = true;
        for (let k = 0; k < n; k++) {
          if (buf.length - p < 4) { ok = false; break; }
          const len = buf.readInt32BE(p);
          p += 4;
          f[2 * k] = p;
          f[2 * k + 1] = len;
          if (len > 0) {
            if (buf.length - p < len) { ok = false; break; }
            p += len;
          }
        }
        if (!ok) break;
        onRow(buf, f);
        pos = p;
        if (carry && pos >= carry.length) {
          pos -= carry.length;
          buf = chunk;
          carry = null;
        }
      }
      carry = !ended && pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
    }
  } finally {
    // As readBinaryCopy does: postgres.js resumes a socket paused for backpressure only from read().
    (s as unknown as { _read(size: number): void })._read(0);
  }
  if (!ended) throw new Error("COPY binary: stream ended before the trailer");
}

/** Range Merkle tree on a stack of words, built as leaves arrive; stored nodes compared on the way. */
class StreamingTree {
  private readonly words = new Int32Array(8 * 40);
  private top = 0;
  private i = 0;
  bad = 0;
  constructor(
    private readonly start: number,
    private readonly stored: Map<string, Int32Array>,
  ) {}
  push(leaf: Uint8Array): void {
    loadWords(this.words, 8 * this.top++, leaf);
    let l = 0;
    for (let pos = this.i; pos % 2 === 1; pos = (pos - 1) / 2) {
      this.top--;
      l++;
      nodeHashWords(this.words, 8 * (this.top - 1), 8 * this.top, 8 * (this.top - 1));
      if (l >= STORED_NODE_MIN_LEVEL) {
        const index = (this.start + this.i + 1) / 2 ** l - 1;
        const have = this.stored.get(`${l}:${index}`);
        const at = 8 * (this.top - 1);
        if (!have) this.bad++;
        else for (let k = 0; k < 8; k++) if (have[k] !== this.words[at + k]) { this.bad++; break; }
      }
    }
    this.i++;
  }
  root(): Uint8Array {
    const w = this.words.slice();
    let top = this.top;
    for (; top > 1; top--) nodeHashWords(w, 8 * (top - 2), 8 * (top - 1), 8 * (top - 2));
    return storeWords(w, 0);
  }
}

interface Options {
  merkle: boolean;
  /** Chain hashes with the JS SHA-256 of a 64-byte message instead of node:crypto. */
  jsChain: boolean;
}

async function prototypeRows(r: Range, origin: string, o: Options, storedWords: Map<string, Int32Array>, check?: (seq: number, bytes: Buffer) => void): Promise<Uint8Array> {
  const writer = new LeafWriter(origin);
  const tree = new StreamingTree(r.start, storedWords);
  const chainInput = Buffer.alloc(64);
  let havePrev = r.start === 0;
  let bad = 0;
  const chainOut = Buffer.alloc(32);
  await forEachRow(await r.open(), (buf, f) => {
    const seq = buf.readInt32BE(f[0]!) * 4294967296 + buf.readUInt32BE(f[0]! + 4);
    if (seq < r.start) {
      buf.copy(chainInput, 0, f[26]!, f[26]! + 32);
      havePrev = true;
      return;
    }
    // payload
    if (f[21]! >= 0 && !equal32(hash("sha256", buf.subarray(f[20]!, f[20]! + f[21]!), "buffer"), 0, buf.subarray(f[22]!, f[22]! + 32))) bad++;
    // leaf
    const n = writer.write(buf, f, seq);
    if (check) check(seq, writer.buf.subarray(0, n));
    const leaf = hash("sha256", writer.buf.subarray(0, n), "buffer");
    if (!equal32(buf, f[24]!, leaf)) bad++;
    if (o.merkle) tree.push(leaf);
    // chain: previous stored chain || stored leaf
    if (havePrev) {
      buf.copy(chainInput, 32, f[24]!, f[24]! + 32);
      const chain = o.jsChain ? (sha256Of64(chainInput, chainOut), chainOut) : hash("sha256", chainInput, "buffer");
      if (!equal32(buf, f[26]!, chain)) bad++;
    }
    buf.copy(chainInput, 0, f[26]!, f[26]! + 32);
    havePrev = true;
  });
  if (bad || tree.bad) throw new Error(`prototype: ${bad} row and ${tree.bad} node mismatches in range ${r.start}`);
  return o.merkle ? tree.root() : new Uint8Array(32);
}

// SHA-256 (FIPS 180-4) of a 64-byte message, for chain(seq) = SHA-256(chain(seq-1) || leaf):
// the first block is the message, the second is padding only, so its K[t] + W[t] is constant.
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
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const W64 = new Int32Array(64);
const schedule = (w: Int32Array, t: number): number => {
  const w15 = w[t - 15]!;
  const w2 = w[t - 2]!;
  const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
  const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
  return (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
};
const PAD64 = (() => {
  const w = new Int32Array(64);
  w[0] = 0x80000000 | 0;
  w[15] = 512;
  for (let t = 16; t < 64; t++) w[t] = schedule(w, t);
  return Int32Array.from(w, (x, t) => (x + K[t]!) | 0);
})();
function sha256Of64(input: Buffer, out: Buffer): void {
  for (let t = 0; t < 16; t++) W64[t] = input.readInt32BE(4 * t);
  for (let t = 16; t < 64; t++) W64[t] = schedule(W64, t);
  let a = IV[0]!, b = IV[1]!, c = IV[2]!, d = IV[3]!, e = IV[4]!, f = IV[5]!, g = IV[6]!, h = IV[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t]! + W64[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  const h0 = (IV[0]! + a) | 0, h1 = (IV[1]! + b) | 0, h2 = (IV[2]! + c) | 0, h3 = (IV[3]! + d) | 0;
  const h4 = (IV[4]! + e) | 0, h5 = (IV[5]! + f) | 0, h6 = (IV[6]! + g) | 0, h7 = (IV[7]! + h) | 0;
  a = h0; b = h1; c = h2; d = h3; e = h4; f = h5; g = h6; h = h7;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + PAD64[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  out.writeInt32BE((h0 + a) | 0, 0); out.writeInt32BE((h1 + b) | 0, 4); out.writeInt32BE((h2 + c) | 0, 8); out.writeInt32BE((h3 + d) | 0, 12);
  out.writeInt32BE((h4 + e) | 0, 16); out.writeInt32BE((h5 + f) | 0, 20); out.writeInt32BE((h6 + g) | 0, 24); out.writeInt32BE((h7 + h) | 0, 28);
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const sql = connect({ url: flags.url, schema: flags.schema, max: 1, applicationName: "sealtrail-bench" });
  try {
    await measure(sql);
  } finally {
    await sql.end();
  }
}

async function measure(sql: Sql): Promise<void> {
  const log = await findLog(sql, BENCH_LOG);
  const size = await treeSize(sql, log.id);
  const count = flags.live ? Math.ceil(size / RANGE) : Math.min(flags.ranges, Math.ceil(size / RANGE));
  const query = (start: number, end: number) =>
    `copy (select seq, kind, actor, action, resource, outcome, source, occurred_at, recorded_at, tags,
               payload, payload_hash, leaf_hash, chain_hash
             from entries where log_id = ${log.id} and seq >= ${Math.max(0, start - 1)} and seq < ${end} order by seq)
       to stdout (format binary)`;
  const ranges: Range[] = [];
  let chunkSizes: number[] = [];
  for (let k = 0; k < count; k++) {
    const start = k * RANGE;
    const end = Math.min(size, start + RANGE);
    const stored = new Map<string, Uint8Array>();
    const rows = await sql<{ level: number; idx: number; hash: Buffer }[]>`
      select level, idx, hash from merkle_nodes where log_id = ${log.id} and level between ${STORED_NODE_MIN_LEVEL} and ${RANGE_LEVEL}
        and idx >= ${start} / power(2, level)::bigint and idx < ${end} / power(2, level)::bigint`;
    for (const row of rows) stored.set(`${row.level}:${row.idx}`, new Uint8Array(row.hash));
    if (flags.live) {
      ranges.push({ start, end, stored, open: async () => (await sql.unsafe(query(start, end)).readable()) as Readable });
      continue;
    }
    const s = await sql.unsafe(query(start, end)).readable();
    const chunks: Buffer[] = [];
    try {
      for await (const c of s as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
    } finally {
      (s as unknown as { _read(n: number): void })._read(0);
    }
    if (k === 0) chunkSizes = chunks.map((c) => c.length).sort((a, b) => a - b);
    ranges.push({ start, end, stored, open: async () => Readable.from(chunks, { objectMode: false }) });
  }
  const N = ranges.reduce((n, r) => n + r.end - r.start, 0);
  const storedWords = new Map<string, Int32Array>();
  for (const r of ranges) for (const [k, v] of r.stored) {
    const w = new Int32Array(8);
    loadWords(w, 0, v);
    storedWords.set(k, w);
  }
  console.log(
    `${N} entries (${ranges.length} ranges of ${flags.schema}.${BENCH_LOG}), ` +
      (flags.live ? "streamed live from Postgres on one connection (stored nodes preloaded, untimed)" : `in memory, COPY chunks median ${chunkSizes[chunkSizes.length >> 1]} B`) +
      `; best of ${flags.rounds} rounds, per entry:\n`,
  );

  // Untimed correctness of the prototype: leaf bytes and range roots as the core computes them.
  for (const r of flags.live ? ranges.slice(0, 2) : ranges) {
    const reference = await verifyRange(sql, { logId: log.id, origin: log.origin, start: r.start, end: r.end, sizes: [], level: RANGE_LEVEL });
    const occ = new TimestampText();
    const rec = new TimestampText();
    const want = new Map<number, string>();
    await readBinaryCopy(await r.open(), (t) => {
      const e = decode(t, log.origin, occ, rec);
      if (e.seq >= r.start) want.set(e.seq, "\0" + leafData(e));
    });
    for (const jsChain of [false, true]) {
      const root = await prototypeRows(r, log.origin, { merkle: true, jsChain }, storedWords, (seq, bytes) => {
        if (!bytes.equals(Buffer.from(want.get(seq)!, "utf8"))) throw new Error(`prototype leaf bytes differ at seq ${seq}:\n${bytes}\n${want.get(seq)}`);
      });
      if (!digestEqual(root, reference.root)) throw new Error(`range ${r.start}: prototype root differs`);
    }
    if (!digestEqual(await todayRows(r, log.origin, true), reference.root)) throw new Error(`range ${r.start}: root differs`);
  }
  console.log(`(prototype checked: leaf bytes = "\\0" + leafData() on every row, range roots = verifyRange's${flags.live ? ", on the first 2 ranges" : ""})\n`);

  const today = (merkle: boolean) => (r: Range) => todayRows(r, log.origin, merkle);
  const proto = (o: Options) => (r: Range) => prototypeRows(r, log.origin, o, storedWords);
  const variants: [string, (r: Range) => Promise<unknown>][] = [
    ["today: readBinaryCopy only (no-op callback)", async (r) => readBinaryCopy(await r.open(), () => {})],
    ["today: + decode to StoredEntry (strings, ISO dates)", async (r) => {
      const o = new TimestampText(), c = new TimestampText();
      let sink: unknown;
      await readBinaryCopy(await r.open(), (t) => (sink = decode(t, log.origin, o, c)));
      return sink;
    }],
    ["today: + RangeCheck.add (payload, leaf, chain)", today(false)],
    ["today: + Merkle (= verifyRange's CPU)", today(true)],
    ["prototype: offsets only (no-op callback)", async (r) => forEachRow(await r.open(), () => {})],
    ["prototype: + payload, leaf bytes, chain", proto({ merkle: false, jsChain: false })],
    ["prototype: + streaming Merkle (= verifyRange's job)", proto({ merkle: true, jsChain: false })],
    ["prototype: + chain hash in JS (64-byte SHA-256)", proto({ merkle: true, jsChain: true })],
  ];
  if (flags.live) {
    // A whole log per variant and round: only the end points.
    const keep = [0, 3, 4, 6, 7];
    variants.splice(0, variants.length, ...keep.map((i) => variants[i]!));
  } else {
    variants.push(
      ["  sha256 via crypto.hash: 3 per entry (300, 450, 64 B)", async (r) => {
        const a = Buffer.alloc(300), b = Buffer.alloc(450), c = Buffer.alloc(64);
        for (let i = r.start; i < r.end; i++) { hash("sha256", a, "buffer"); hash("sha256", b, "buffer"); hash("sha256", c, "buffer"); }
      }],
      ["  one crypto.hash of 64 bytes", async (r) => {
        const c = Buffer.alloc(64);
        for (let i = r.start; i < r.end; i++) hash("sha256", c, "buffer");
      }],
      ["  one sha256Of64 (64-byte message, JS)", async (r) => {
        const c = Buffer.alloc(64), out = Buffer.alloc(32);
        for (let i = r.start; i < r.end; i++) sha256Of64(c, out);
      }],
      ["  one nodeHashWords (65-byte message, JS)", async (r) => {
        const w = new Int32Array(24);
        for (let i = r.start; i < r.end; i++) nodeHashWords(w, 0, 8, 16);
      }],
      ["  one sha256() of a 450-char JS string (leaf today)", async (r) => {
        const s = "\0" + "x".repeat(449);
        for (let i = r.start; i < r.end; i++) sha256(s);
      }],
    );
  }
  // Rounds interleave the variants, so drift on a shared machine hits them alike.
  const best = variants.map(() => ({ wall: Infinity, cpu: Infinity }));
  for (let round = 0; round < flags.rounds; round++) {
    for (const [i, [, fn]] of variants.entries()) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (const r of ranges) await fn(r);
      best[i]!.wall = Math.min(best[i]!.wall, performance.now() - t0);
      const cpu = process.cpuUsage(c0);
      best[i]!.cpu = Math.min(best[i]!.cpu, (cpu.user + cpu.system) / 1000);
    }
  }
  for (const [i, [name]] of variants.entries()) {
    console.log(`${name.padEnd(56)} ${((1000 * best[i]!.wall) / N).toFixed(2).padStart(7)} µs  (cpu ${((1000 * best[i]!.cpu) / N).toFixed(2)} µs)`);
  }
  console.log(`\nload average now: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
