/**
 * A pack directory as one .tar.gz: POSIX ustar (POSIX.1-1988, pax-free: pack paths are short
 * ASCII), files in SHA256SUMS order, fixed owner, mode and mtime, gzip without a name or time
 * in its header (RFC 1952 MTIME = 0), so the same pack gives the same archive bytes.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { PACK_FILE_MODE } from "./pack-writer.js";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { PackError } from "./pack-error.js";

const BLOCK = 512;

function header(name: string, size: number, mtime: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new PackError("FILE", `${name}: path too long for a ustar header`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, "utf8");
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  h.write(`${mtime.toString(8).padStart(11, "0")}\0`, 136);
  h.write("        ", 148); // Checksum field counted as spaces while summing.
  h.write("0", 156);
  h.write("ustar\0", 257);
  h.write("00", 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return h;
}

/** Writes `files` (relative to `dir`) into `out`, each with mtime `mtime` (seconds). */
export async function writeTarGz(dir: string, files: readonly string[], out: string, mtime: number): Promise<void> {
  async function* blocks(): AsyncGenerator<Buffer> {
    for (const f of files) {
      const { size } = await stat(join(dir, f));
      yield header(f, size, mtime);
      for await (const chunk of createReadStream(join(dir, f))) yield chunk as Buffer;
      if (size % BLOCK !== 0) yield Buffer.alloc(BLOCK - (size % BLOCK));
    }
    yield Buffer.alloc(2 * BLOCK);
  }
  await pipeline(Readable.from(blocks()), createGzip({ level: 6 }), createWriteStream(out, { flags: "wx", mode: PACK_FILE_MODE }));
}
