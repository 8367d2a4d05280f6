import { parseArgs } from "node:util";
import { migrateLedger } from "../../ledger/postgres/migrate.js";
import { ensureServiceLogin } from "../../ledger/postgres/service-login.js";
import { parseOrUsage } from "../args.js";
import { type Cli, databaseConfig } from "../context.js";

/** sealtrail migrate */
export async function migrateCommand(args: string[], cli: Cli): Promise<number> {
  parseOrUsage("migrate", () => parseArgs({ args, options: {}, strict: true }));
  const { url, schema, rolePrefix } = databaseConfig(cli);
  const roles = await migrateLedger(url, schema, { rolePrefix });
  cli.stdout(`migrated schema ${schema} (roles ${roles.owner}, ${roles.writer}, ${roles.reader})\n`);
  // The login the services connect as, when its password is given (compose's setup does).
  const password = cli.config.servicePassword;
  if (password) cli.stdout(`service login ${await ensureServiceLogin(url, schema, rolePrefix, password)} (member of ${roles.writer} and ${roles.reader})\n`);
  return 0;
}
