/**
 * Worker thread of the verifier: verifies the ranges it is sent, each on its own database
 * connection, so that hashing runs on every core while Postgres streams rows.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PostgresLedgerStore } from "../ledger/postgres/postgres-store.js";
import { type RangeTask, verifyRange } from "./verify-range.js";

const { url, schema, asWriter } = workerData as { url: string; schema: string; asWriter?: { rolePrefix: string | undefined } };
// As the role the caller's store acts as: a service login may hold no privileges of its own.
const store = PostgresLedgerStore.open({ url, schema, max: 1, applicationName: "sealtrail-verify", ...(asWriter ? { role: "writer" as const, rolePrefix: asWriter.rolePrefix } : {}) });

parentPort!.on("message", (task: RangeTask | null) => {
  if (task === null) {
    void store.close().then(() => parentPort!.close());
    return;
  }
  verifyRange(store, task).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (error: unknown) => parentPort!.postMessage({ ok: false, error: (error as Error).message }),
  );
});
