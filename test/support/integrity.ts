/**
 * Integrity tests: a local HTTP receiver of alert webhooks (it checks nothing itself: tests
 * check the signatures it kept), queues of the test's own (`test-<uuid>-sweep`, `-alerts`), a
 * witness directory, and the sweep's dependencies over a test ledger.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Alert } from "../../src/core/sweep/index.js";
import { type AlertQueue, openAlertQueue, QueueAlertSink } from "../../src/integrity/alert-queue.js";
import type { SweepDeps } from "../../src/integrity/sweep-log.js";
import { openSweepQueue, type SweepQueue } from "../../src/integrity/sweep-queue.js";
import { DirectoryWitness } from "../../src/integrity/witness-directory.js";
import type { Sql } from "../../src/ledger/postgres/db.js";
import { REDIS_URL } from "./ingest.js";
import type { TestLedger } from "./ledger.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";

export interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  alert: Alert;
  /** What the receiver answered. */
  status: number;
}

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  /** Answered 2xx: acknowledged. */
  acknowledged(): Delivery[];
  close(): Promise<void>;
}

/** Answers 503 to the first `refuse` requests, then 200. */
export async function startReceiver(options: { refuse?: number } = {}): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  let refuse = options.refuse ?? 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const status = refuse > 0 ? 503 : 200;
      if (refuse > 0) refuse--;
      deliveries.push({ headers: req.headers, body, alert: JSON.parse(body) as Alert, status });
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "busy");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/sealtrail?token=t`,
    deliveries,
    acknowledged: () => deliveries.filter((d) => d.status === 200),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface IntegrityFixture {
  name: string;
  sweepQueue: SweepQueue;
  alertQueue: AlertQueue;
  witnessDir: string;
  witness: DirectoryWitness;
  deps(sql: Sql, webhooks: string[], extra?: Partial<SweepDeps>): SweepDeps;
  close(): Promise<void>;
}

export async function integrityFixture(ledger: TestLedger, publicKey: Uint8Array): Promise<IntegrityFixture> {
  const name = `test-${randomUUID()}`;
  const sweepQueue = openSweepQueue(REDIS_URL, { name: `${name}-sweep` });
  const alertQueue = openAlertQueue(REDIS_URL, { name: `${name}-alerts` });
  await Promise.all([sweepQueue.waitUntilReady(), alertQueue.waitUntilReady()]);
  const witnessDir = mkdtempSync(join(tmpdir(), "sealtrail-witness-"));
  const witness = new DirectoryWitness(witnessDir);
  return {
    name,
    sweepQueue,
    alertQueue,
    witnessDir,
    witness,
    deps: (sql, webhooks, extra = {}) => ({
      store: new PostgresLedgerStore(sql, ledger.schema), url: ledger.url, schema: ledger.schema, publicKey, witness, originPrefix: "test.example",
      alerts: new QueueAlertSink(alertQueue, webhooks), threads: 0, rangeLevel: 4, ...extra,
    }),
    async close() {
      await Promise.all([sweepQueue.obliterate({ force: true }), alertQueue.obliterate({ force: true })]);
      await Promise.all([sweepQueue.close(), alertQueue.close()]);
      rmSync(witnessDir, { recursive: true, force: true });
    },
  };
}
