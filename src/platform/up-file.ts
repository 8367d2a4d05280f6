/**
 * up.json in the state directory: the running instance's pid and the settings other commands
 * need to reach it (`sealtrail env` prints them). 0600: it holds the private Redis's password.
 * It doubles as the lock that keeps two `sealtrail up` off one state directory.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { PlatformError } from "./platform-error.js";
import { commandLine, processAlive } from "./processes.js";

export interface UpFile {
  pid: number;
  apiUrl: string;
  queues: "redis" | "private-redis" | "in-process";
  database: "external" | "embedded";
  /** Environment variables that point sealtrail commands at this instance. */
  env: Record<string, string>;
}

export function readUpFile(path: string): UpFile | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as UpFile;
  } catch {
    return undefined;
  }
}

/** The instance of `path` when its process still runs (a file left by a killed one is not). */
export function runningInstance(path: string): UpFile | undefined {
  const up = readUpFile(path);
  if (!up || !processAlive(up.pid) || !/node|sealtrail/.test(commandLine(up.pid))) return undefined;
  return up;
}

export function claimHome(path: string): void {
  const other = runningInstance(path);
  if (other && other.pid !== process.pid) throw new PlatformError("ALREADY_RUNNING", `sealtrail up runs already on this state directory (pid ${other.pid}, ${other.apiUrl})`);
  writeFileSync(path, JSON.stringify({ pid: process.pid, apiUrl: "", queues: "in-process", database: "embedded", env: {} } satisfies UpFile), { mode: 0o600 });
}

export function writeUpFile(path: string, up: UpFile): void {
  writeFileSync(path, `${JSON.stringify(up, null, 2)}\n`, { mode: 0o600 });
}

export function removeUpFile(path: string): void {
  rmSync(path, { force: true });
}
