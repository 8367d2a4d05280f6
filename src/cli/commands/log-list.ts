import { parseArgs } from "node:util";
import { parseOrUsage } from "../args.js";
import { type Cli, json, withDatabase } from "../context.js";

/** sealtrail log list: one JSON object a line. */
export async function logListCommand(args: string[], cli: Cli): Promise<number> {
  parseOrUsage("log list", () => parseArgs({ args, options: {}, strict: true }));
  await withDatabase(cli, "read", async (store) => {
    for (const log of await store.listLogs()) {
      const size = await store.treeSize(log.id);
      cli.stdout(json({ id: log.id, name: log.name, tenant: log.tenant, origin: log.origin, size, createdAt: log.createdAt.toISOString() }));
    }
  });
  return 0;
}
