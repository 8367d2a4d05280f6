/**
 * One writer per pane spool: `capture.pid` created exclusively holds the pid of the process
 * that owns the spool. A file left by a process that is gone (killed) is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "./shipper.js";
import { TmuxError } from "./tmux-error.js";

const LOCK_FILE = "capture.pid";

export interface PaneLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Tries once; undefined when a live process holds the spool. */
export function tryLockPane(paneDir: string): PaneLock | undefined {
  const path = join(paneDir, LOCK_FILE);
  mkdirSync(paneDir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new TmuxError("SPOOL", `spool ${paneDir}: ${(error as Error).message}`, { cause: error });
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(path, "utf8").trim());
    } catch {
      continue;
    }
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) return undefined;
    rmSync(path, { force: true });
  }
  return undefined;
}

/** Waits up to `timeoutMs` for the spool (a previous capture of the pane still finishing). */
export async function lockPane(paneDir: string, timeoutMs: number): Promise<PaneLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = tryLockPane(paneDir);
    if (lock) return lock;
    if (Date.now() > deadline) throw new TmuxError("SPOOL", `spool ${paneDir}: held by another capture process`);
    await sleep(50);
  }
}
