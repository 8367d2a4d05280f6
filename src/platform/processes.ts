/**
 * Small process helpers for the servers `sealtrail up` runs: run a program to its end, ask
 * whether a pid is alive and what it runs, and wait for a condition (never a fixed sleep).
 */
import { spawn, type SpawnOptions } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { PlatformError, type PlatformErrorCode } from "./platform-error.js";

export interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** Runs `file args` to its end; its output is in the error when it fails. */
export function runProgram(code: PlatformErrorCode, file: string, args: string[], options: SpawnOptions & { as?: RunAs } = {}): Promise<string> {
  const { as, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...spawnOptions, ...(as ? { uid: as.uid, gid: as.gid } : {}), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", (error) => reject(new PlatformError(code, `${file}: ${error.message}`, { cause: error })));
    child.on("close", (status, signal) => {
      if (status === 0) resolve(output);
      else reject(new PlatformError(code, `${file.split("/").pop()} ${args[0] ?? ""} failed (${signal ?? `exit ${status}`}): ${lastLines(output)}`));
    });
  });
}

export function lastLines(text: string, n = 4): string {
  return text.trim().split("\n").slice(-n).join(" / ");
}

/** True when `pid` names a live process (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it lives, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The command line of `pid` (Linux /proc), "" when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

/** Polls `check` every `everyMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, code: PlatformErrorCode, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new PlatformError(code, `${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A TCP port on 127.0.0.1 free a moment ago (the kernel's choice for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
