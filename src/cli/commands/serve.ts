import "reflect-metadata";
import { parseArgs } from "node:util";
import { ConfigError } from "../../config.js";
import { createApiServer } from "../../api/server.js";
import { connect } from "../../ledger/db.js";
import { openEvidenceQueue } from "../../packs/evidence-queue.js";
import { loadExporters } from "../../packs/exporters.js";
import { packageVersion } from "../../version.js";
import { parseOrUsage } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, databaseConfig } from "../context.js";

/** sealtrail serve [--port N]: the API (PORT, default 4000) until SIGINT/SIGTERM. */
export async function serveCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("serve", () => parseArgs({ args, options: { port: { type: "string" } }, strict: true }));
  let api;
  try {
    api = cli.config.api;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError("CONFIG", error.message, { cause: error });
    throw error;
  }
  const portText = values.port ?? String(api.port);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new CliError("USAGE", `port: got ${JSON.stringify(portText)}, want 0–65535`);
  const { url, schema } = databaseConfig(cli);
  const sql = connect({ url, schema, max: 10, applicationName: "sealtrail-api" });
  const writer = connect({ url, schema, role: "sealtrail_writer", max: 4, applicationName: "sealtrail-api-writer" });
  // Pack requests go to the evidence queue; `sealtrail pack-worker` builds them into SEALTRAIL_PACK_DIR.
  let packs;
  try {
    packs = cli.config.packs;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError("CONFIG", error.message, { cause: error });
    throw error;
  }
  const evidence = { queue: openEvidenceQueue(cli.config.redisUrl, { name: packs.queue }), exporters: await loadExporters(cli.config.packExporters), packDir: packs.dir };
  const server = await createApiServer({ sql, writer, schema, version: packageVersion(), config: api, originPrefix: cli.originPrefix, evidence });
  let port: number;
  try {
    port = await server.listen(Number(portText));
  } catch (error) {
    await Promise.all([sql.end({ timeout: 1 }), writer.end({ timeout: 1 }), evidence.queue.close()]);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES") throw new CliError("USAGE", `cannot listen on port ${portText}: ${code}`, { cause: error });
    throw error;
  }
  cli.stdout(`sealtrail listening on port ${port}\n`);
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  // The read log is flushed before the pools close: every read served is recorded.
  await server.close();
  await evidence.queue.close();
  await Promise.all([sql.end({ timeout: 5 }), writer.end({ timeout: 5 })]);
  return 0;
}
