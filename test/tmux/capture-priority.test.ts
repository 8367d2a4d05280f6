/**
 * The capture's scheduling class, applied in a child process of its own (it cannot be undone
 * by the process that applies it): every thread, those started before and after, ends up
 * SCHED_IDLE; without chrt, every thread at nice 19; at `normal`, nothing changes.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const MODULE = fileURLToPath(new URL("../../src/tmux/capture-priority.ts", import.meta.url));
const dir = mkdtempSync(join(os.tmpdir(), "sealtrail-priority-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A thread started before (as V8's and libuv's are) and one after, then every thread's policy
// and nice value: fields 41 and 19 of /proc/self/task/TID/stat (proc(5)).
const SCRIPT = `
import { readdirSync, readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
const { applyCapturePriority } = await import(process.argv[2]);
// The workers live until every thread is read: one that ended on a busy machine while the
// list was read left a task with no stat to read.
const before = new Worker("setInterval(() => {}, 1000)", { eval: true });
await new Promise((r) => before.once("online", r));
const applied = applyCapturePriority(process.argv[3]);
const after = new Worker("setInterval(() => {}, 1000)", { eval: true });
await new Promise((r) => after.once("online", r));
const threads = readdirSync("/proc/self/task").map((tid) => {
  const stat = readFileSync("/proc/self/task/" + tid + "/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { policy: Number(fields[41 - 3]), nice: Number(fields[19 - 3]) };
});
console.log(JSON.stringify({ applied, threads }));
await Promise.all([before.terminate(), after.terminate()]);
`;
const script = join(dir, "apply.mjs");
writeFileSync(script, SCRIPT);

function apply(priority: string, env: NodeJS.ProcessEnv = process.env): Promise<{ applied: string; threads: { policy: number; nice: number }[] }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", script, MODULE, priority], { env, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as { applied: string; threads: { policy: number; nice: number }[] });
    });
  });
}

const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

describe("capture priority", () => {
  it("idle: every thread, started before or after, runs SCHED_IDLE", async () => {
    const { applied, threads } = await apply("idle");
    expect(applied).toBe("SCHED_IDLE");
    // main, two workers, V8's platform threads, libuv's
    expect(threads.length).toBeGreaterThanOrEqual(5);
    expect(threads.every((t) => t.policy === SCHED_IDLE)).toBe(true);
  });

  it("idle without chrt: every thread at nice 19, and the log says why", async () => {
    const { applied, threads } = await apply("idle", { ...process.env, PATH: dir });
    expect(applied).toMatch(/^nice 19 on \d+ threads \(chrt --idle: ENOENT\)$/);
    expect(threads.length).toBeGreaterThanOrEqual(5);
    expect(threads.every((t) => t.policy === SCHED_OTHER && t.nice === 19)).toBe(true);
  });

  it("normal: nothing changes", async () => {
    const { applied, threads } = await apply("normal");
    expect(applied).toBe("normal (SEALTRAIL_TMUX_CAPTURE_PRIORITY)");
    expect(threads.every((t) => t.policy === SCHED_OTHER && t.nice === 0)).toBe(true);
  });
});
