import { parseArgs } from "node:util";
import { migrateLedger } from "../../ledger/postgres/migrate.js";
import { parseOrUsage } from "../args.js";
import { type Cli, databaseConfig } from "../context.js";

/** sealtrail migrate */
export async function migrateCommand(args: string[], cli: Cli): Promise<number> {
  parseOrUsage("migrate", () => parseArgs({ args, options: {}, strict: true }));
  const { url, schema } = databaseConfig(cli);
  await migrateLedger(url, schema);
  cli.stdout(`migrated schema ${schema}\n`);
  return 0;
}
