/**
 * A log with an archived prefix, as the API and console tests of archived entries need it:
 * entries under two signed checkpoints, then a retention run dated 200 days on, which archives
 * the prefix under the older checkpoint (src/integrity/retention-run.ts).
 */
import { join } from "node:path";
import type { EventInput } from "../../src/core/entry/index.js";
import { retainLog, type RetentionOutcome } from "../../src/integrity/retention-run.js";
import { checkpointLog, DirectoryArchive } from "../../src/ledger/index.js";
import type { testKey } from "./keys.js";
import type { TestLedger } from "./ledger.js";

const DAY = 86_400_000;

type Key = ReturnType<typeof testKey>;

/** Entries 0–39 under a checkpoint of 40, 40–69 under one of 70, then 70–74 unsigned; `batch(from, n)` makes them. */
export async function appendSigned(ledger: TestLedger, key: Key, name: string, batch: (from: number, n: number) => EventInput[]): Promise<void> {
  await ledger.store.appender().append(name, batch(0, 40));
  await checkpointLog(ledger.store, name, key.privateKey);
  await ledger.store.appender().append(name, batch(40, 30));
  await checkpointLog(ledger.store, name, key.privateKey);
  await ledger.store.appender().append(name, batch(70, 5));
}

/** Runs `name`'s retention as of 200 days from now, archiving into `dir`/archive. */
export function archiveLater(ledger: TestLedger, key: Key, dir: string, name: string, runId = `run-${name}`): Promise<RetentionOutcome> {
  return retainLog(
    { store: ledger.store, archive: new DirectoryArchive(join(dir, "archive")), url: ledger.url, schema: ledger.schema, publicKey: key.publicKey, witness: undefined, originPrefix: "test.example", alerts: { raise: async () => {} }, threads: 0 },
    name,
    { id: runId, at: new Date(Date.now() + 200 * DAY) },
  );
}
