/**
 * Reading a pack's files for verify-pack: listing, streamed digests, RFC 4180 record counts,
 * the boundary witnesses of a range file. Pure core and node:fs only.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Checkpoint } from "../core/note/index.js";
import { entryLeafHash } from "../core/entry/index.js";
import { digestEqual, fromBase64 } from "../core/encoding/index.js";
import { verifyInclusion } from "../core/merkle/index.js";
import { parseEntryLine } from "../core/pack/index.js";

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/")).sort();
}

export async function sha256File(path: string): Promise<Uint8Array> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return new Uint8Array(h.digest());
}

export interface Witness { entry: string; proof: string[] }

/**
 * Records of an RFC 4180 file (CRLF outside quotes ends one) and its SHA-256, streamed: a
 * population may hold a million rows, and a field may hold a line break inside its quotes.
 */
export async function csvRecords(path: string): Promise<{ records: number; digest: string }> {
  const hash = createHash("sha256");
  let records = 0;
  let quoted = false;
  let cr = false;
  for await (const chunk of createReadStream(path)) {
    const b = chunk as Buffer;
    hash.update(b);
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c === 0x22) quoted = !quoted;
      else if (c === 0x0a && cr && !quoted) records++;
      cr = c === 0x0d;
    }
  }
  return { records, digest: hash.digest("hex") };
}

/** Throws unless `w` is entry `seq` of the checkpoint's tree (by its inclusion proof) and `inPlace` holds for its recorded_at. */
export function checkWitness(w: Witness | null | undefined, seq: number, origin: string, cp: Checkpoint, inPlace: (recordedAt: string) => boolean, want: string): void {
  if (!w || typeof w.entry !== "string" || !Array.isArray(w.proof)) throw new Error(`entry ${seq}, just outside the period, is not given with its proof`);
  const e = parseEntryLine(w.entry, 1);
  if (e.seq !== seq || e.log !== origin) throw new Error(`the witness is entry ${e.seq} of ${e.log}, want entry ${seq} of ${origin}`);
  if (!digestEqual(entryLeafHash(e), e.leafHash)) throw new Error(`entry ${seq} does not match its leaf_hash`);
  verifyInclusion(seq, cp.size, e.leafHash, w.proof.map((h) => b64(h)), cp.root);
  if (!inPlace(e.recordedAt)) throw new Error(`entry ${seq} was recorded at ${e.recordedAt}, want ${want}: the period's entries are not all in the pack`);
}

/** A base64 SHA-256 hash from a pack file; throws a plain Error naming the bad value. */
export function b64(text: string): Uint8Array {
  const bytes = typeof text === "string" ? fromBase64(text) : undefined;
  if (!bytes || bytes.length !== 32) throw new Error(`${JSON.stringify(text)} is not a base64 SHA-256 hash`);
  return bytes;
}


