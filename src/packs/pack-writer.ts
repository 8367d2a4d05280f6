/**
 * Writes the files of a pack into a directory and keeps the SHA-256 of each, computed as the
 * bytes go out, so SHA256SUMS needs no second read. Streams wait for drain: memory stays
 * bounded whatever a file's size.
 */
import { createHash, type Hash } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type FileDigest, isPackPath } from "../core/pack/index.js";
import { PackError } from "./pack-error.js";

/**
 * A pack holds a tenant's evidence (payloads, actors, the audit log): its files are the
 * owner's to write and its group's to read (the API serving them may run in the group), and
 * nobody else's (PCI DSS 10.3.2: audit records protected from unauthorized access).
 */
export const PACK_FILE_MODE = 0o640;
export const PACK_DIR_MODE = 0o750;

/** Bytes gathered before they go out to the stream: large enough that a million lines make few writes. */
const CHUNK_BYTES = 1 << 16;

export class FileSink {
  private readonly hash: Hash = createHash("sha256");
  private bytes = 0;
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  constructor(private readonly stream: WriteStream, readonly path: string) {}

  /**
   * Encodes each text straight into a ~64 KiB chunk (no string built of many lines, which had
   * to be flattened before it could be encoded). Returns a promise only when a chunk went out
   * and the stream asked to drain: callers await it then, and pay no promise per line otherwise.
   * Everything is taken before it returns, so the order of the bytes is that of the calls.
   */
  write(text: string): Promise<void> | undefined {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (this.used + 3 * text.length <= this.chunk.length) {
      this.used += this.chunk.write(text, this.used);
      return undefined;
    }
    let flowing = this.flush();
    if (3 * text.length <= this.chunk.length) this.used = this.chunk.write(text, 0);
    else flowing = this.send(Buffer.from(text, "utf8")) && flowing;
    return flowing ? undefined : new Promise<void>((resolve) => this.stream.once("drain", resolve));
  }

  /** write() for bytes already encoded (a view its owner reuses: they are copied before it returns). */
  writeBytes(bytes: Uint8Array): Promise<void> | undefined {
    if (this.used + bytes.length <= this.chunk.length) {
      this.chunk.set(bytes, this.used);
      this.used += bytes.length;
      return undefined;
    }
    let flowing = this.flush();
    if (bytes.length <= this.chunk.length) {
      this.chunk.set(bytes, 0);
      this.used = bytes.length;
    } else flowing = this.send(Buffer.from(bytes)) && flowing;
    return flowing ? undefined : new Promise<void>((resolve) => this.stream.once("drain", resolve));
  }

  /** Sends the chunk gathered so far and starts another (the stream keeps the one sent); false when the stream asks to drain. */
  private flush(): boolean {
    if (this.used === 0) return true;
    const full = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    return this.send(full);
  }

  private send(bytes: Buffer): boolean {
    this.hash.update(bytes);
    this.bytes += bytes.length;
    return this.stream.write(bytes);
  }

  async close(): Promise<{ sha256: Uint8Array; bytes: number }> {
    this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.once("error", reject);
      this.stream.end(() => resolve());
    });
    return { sha256: new Uint8Array(this.hash.digest()), bytes: this.bytes };
  }
}

export class PackWriter {
  private readonly digests = new Map<string, Uint8Array>();

  constructor(readonly dir: string) {}

  private async prepare(path: string): Promise<string> {
    if (!isPackPath(path)) throw new PackError("FILE", `pack path ${JSON.stringify(path)} is not a plain relative path`);
    if (this.digests.has(path)) throw new PackError("FILE", `pack file ${path} written twice`);
    const full = join(this.dir, path);
    await mkdir(dirname(full), { recursive: true, mode: PACK_DIR_MODE });
    return full;
  }

  async open(path: string): Promise<FileSink> {
    const full = await this.prepare(path);
    this.digests.set(path, new Uint8Array(0));
    return new FileSink(createWriteStream(full, { flags: "wx", mode: PACK_FILE_MODE }), path);
  }

  /** Closes a sink opened here and records its digest. */
  async close(sink: FileSink): Promise<string> {
    const { sha256 } = await sink.close();
    this.digests.set(sink.path, sha256);
    return Buffer.from(sha256).toString("hex");
  }

  async writeBytes(path: string, bytes: Uint8Array): Promise<string> {
    const full = await this.prepare(path);
    await writeFile(full, bytes, { flag: "wx", mode: PACK_FILE_MODE });
    const sha256 = new Uint8Array(createHash("sha256").update(bytes).digest());
    this.digests.set(path, sha256);
    return Buffer.from(sha256).toString("hex");
  }

  writeText(path: string, text: string): Promise<string> {
    return this.writeBytes(path, Buffer.from(text, "utf8"));
  }

  files(): FileDigest[] {
    return [...this.digests].map(([path, sha256]) => ({ path, sha256 }));
  }
}
