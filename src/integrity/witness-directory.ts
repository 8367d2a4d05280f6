/**
 * Witness copies in a directory (SEALTRAIL_WITNESS_DIR), ideally on another machine or
 * volume than the database: `<dir>/<origin, percent-encoded>/<size, 20 digits>.checkpoint`,
 * one file per checkpoint, read-only (0444), and `<dir>/index.jsonl`, one line per copy
 * written, only ever appended to.
 *
 * A copy is written to a temporary file, flushed, then linked to its name: link(2) fails
 * when the name exists, so a copy appears whole or not at all and is never overwritten, even
 * by two workers at once. The folder is flushed after the link so that the name survives a
 * crash (fsync(2) on the directory).
 */
import { randomBytes } from "node:crypto";
import { link, mkdir, open, readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { sha256, toHex } from "../core/encoding/index.js";
import { witnessFileName, witnessFileSize, witnessFolder, witnessIndexLine } from "../core/note/index.js";
import { type Witness, WitnessError } from "./witness.js";

export const WITNESS_INDEX = "index.jsonl";

export class DirectoryWitness implements Witness {
  constructor(readonly location: string) {}

  async sizes(origin: string): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(join(this.location, witnessFolder(origin)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw storeError(this.location, `listing the copies of ${origin}`, error);
    }
    return names.map(witnessFileSize).filter((s): s is number => s !== undefined).sort((a, b) => a - b);
  }

  async read(origin: string, size: number): Promise<string> {
    try {
      return await readFile(join(this.location, witnessFolder(origin), witnessFileName(size)), "utf8");
    } catch (error) {
      throw storeError(this.location, `reading the copy of ${origin} at size ${size}`, error);
    }
  }

  async put(origin: string, size: number, note: string): Promise<"written" | "present"> {
    const folder = join(this.location, witnessFolder(origin));
    const file = witnessFileName(size);
    const path = join(folder, file);
    const temporary = join(folder, `.${file}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await mkdir(folder, { recursive: true });
      await writeDurably(temporary, note, "wx", 0o444);
      try {
        await link(temporary, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const existing = await readFile(path, "utf8");
        if (existing === note) return "present";
        throw new WitnessError("CONFLICT", `${this.location}: a different checkpoint of ${origin} was witnessed at size ${size} already; it is never overwritten`);
      } finally {
        await unlink(temporary).catch(() => {});
      }
      await syncDirectory(folder);
    } catch (error) {
      if (error instanceof WitnessError) throw error;
      throw storeError(this.location, `writing the copy of ${origin} at size ${size}`, error);
    }
    // The index follows the file: a crash between the two leaves a copy the index lacks,
    // never an index line without its copy.
    const line = witnessIndexLine({ origin, size, file: `${witnessFolder(origin)}/${file}`, sha256: toHex(sha256(note)), witnessedAt: new Date().toISOString() });
    try {
      await writeDurably(join(this.location, WITNESS_INDEX), line, "a", 0o644);
    } catch (error) {
      throw storeError(this.location, `appending to ${WITNESS_INDEX}`, error);
    }
    return "written";
  }
}

async function writeDurably(path: string, text: string, flags: "wx" | "a", mode: number): Promise<void> {
  const handle = await open(path, flags, mode);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function storeError(location: string, what: string, error: unknown): WitnessError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new WitnessError("STORE", `witness store ${location}: ${what}: ${code}`, { cause: error });
}
