/**
 * Runs range verifications on worker threads (or in this thread for small logs). Under tsx
 * or vitest the worker file is TypeScript: it is started with tsx's loader.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { LedgerStore } from "../ledger/index.js";
import { type RangeResult, type RangeTask, verifyRange } from "./verify-range.js";

export async function runRanges(
  tasks: RangeTask[],
  options: { store: LedgerStore; url: string; schema: string; asWriter?: { rolePrefix: string | undefined }; threads: number },
): Promise<RangeResult[]> {
  if (options.threads <= 0 || tasks.length <= 1) {
    const results: RangeResult[] = [];
    for (const task of tasks) results.push(await verifyRange(options.store, task));
    return results;
  }
  const queue = [...tasks];
  const results: RangeResult[] = [];
  const workerData = { url: options.url, schema: options.schema, asWriter: options.asWriter };
  const workers = Array.from({ length: Math.min(options.threads, tasks.length) }, () => startWorker(workerData));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const task = queue.shift();
              if (task) worker.postMessage(task);
              else resolve();
            };
            worker.on("message", (m: { ok: true; result: RangeResult } | { ok: false; error: string }) => {
              if (!m.ok) return reject(new Error(m.error));
              results.push(m.result);
              next();
            });
            worker.on("error", reject);
            worker.on("exit", (code) => code !== 0 && reject(new Error(`verifier thread exited with ${code}`)));
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results.sort((a, b) => a.start - b.start);
}

function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./verify-worker.js", import.meta.url), { workerData });
  // Loader hooks given with --import do not reach worker threads: register tsx inside the
  // worker, then load the TypeScript entry.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
  const entry = new URL("./verify-worker.ts", import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
