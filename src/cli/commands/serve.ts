import { parseArgs } from "node:util";
import { runApi } from "../../processes/run-api.js";
import { parseOrUsage } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, databaseConfig } from "../context.js";
import { listenHost } from "../../config/index.js";

/** sealtrail serve [--port N] [--host H]: the API (PORT, default 4000; SEALTRAIL_API_HOST, default 127.0.0.1) until SIGINT/SIGTERM. */
export async function serveCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("serve", () => parseArgs({ args, options: { port: { type: "string" }, host: { type: "string" } }, strict: true }));
  // Read now: a malformed variable stops the command before anything starts.
  const api = cli.config.api;
  void cli.config.ingest;
  void cli.config.webhookSources;
  // Pack requests go to the evidence queue; `sealtrail pack-worker` builds them into SEALTRAIL_PACK_DIR.
  void cli.config.packs;
  const portText = values.port ?? String(api.port);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new CliError("USAGE", `port: got ${JSON.stringify(portText)}, want 0–65535`);
  let host: string;
  try {
    host = values.host === undefined ? api.host : listenHost(values.host, "--host");
  } catch (error) {
    throw new CliError("USAGE", (error as Error).message, { cause: error });
  }
  databaseConfig(cli);
  const until = new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  let closed: boolean;
  try {
    closed = await runApi(cli.config, { port: Number(portText), host, until, onListening: (port) => cli.stdout(`sealtrail listening on port ${port}: console http://localhost:${port}/, GraphQL http://localhost:${port}/graphql\n`) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES") throw new CliError("USAGE", `cannot listen on port ${portText}: ${code}`, { cause: error });
    throw error;
  }
  if (!closed) {
    // Its reconnection timers would keep the process alive: nothing is pending on a queue that never connected.
    process.stderr.write("sealtrail serve: Redis never answered; exiting without waiting for the queue\n");
    process.exit(0);
  }
  return 0;
}
