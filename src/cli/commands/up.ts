import { parseArgs } from "node:util";
import { runUp } from "../../processes/run-up.js";
import { parseOrUsage } from "../args.js";
import { CliError } from "../cli-error.js";
import type { Cli } from "../context.js";

/**
 * sealtrail up [--port N] [--host H]: the whole platform in this process on SEALTRAIL_HOME
 * (default ./.sealtrail) until SIGINT or SIGTERM; a second signal exits at once.
 */
export async function upCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("up", () => parseArgs({ args, options: { port: { type: "string" }, host: { type: "string" } }, strict: true }));
  const portText = values.port ?? String(cli.config.api.port);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new CliError("USAGE", `up: --port: got ${JSON.stringify(portText)}, want 0–65535`);
  let signals = 0;
  const until = new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        cli.stdout(`\nsealtrail up: ${signal}: finishing the jobs in hand (again to exit at once)\n`);
        resolve();
      }
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  try {
    await runUp(process.env, { port: Number(portText), host: values.host ?? "127.0.0.1", print: cli.stdout, until });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES") throw new CliError("USAGE", `up: cannot listen on port ${portText}: ${code} (use --port N, or 0 for any free port)`, { cause: error });
    throw error;
  }
  return 0;
}
