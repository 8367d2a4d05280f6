/**
 * The witness's persistent state: per log origin, the latest checkpoint it cosigned (C2SP
 * tlog-witness "add-checkpoint": "the witness is only required to keep track of the latest
 * checkpoint it observed and verified"). One JSON file per origin, replaced atomically
 * (write, fsync, rename), so a crash leaves the old or the new state, never a torn one.
 * Refused submissions that may prove misbehaviour (a split view, a failed proof) are appended
 * to refusals.jsonl, as the spec allows ("the witness MAY log the request").
 */
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { canonicalize, fromBase64, toBase64 } from "../core/encoding/index.js";
import { witnessFolder } from "../core/note/index.js";
import { CosigningError } from "./witness-error.js";

export interface LogState {
  size: number;
  root: Uint8Array;
  /** The checkpoint note as submitted, for the record. */
  note: string;
}

export class WitnessState {
  /** Per origin, the tail of the chain of updates: check-and-set runs one at a time per log. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(join(this.dir, "logs"), { recursive: true }).catch((error: unknown) => {
      throw new CosigningError("STATE", `witness state ${this.dir}: ${(error as NodeJS.ErrnoException).code ?? error}`, { cause: error });
    });
  }

  /**
   * Runs `fn` with the origin's state under its lock, and stores what it returns before the
   * lock is released: the spec requires the check of the old size and the update to be atomic.
   */
  async update<T>(origin: string, fn: (state: LogState | undefined) => Promise<{ next?: LogState; result: T }> | { next?: LogState; result: T }): Promise<T> {
    const previous = this.locks.get(origin) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(async () => {
      const { next, result } = await fn(await this.read(origin));
      if (next) await this.write(origin, next);
      return result;
    });
    this.locks.set(origin, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(origin) === run) this.locks.delete(origin);
    }
  }

  async read(origin: string): Promise<LogState | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(origin), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new CosigningError("STATE", `witness state of ${origin}: ${(error as NodeJS.ErrnoException).code ?? error}`, { cause: error });
    }
    const parsed = JSON.parse(text) as { size: number; root: string; note: string };
    const root = fromBase64(parsed.root);
    if (!Number.isSafeInteger(parsed.size) || root === undefined || root.length !== 32) {
      throw new CosigningError("STATE", `witness state of ${origin} is corrupt`);
    }
    return { size: parsed.size, root, note: parsed.note };
  }

  async refused(entry: { origin: string; status: number; reason: string; body: string; at: string }): Promise<void> {
    const handle = await open(join(this.dir, "refusals.jsonl"), "a");
    try {
      await handle.write(`${canonicalize(entry)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private file(origin: string): string {
    return join(this.dir, "logs", `${witnessFolder(origin)}.json`);
  }

  private async write(origin: string, state: LogState): Promise<void> {
    const path = this.file(origin);
    const tmp = `${path}.tmp`;
    try {
      const handle = await open(tmp, "w", 0o600);
      try {
        await handle.write(`${canonicalize({ size: state.size, root: toBase64(state.root), note: state.note })}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, path);
      // The rename is durable once the directory is synced.
      const dir = await open(join(this.dir, "logs"), "r");
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      throw new CosigningError("STATE", `cannot persist the witness state of ${origin}: ${(error as NodeJS.ErrnoException).code ?? error}`, { cause: error });
    }
  }
}
