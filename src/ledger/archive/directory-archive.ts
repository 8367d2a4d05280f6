/** The archive as a directory: one file per key, written whole (temp file, fsync, rename). */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { LedgerError } from "../errors.js";
import type { ArchiveStore } from "./archive-store.js";

const KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

export class DirectoryArchive implements ArchiveStore {
  readonly location: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.location = pathToFileURL(this.root).href;
  }

  private file(key: string): string {
    if (!KEY.test(key) || key.split("/").some((part) => part === "." || part === "..")) throw new LedgerError("INVALID_INPUT", `archive key: got ${JSON.stringify(key)}`);
    return join(this.root, key);
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const file = this.file(key);
    const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true });
      const handle = await open(temp, "w", 0o640);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (error) {
      throw new LedgerError("DATABASE", `archive ${this.location}: writing ${key}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.file(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new LedgerError("DATABASE", `archive ${this.location}: reading ${key}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
    }
  }
}
