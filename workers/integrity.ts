/**
 * Entry point of the integrity worker (checkpoints, witness copies, sweeps, alerts):
 * `node dist/workers/integrity.js` (built by npm ci; `tsx workers/integrity.ts` from the sources),
 * the process `sealtrail worker` runs beside the ingest worker.
 * Wiring only; the process is src/processes/run-integrity-worker.ts.
 */
import { loadConfig } from "../src/config/index.js";
import { isEntryPoint } from "../src/entry-point.js";
import { runIntegrityWorker } from "../src/processes/run-integrity-worker.js";

if (isEntryPoint(import.meta.url)) await runIntegrityWorker(loadConfig());
