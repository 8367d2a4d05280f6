/**
 * Entry point of the ingest worker (the `ingest` queue and the search indexer):
 * `node dist/workers/ingest.js` (built by npm ci; `tsx workers/ingest.ts` from the sources),
 * the process `sealtrail worker` runs. Wiring only; the process is
 * src/processes/run-ingest-worker.ts.
 */
import { loadConfig } from "../src/config/index.js";
import { isEntryPoint } from "../src/entry-point.js";
import { runIngestWorker } from "../src/processes/run-ingest-worker.js";

if (isEntryPoint(import.meta.url)) await runIngestWorker(loadConfig());
