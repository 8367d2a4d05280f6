/**
 * `sealtrail demo` as a function, for the command, tests and benches: fills a ledger with the
 * quarter of quarter.ts (validated by the ingest rules, appended in batches; a second run with
 * the same seed appends nothing, every event has an idempotency key), signs a checkpoint of
 * each log, sweeps them, and builds a signed SOC 2 pack of the five logs.
 */
import type { KeyObject } from "node:crypto";
import { join } from "node:path";
import { NEW_LOG_LEAF_VERSION, type PreparedEvent } from "../core/entry/index.js";
import { rawPublicKey } from "../core/note/index.js";
import type { AlertSink } from "../integrity/alert-sink.js";
import { sweepLog } from "../integrity/sweep-log.js";
import { DirectoryWitness } from "../integrity/witness-directory.js";
import { validateEvent } from "../ingest/validate-event.js";
import { checkpointLog, type LedgerStore } from "../ledger/index.js";
import { PostgresLedgerStore } from "../ledger/postgres/postgres-store.js";
import { buildPack } from "../packs/build-pack.js";
import { findExporter, loadExporters } from "../packs/exporters.js";
import { DEFAULT_APPROVAL_TAGS, DEFAULT_FAILED_LOGIN_THRESHOLD } from "../packs/request.js";
import { DEMO_LOGS, demoQuarter } from "./quarter.js";

export interface DemoOptions {
  url: string;
  schema: string;
  /** SEALTRAIL_DB_ROLE_PREFIX, when set. */
  rolePrefix?: string | undefined;
  seed: string;
  tenant: string;
  originPrefix: string;
  /** Signs the checkpoints and the pack. */
  key: KeyObject;
  /** The pack goes to <packDir>/<tenant>/demo-<seed>-<time>. */
  packDir: string;
  witnessDir: string | undefined;
  maxPayloadBytes: number;
  version: string;
  /** Progress lines. */
  progress(line: string): void;
}

export interface DemoResult {
  logs: { name: string; appended: number; duplicates: number; size: number }[];
  sweeps: { log: string; result: string }[];
  pack: { dir: string; packId: string; controls: Record<string, number>; exceptions: Record<string, number> };
}

const BATCH = 500;

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = new Date();
  const store = PostgresLedgerStore.open({ url: o.url, schema: o.schema, rolePrefix: o.rolePrefix, role: "writer", max: 2, applicationName: "sealtrail-demo" });
  try {
    const existing = new Set((await store.listLogs()).map((l) => l.name));
    for (const name of DEMO_LOGS) if (!existing.has(name)) await store.createLog(name, { tenant: o.tenant, origin: `${o.originPrefix}/${name}`, leafVersion: NEW_LOG_LEAF_VERSION });
    const appender = store.appender({ maxPayloadBytes: o.maxPayloadBytes });
    const logs: DemoResult["logs"] = [];
    for (const [name, events] of demoQuarter(o.seed)) {
      const prepared: PreparedEvent[] = events.map((event, i) => {
        const checked = validateEvent(event, i, { maxPayloadBytes: o.maxPayloadBytes });
        // The generator's own events: one the ingest rules refuse is a bug here, not input.
        if (!checked.ok) throw new Error(`demo event ${name}[${i}] refused: ${checked.reason.code} ${checked.reason.message}`);
        return { ...checked.prepared, idempotencyKey: event.idempotencyKey! };
      });
      let appended = 0;
      let duplicates = 0;
      let size = 0;
      for (let i = 0; i < prepared.length; i += BATCH) {
        for (const r of await appender.appendPrepared(name, prepared.slice(i, i + BATCH))) {
          if (r.duplicate) duplicates++;
          else appended++;
          size = Math.max(size, r.seq + 1);
        }
      }
      await checkpointLog(store, name, o.key);
      logs.push({ name, appended, duplicates, size });
      o.progress(`${name}: ${appended} events appended${duplicates ? `, ${duplicates} there already` : ""}`);
    }

    const witness = o.witnessDir ? new DirectoryWitness(o.witnessDir) : undefined;
    const alerts: AlertSink = { raise: async () => {} };
    const sweeps: DemoResult["sweeps"] = [];
    for (const name of DEMO_LOGS) {
      const { record } = await sweepLog({ store, url: o.url, schema: o.schema, publicKey: rawPublicKey(o.key), witness, originPrefix: o.originPrefix, alerts }, name, { id: `demo-${o.seed}-${started.getTime()}-${name}`, mode: "full", at: new Date() });
      sweeps.push({ log: name, result: record.result });
    }
    o.progress(`swept ${sweeps.length} logs: ${sweeps.map((s) => `${s.log} ${s.result}`).join(", ")}`);
    return { logs, sweeps, pack: await buildDemoPack(o, store, started) };
  } finally {
    await store.close(5);
  }
}

async function buildDemoPack(o: DemoOptions, store: LedgerStore, started: Date): Promise<DemoResult["pack"]> {
  const exporter = findExporter(await loadExporters([]), "soc2");
  const out = join(o.packDir, o.tenant, `demo-${o.seed}-${started.toISOString().replace(/[:.]/g, "-")}`);
  const built = await buildPack({
    store, exporter, out, packKey: o.key, checkpointKey: o.key, originPrefix: o.originPrefix, builtBy: "sealtrail-demo",
    generator: { name: "sealtrail", version: o.version },
    request: {
      framework: exporter.id,
      logs: [...DEMO_LOGS],
      // The ledger's clock: everything recorded up to now, a re-run's earlier appends included.
      from: "2000-01-01T00:00:00.000Z",
      to: new Date(Date.now() + 1000).toISOString(),
      requestedBy: "sealtrail demo",
      requestedAt: started.toISOString(),
      organisation: "Example Corp (demo)",
      scope: `the demo logs ${DEMO_LOGS.join(", ")} of tenant ${o.tenant}`,
      seed: o.seed,
      failedLoginThreshold: DEFAULT_FAILED_LOGIN_THRESHOLD,
      approvalTags: [...DEFAULT_APPROVAL_TAGS],
    },
  });
  const controls: Record<string, number> = {};
  for (const c of built.model.controls) controls[c.result] = (controls[c.result] ?? 0) + 1;
  const exceptions: Record<string, number> = {};
  for (const e of built.model.exceptions) exceptions[e.kind] = (exceptions[e.kind] ?? 0) + 1;
  o.progress(`built SOC 2 pack ${built.packId}`);
  return { dir: built.dir, packId: built.packId, controls, exceptions };
}
