/**
 * Worker entry point: signs checkpoints of every log on the configured policy.
 *   SEALTRAIL_CHECKPOINT_EVERY (entries, default 10000), SEALTRAIL_CHECKPOINT_INTERVAL (seconds,
 *   default 60), plus the usual DATABASE_URL, SEALTRAIL_DB_SCHEMA, SEALTRAIL_SIGNING_KEY.
 * Thin: configuration and signals only; the work is in src/ledger/checkpoint-loop.ts.
 */
import { loadConfig } from "../src/config.js";
import { DEFAULT_CHECKPOINT_POLICY } from "../src/core/checkpoint-policy.js";
import { runCheckpointLoop } from "../src/ledger/checkpoint-loop.js";
import { connect } from "../src/ledger/db.js";
import { loadSigningKey } from "../src/ledger/signing-key.js";

const config = loadConfig();
const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return value && Number.isSafeInteger(n) && n > 0 ? n : fallback;
};
const policy = {
  every: positive(process.env.SEALTRAIL_CHECKPOINT_EVERY, DEFAULT_CHECKPOINT_POLICY.every),
  intervalMs: positive(process.env.SEALTRAIL_CHECKPOINT_INTERVAL, DEFAULT_CHECKPOINT_POLICY.intervalMs / 1000) * 1000,
};

try {
  const key = await loadSigningKey(config.signingKeyPath);
  const sql = connect({ url: config.databaseUrl, schema: config.schema, role: "sealtrail_writer", max: 2, applicationName: "sealtrail-checkpointer" });
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  console.log(`checkpointer: every ${policy.every} entries or ${policy.intervalMs / 1000} s`);
  await runCheckpointLoop(sql, key, policy, {
    tickMs: Math.min(5_000, policy.intervalMs),
    signal: stop.signal,
    onTick: (signed) => signed.forEach((s) => console.log(`checkpoint ${s.log} size ${s.size}`)),
    onError: (error) => console.error(`checkpointer: ${(error as Error).message}`),
  });
  await sql.end();
} catch (error) {
  console.error(`checkpointer: ${(error as Error).message}`);
  process.exit(2);
}
