import { parseArgs } from "node:util";
import { changeRetention, retentionOf } from "../../ledger/index.js";
import { parseOrUsage, positionals } from "../args.js";
import { CliError } from "../cli-error.js";
import { type Cli, json, withDatabase } from "../context.js";

/** The --hot-days and --clear-days options of log create and log retention. */
export const RETENTION_OPTIONS = { "hot-days": { type: "string" }, "clear-days": { type: "string" } } as const;

/** Whole days from the options; USAGE for anything else (the range is checked by the policy). */
export function retentionDays(command: string, values: { "hot-days"?: string; "clear-days"?: string }): { hotDays?: number; clearDays?: number } {
  const days = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    if (!/^\d{1,6}$/.test(text)) throw new CliError("USAGE", `${command}: --${flag}: got ${JSON.stringify(text)}, want a whole number of days`);
    return Number(text);
  };
  const hotDays = days("hot-days", values["hot-days"]);
  const clearDays = days("clear-days", values["clear-days"]);
  return { ...(hotDays !== undefined ? { hotDays } : {}), ...(clearDays !== undefined ? { clearDays } : {}) };
}

/** sealtrail log retention NAME [--hot-days N] [--clear-days N]: prints the policy, or changes it (recorded in the audit log). */
export async function logRetentionCommand(args: string[], cli: Cli): Promise<number> {
  const parsed = parseOrUsage("log retention", () => parseArgs({ args, options: RETENTION_OPTIONS, strict: true, allowPositionals: true }));
  const [name] = positionals("log retention", parsed.positionals, ["NAME"]) as [string];
  const given = retentionDays("log retention", parsed.values);
  if (Object.keys(given).length === 0) {
    const policy = await withDatabase(cli, "read", async (store) => retentionOf(store, await store.findLog(name)));
    cli.stdout(json({ log: name, hotDays: policy.hotDays, clearDays: policy.clearDays, setBy: policy.setBy, at: policy.at?.toISOString() ?? null }));
    return 0;
  }
  const changed = await withDatabase(cli, "write", (store) => changeRetention(store, cli.originPrefix, name, given, "cli"));
  cli.stdout(json({ log: name, ...changed.policy, previous: changed.previous }));
  return 0;
}
