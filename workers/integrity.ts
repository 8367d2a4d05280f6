/**
 * Entry point of the integrity worker (checkpoints, witness copies, sweeps, alerts):
 * `tsx workers/integrity.ts`, the process `sealtrail worker` runs beside the ingest worker.
 * Wiring only; the process is src/processes/run-integrity-worker.ts.
 */
import { loadConfig } from "../src/config/index.js";
import { isEntryPoint } from "../src/entry-point.js";
import { runIntegrityWorker } from "../src/processes/run-integrity-worker.js";

if (isEntryPoint(import.meta.url)) await runIntegrityWorker(loadConfig());
