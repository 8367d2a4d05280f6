/**
 * `sealtrail up` as a user runs it: the real bin/sealtrail.js in a child process on a state
 * directory of the test's own, its banner read for the API URL and the admin token.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./cli.js";
import { until } from "./ingest.js";

export interface UpProcess {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  apiUrl: string;
  /** The admin token, when this start printed one (the first start). */
  token: string | undefined;
  exited: Promise<number | null>;
  /** SIGINT, as Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `env` is the whole environment of the process (no DATABASE_URL or REDIS_URL unless given). */
export async function startUp(home: string, env: Record<string, string | undefined> = {}): Promise<UpProcess> {
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, SEALTRAIL_HOME: home, ...env })) if (v !== undefined) full[k] = v;
  const child = spawn(process.execPath, [join(ROOT, "bin", "sealtrail.js"), "up", "--port", "0"], { env: full, cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  await until("sealtrail up ready", () => {
    if (gone) throw new Error(`sealtrail up exited: ${text}`);
    return text.includes("Ctrl-C stops everything");
  }, 120_000);
  const apiUrl = /api +(http:\/\/\S+)\/graphql/.exec(text)![1]!;
  const token = /^ {2}(sealtrail_\S+)$/m.exec(text)?.[1];
  return {
    child, apiUrl, token, exited,
    output: () => text,
    stop: () => {
      child.kill("SIGINT");
      return exited;
    },
  };
}

export async function gqlAt<T = any>(apiUrl: string, token: string, query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string }[] }> {
  const res = await fetch(`${apiUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
  });
  return (await res.json()) as { data?: T; errors?: { message: string }[] };
}
