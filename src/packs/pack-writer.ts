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

export class FileSink {
  private readonly hash: Hash = createHash("sha256");
  private bytes = 0;
  private pending = "";

  constructor(private readonly stream: WriteStream, readonly path: string) {}

  /**
   * Buffers small writes into ~64 KiB chunks. Returns a promise only when a chunk went out and
   * the stream asked to drain: callers await it then, and pay no promise per line otherwise.
   */
  write(text: string): Promise<void> | undefined {
    this.pending += text;
    if (this.pending.length >= 1 << 16) return this.flush();
    return undefined;
  }

  private async flush(): Promise<void> {
    if (this.pending === "") return;
    const chunk = Buffer.from(this.pending, "utf8");
    this.pending = "";
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.stream.write(chunk)) await new Promise<void>((resolve) => this.stream.once("drain", resolve));
  }

  async close(): Promise<{ sha256: Uint8Array; bytes: number }> {
    await this.flush();
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
