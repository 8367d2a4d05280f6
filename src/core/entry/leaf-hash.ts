/**
 * The leaf hash of an entry: SHA-256 of 0x00 || leafData (RFC 9162 §2.1.1; entry.ts). The
 * bytes are written by LeafBytes.writeMetadata, which test/core/leaf-bytes.test.ts holds equal
 * to the UTF-8 of "\0" + leafData, rather than by building leafData's string and hashing it:
 * node:crypto must flatten and encode such a string first, which cost more than the SHA-256
 * itself for every entry a pack re-hashes or verify-pack checks.
 */
import { sha256 } from "../encoding/index.js";
import { type EntryMetadata, LEAF_VERSION, type LeafVersion } from "./entry.js";
import { LeafBytes } from "./leaf-bytes.js";

/** Writers by leaf version and origin: a few logs are hashed at a time, each by its own writer. */
const writers = new Map<string, LeafBytes>();
const MAX_WRITERS = 64;
let last: LeafBytes | undefined;

function writerFor(origin: string, version: LeafVersion): LeafBytes {
  if (last !== undefined && last.origin === origin && last.version === version) return last;
  const key = `${version}\n${origin}`;
  let writer = writers.get(key);
  if (writer === undefined) {
    if (writers.size >= MAX_WRITERS) writers.clear();
    writer = new LeafBytes(origin, version);
    writers.set(key, writer);
  }
  last = writer;
  return writer;
}

export function entryLeafHash(m: EntryMetadata): Uint8Array {
  // The writer's view is hashed before any other call can reuse its buffer.
  return sha256(writerFor(m.log, m.v ?? LEAF_VERSION).writeMetadata(m));
}
