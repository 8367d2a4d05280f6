/**
 * Runs the real bin/sealtrail.js in a child process with a clean environment: only what the
 * test sets, no inherited SEALTRAIL_*.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "sealtrail.js");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string | undefined>, options: { timeoutMs?: number } = {}): Promise<Run> {
  const full: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...env };
  for (const k of Object.keys(full)) if (full[k] === undefined) delete full[k];
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: full, cwd: ROOT, timeout: options.timeoutMs ?? 60_000, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end("");
  });
}

/** Runs a program (sha256sum, openssl, pdftotext, …) and returns its exit code and output. */
export function runTool(file: string, args: string[], cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, maxBuffer: 1 << 26, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A long-running command (a worker) whose stdout is one JSON object a line. */
export interface JsonLinesProcess {
  child: ChildProcess;
  /** Every line printed so far, parsed. */
  lines: Record<string, unknown>[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts bin/sealtrail.js `args` with exactly `env`; its stderr goes to the test's, prefixed with `label`. */
export function spawnJsonLines(args: string[], env: NodeJS.ProcessEnv, label: string): JsonLinesProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      lines.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
      buffer = buffer.slice(nl + 1);
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => process.stderr.write(`[${label}] ${chunk.toString("utf8")}`));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, lines, exited };
}
