/**
 * A log of N entries for the read-side benchmarks (verify.ts, proofs.ts), appended through the
 * Appender as sealtrail_writer, in batches, with signed checkpoints taken while it grows.
 *
 * With a schema name the log is reused across invocations: an existing schema holding the
 * bench log is topped up to N entries (an interrupted seeding resumes where it stopped; every
 * batch is one transaction) and never reseeded. Events are generated chunk by chunk from a
 * fixed seed, so memory stays flat and a resumed seeding appends the same events.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sha256 } from "../src/core/encoding/index.js";
import { privateKeyFromSeed, rawPublicKey } from "../src/core/note/index.js";
import { Appender } from "../src/ledger/postgres/appender.js";
import { checkpointLog } from "../src/ledger/checkpointer.js";
import { listCheckpoints } from "../src/ledger/postgres/checkpoints.js";
import { checkSchemaName, connect, type Sql } from "../src/ledger/postgres/db.js";
import { createLog, findLog, type Log, treeSize } from "../src/ledger/postgres/logs.js";
import { migrateLedger } from "../src/ledger/postgres/migrate.js";
import { dropSchema, makeEvents } from "./support.js";
import { PostgresLedgerStore } from "../src/ledger/postgres/postgres-store.js";

export const BENCH_LOG = "bench-read";
export const BENCH_ORIGIN = "bench.example/read";
/** Events are generated this many at a time (a multiple of any sensible batch size). */
const CHUNK = 10_000;
const EVENT_SEED = 20251122;

/**
 * The checkpoint signing key of the benchmark logs: derived from a fixed, public string so a
 * kept schema's checkpoints verify in a later invocation. A benchmark key, not a secret.
 */
export function benchSigningKey() {
  const privateKey = privateKeyFromSeed(sha256("sealtrail benchmark checkpoint key v1"));
  return { privateKey, publicKey: rawPublicKey(privateKey) };
}

export interface SeededLog {
  schema: string;
  log: Log;
  size: number;
  checkpoints: number;
  /** True when this invocation created the schema (it then drops it unless kept). */
  created: boolean;
  /** Entries appended by this invocation, and the seconds it took (0 when reused as is). */
  appended: number;
  seedSeconds: number;
  /** Login role (as the CLI's verify and proofs commands use), `max` connections. */
  admin: Sql;
  publicKey: Uint8Array;
  /** Closes the pool; drops the schema when `drop`. */
  close(drop: boolean): Promise<void>;
}

export interface SeedOptions {
  url: string;
  /** Schema to use or create; empty for a fresh bench_<random>. */
  schema: string;
  entries: number;
  batch: number;
  /** Checkpoints taken while seeding, evenly spaced (the last one at N). */
  checkpoints: number;
  /** Connections of the returned admin pool. */
  max: number;
  progress: (line: string) => void;
}

export async function openSeededLog(o: SeedOptions): Promise<SeededLog> {
  const schema = checkSchemaName(o.schema || `bench_${randomBytes(5).toString("hex")}`);
  const probe = connect({ url: o.url, schema: "public", max: 1, applicationName: "sealtrail-bench" });
  const [found] = await probe<{ n: number }[]>`select count(*)::int as n from pg_namespace where nspname = ${schema}`;
  await probe.end();
  const created = found!.n === 0;
  await migrateLedger(o.url, schema); // idempotent on an existing ledger schema
  const admin = connect({ url: o.url, schema, max: o.max, applicationName: "sealtrail-bench" });
  const writer = connect({ url: o.url, schema, role: "writer", max: 1, applicationName: "sealtrail-bench-seed" });
  const close = async (drop: boolean) => {
    await writer.end().catch(() => {});
    if (drop) await dropSchema(admin, o.url, schema);
    await admin.end();
  };
  try {
    const key = benchSigningKey();
    let log: Log;
    try {
      log = await findLog(admin, BENCH_LOG);
    } catch {
      log = await createLog(writer, BENCH_LOG, { origin: BENCH_ORIGIN });
    }
    const N = o.entries;
    let size = await treeSize(admin, log.id);
    if (size > N) throw new Error(`schema ${schema} holds ${size} entries in ${BENCH_LOG}, more than --entries ${N}: use --entries ${size}`);
    const start = size;
    const t0 = performance.now();
    if (size < N) {
      o.progress(`seeding ${schema}.${BENCH_LOG}: ${size.toLocaleString("en-US")} → ${N.toLocaleString("en-US")} entries through the Appender (batches of ${o.batch})`);
      const appender = new Appender(writer);
      const marks = Array.from({ length: o.checkpoints }, (_, k) => Math.floor(((k + 1) * N) / o.checkpoints));
      let nextReport = performance.now() + 10_000;
      while (size < N) {
        const chunk = Math.floor(size / CHUNK);
        const events = makeEvents(CHUNK, EVENT_SEED + chunk).slice(size - chunk * CHUNK, Math.min(CHUNK, N - chunk * CHUNK));
        for (let i = 0; i < events.length; i += o.batch) {
          const before = size;
          const receipts = await appender.append(BENCH_LOG, events.slice(i, i + o.batch));
          size += receipts.filter((r) => !r.duplicate).length;
          if (marks.some((m) => before < m && size >= m)) await checkpointLog(new PostgresLedgerStore(writer), BENCH_LOG, key.privateKey);
        }
        if (performance.now() >= nextReport || size >= N) {
          nextReport = performance.now() + 10_000;
          const s = (performance.now() - t0) / 1000;
          const rate = (size - start) / s;
          o.progress(
            `  ${size.toLocaleString("en-US").padStart(11)} entries  ${Math.round(rate).toLocaleString("en-US")} entries/s  ` +
              `${s.toFixed(0)} s elapsed, ~${((N - size) / rate).toFixed(0)} s to go`,
          );
        }
      }
      await checkpointLog(new PostgresLedgerStore(writer), BENCH_LOG, key.privateKey); // the head, if the last mark missed it
      o.progress(`  vacuum analyze (hint bits and statistics, as a log that has been around would have them)`);
      await admin`vacuum (analyze) entries`;
      await admin`vacuum (analyze) merkle_nodes`;
    }
    const seedSeconds = (performance.now() - t0) / 1000;
    const checkpoints = (await listCheckpoints(admin, log.id)).length;
    return { schema, log, size, checkpoints, created, appended: size - start, seedSeconds, admin, publicKey: key.publicKey, close };
  } catch (error) {
    await close(created);
    throw error;
  }
}
