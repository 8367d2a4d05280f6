/**
 * One writer per pane spool: `capture.pid`, created exclusively (link(2)) with the pid of the
 * process that owns the spool already in it, and that process's start time. A file left by a
 * process that is gone (killed) is taken over; an unreadable one is never taken over.
 *
 * The start time tells a live holder from an unrelated process that took the dead holder's
 * pid since: pids wrap at pid_max (32,768 by default), and a lock file outlives its killed
 * capture for as long as the pane is not captured again.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "./shipper.js";
import { TmuxError } from "./tmux-error.js";

const LOCK_FILE = "capture.pid";

export interface PaneLock {
  release(): void;
}

interface Holder {
  pid: number;
  /** Start time of the process in clock ticks since boot (proc(5), /proc/PID/stat field 22); undefined where unknown. */
  start?: string;
}

/** The start time of process `pid`, or undefined without /proc (not Linux) or once it is gone. */
function startTime(pid: number | "self"): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command, which is in parentheses and may itself hold spaces or ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

let own: string | undefined;
/** This process's lock content, read once: lockPane retries every 50 ms. */
function ownLock(): string {
  if (own === undefined) {
    const start = startTime("self");
    own = start === undefined ? `${process.pid}\n` : `${process.pid} ${start}\n`;
  }
  return own;
}

function alive(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (holder.start === undefined) return true;
  const now = startTime(holder.pid);
  return now === undefined || now === holder.start;
}

/** The pid of the live process holding a pane spool, if any (an unreadable lock names none). */
export function lockHolder(paneDir: string): number | undefined {
  const holder = readHolder(join(paneDir, LOCK_FILE));
  return holder !== undefined && holder !== -1 && alive(holder) ? holder.pid : undefined;
}

/** Tries once; undefined when a live process holds the spool. */
export function tryLockPane(paneDir: string): PaneLock | undefined {
  const path = join(paneDir, LOCK_FILE);
  mkdirSync(paneDir, { recursive: true, mode: 0o700 });
  const mine = ownLock();
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
    const holder = readHolder(path);
    if (holder === undefined) continue; // released meanwhile: try again
    if (holder === -1 || (holder.pid !== process.pid && alive(holder))) return undefined;
    // A dead holder's lock: move it aside (one contender wins the rename) and check that what
    // was moved is that dead holder's, not a lock another contender took meanwhile.
    const aside = join(paneDir, `${LOCK_FILE}.${process.pid}.stale`);
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    const moved = readHolder(aside);
    if (moved !== undefined && (moved === -1 || moved.pid !== holder.pid || moved.start !== holder.start)) {
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

/**
 * The holder a lock file names ("pid" or "pid start"); undefined when there is no file;
 * -1 for unreadable content, a live holder that is never taken over.
 */
function readHolder(path: string): Holder | -1 | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const m = /^(\d+)(?: (\d+))?\n?$/.exec(text);
  const pid = Number(m?.[1]);
  if (!m || !Number.isSafeInteger(pid) || pid <= 0) return -1;
  return m[2] === undefined ? { pid } : { pid, start: m[2] };
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
