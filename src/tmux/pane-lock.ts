/**
 * One writer per pane spool: `capture.pid`, created exclusively (link(2)) with the pid of the
 * process that owns the spool already in it. A file left by a process that is gone (killed) is
 * taken over; an unreadable one is never taken over.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
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
  const mine = `${process.pid}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    // The pid is in the file before the file has the lock's name (link(2) fails on an existing
    // name): nobody can read an empty lock and take it for a stale one.
    const tmp = join(paneDir, `${LOCK_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, mine, { mode: 0o600 });
    try {
      linkSync(tmp, path);
      return { release: () => releaseIfMine(path, mine) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new TmuxError("SPOOL", `spool ${paneDir}: ${(error as Error).message}`, { cause: error });
    } finally {
      rmSync(tmp, { force: true });
    }
    const holder = readPid(path);
    if (holder === undefined) continue; // released meanwhile: try again
    if (holder === -1 || (holder !== process.pid && alive(holder))) return undefined;
    // A dead holder's lock: move it aside (one contender wins the rename) and check that what
    // was moved is that dead holder's, not a lock another contender took meanwhile.
    const aside = join(paneDir, `${LOCK_FILE}.${process.pid}.stale`);
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    const moved = readPid(aside);
    if (moved !== holder && moved !== undefined) {
      try {
        linkSync(aside, path);
      } catch {
        // someone holds the name again; theirs stands
      }
      rmSync(aside, { force: true });
      return undefined;
    }
    rmSync(aside, { force: true });
  }
  return undefined;
}

/** The pid in a lock file; undefined when there is no file. Unreadable content is a live holder of pid -1 (never taken over). */
function readPid(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : -1;
}

/** Removes the lock only while it is still this process's. */
function releaseIfMine(path: string, mine: string): void {
  try {
    if (readFileSync(path, "utf8") === mine) rmSync(path, { force: true });
  } catch {
    // already gone
  }
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
