import { parseArgs } from "node:util";
import { createApiServer } from "../../api/server.js";
import { connect } from "../../ledger/db.js";
import { packageVersion } from "../../version.js";
import { parseOrUsage } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, databaseConfig } from "../context.js";

/** sealtrail serve [--port N]: the HTTP server (PORT, default 4000) until SIGINT/SIGTERM. */
export async function serveCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("serve", () => parseArgs({ args, options: { port: { type: "string" } }, strict: true }));
  const portText = values.port ?? process.env.PORT ?? "4000";
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new CliError("USAGE", `port: got ${JSON.stringify(portText)}, want 0–65535`);
  const { url, schema } = databaseConfig(cli);
  const sql = connect({ url, schema, role: "sealtrail_reader", max: 4, applicationName: "sealtrail-api" });
  const server = createApiServer({ sql, schema, version: packageVersion() });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new CliError("USAGE", `cannot listen on port ${portText}: ${(error as NodeJS.ErrnoException).code}`)));
    server.listen(Number(portText), resolve);
  });
  const address = server.address();
  cli.stdout(`sealtrail listening on port ${typeof address === "object" && address ? address.port : portText}\n`);
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sql.end();
  return 0;
}
