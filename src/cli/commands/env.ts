import { parseArgs } from "node:util";
import { stateHome } from "../../platform/state-home.js";
import { PlatformError } from "../../platform/platform-error.js";
import { runningInstance } from "../../platform/up-file.js";
import { parseOrUsage } from "../args.js";
import type { Cli } from "../context.js";

/**
 * sealtrail env [--json]: the settings of the `sealtrail up` running on SEALTRAIL_HOME, as
 * shell exports (eval "$(npx sealtrail env)") or one JSON object.
 */
export async function envCommand(args: string[], cli: Cli): Promise<number> {
  const { values } = parseOrUsage("env", () => parseArgs({ args, options: { json: { type: "boolean" } }, strict: true }));
  const home = stateHome(process.env);
  const up = runningInstance(home.upFile);
  if (!up || up.apiUrl === "") throw new PlatformError("NOT_RUNNING", `no sealtrail up is running on ${home.root}`);
  if (values.json) {
    cli.stdout(`${JSON.stringify(up.env)}\n`);
    return 0;
  }
  for (const [name, value] of Object.entries(up.env)) cli.stdout(`export ${name}=${shellQuote(value)}\n`);
  return 0;
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
