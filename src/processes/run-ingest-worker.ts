/**
 * The ingest worker process, as `sealtrail worker` and workers/ingest.ts run it.
 * Thin: configuration, connections, signals and one JSON line per job on stdout; the work is
 * in src/ingest/. SIGTERM or SIGINT stops taking jobs and finishes the ones in hand before
 * exiting; a second signal exits at once (the jobs in hand come back as stalled).
 * Unless SEALTRAIL_SEARCH_INDEXER=false, the same process runs the search indexer
 * (src/ledger/search-indexer.ts), which fills the full-text index behind the appends.
 */
import type { Config, SearchConfig } from "../config/index.js";
import { startIngestWorker } from "../ingest/ingest-worker.js";
import { PostgresLedgerStore } from "../ledger/postgres/postgres-store.js";
import { STDIO, type WorkerOutput } from "./worker-output.js";

/** Runs until SIGTERM or SIGINT; resolves once the jobs in hand are finished and connections closed. */
export async function runIngestWorker(
  config: Config,
  overrides: { concurrency?: number; search?: SearchConfig } = {},
  out: WorkerOutput = STDIO,
): Promise<void> {
  const ingest = config.ingest;
  const search = overrides.search ?? config.search;
  const concurrency = overrides.concurrency ?? ingest.concurrency;
  // One connection per job in hand, and one for the appender's log lookups.
  const store = PostgresLedgerStore.open({ url: config.databaseUrl, schema: config.schema, rolePrefix: config.rolePrefix, role: "writer", max: concurrency + 1, applicationName: "sealtrail-ingest" });
  const worker = startIngestWorker({
    store,
    redisUrl: config.redisUrl,
    queueName: ingest.queue,
    concurrency,
    maxPayloadBytes: config.maxPayloadBytes,
    lockDurationMs: ingest.lockDurationMs,
    stalledIntervalMs: ingest.stalledIntervalMs,
  });
  const line = (value: object) => out.stdout(JSON.stringify(value));
  worker.on("completed", (job, result) =>
    line({ event: "completed", job: job.id, log: result.log, appended: result.appended, duplicates: result.duplicates, rejected: result.rejected }),
  );
  worker.on("failed", (job, error) => out.stderr(`sealtrail worker: job ${job?.id} attempt ${job?.attemptsMade}: ${error.message}`));
  worker.on("error", (error) => out.stderr(`sealtrail worker: ${error.message}`));

  const stopIndexer = new AbortController();
  const indexerStore = search.indexer
    ? PostgresLedgerStore.open({ url: config.databaseUrl, schema: config.schema, rolePrefix: config.rolePrefix, role: "writer", max: search.indexers, applicationName: "sealtrail-search-indexer" })
    : undefined;
  const indexing = indexerStore
    ? indexerStore.runSearchIndexer({
        intervalMs: search.intervalMs,
        batch: search.batch,
        indexers: search.indexers,
        signal: stopIndexer.signal,
        onPass: (pass) => {
          if (pass.indexed > 0) line({ event: "indexed", entries: pass.indexed, behind: pass.behind, ...(pass.skipped > 0 ? { skipped: pass.skipped } : {}) });
        },
        // An entry indexed without its words is found by every other filter, but not by text.
        onSkipped: (entry) => out.stderr(`sealtrail worker: search indexer: log ${entry.logId} seq ${entry.seq} indexed without its words: ${entry.reason}`),
        onError: (error) => out.stderr(`sealtrail worker: search indexer: ${(error as Error).message}`),
      })
    : Promise.resolve();

  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        out.stderr(`sealtrail worker: ${signal} again, exiting without finishing the jobs in hand`);
        process.exit(130);
      }
      stopping = true;
      line({ event: "stopping", signal });
      stopIndexer.abort();
      // close() waits for the jobs in hand; they are then completed (or failed) in Redis.
      void worker.close().then(resolve, (error: Error) => {
        out.stderr(`sealtrail worker: closing: ${error.message}`);
        resolve();
      });
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  try {
    await worker.waitUntilReady();
    line({ event: "ready", queue: ingest.queue, concurrency, searchIndexer: search.indexer });
    await stopped;
  } finally {
    // Also when Redis is unreachable: the indexer's loop would keep the process alive.
    stopIndexer.abort();
    await indexing; // ends after the transaction in hand
    await Promise.all([store.close(5), indexerStore?.close(5)]);
  }
  line({ event: "stopped" });
}
