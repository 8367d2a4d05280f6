/**
 * Entry point of the evidence worker (the `evidence` queue, pack builds):
 * `node dist/workers/evidence.js` (built by npm ci; `tsx workers/evidence.ts` from the sources),
 * the process `sealtrail pack-worker` runs. Wiring only; the
 * process is src/processes/run-evidence-worker.ts.
 */
import { loadConfig } from "../src/config/index.js";
import { isEntryPoint } from "../src/entry-point.js";
import { runEvidenceWorker } from "../src/processes/run-evidence-worker.js";

if (isEntryPoint(import.meta.url)) await runEvidenceWorker(loadConfig());
