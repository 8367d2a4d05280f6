/**
 * What every command is handed: the configuration read once from the environment, the
 * output streams, and the one way commands open the ledger store.
 */
import { readFile } from "node:fs/promises";
import type { Config } from "../config/index.js";
import { checkRolePrefix, checkSchemaName, PostgresLedgerStore, splitSocketDir } from "../ledger/postgres/postgres-store.js";
import type { LedgerStore } from "../ledger/index.js";
import { CliError } from "./cli-error.js";

export interface Cli {
  config: Config;
  /** SEALTRAIL_ORIGIN_PREFIX: origins of new logs are `<prefix>/<name>`. */
  originPrefix: string;
  stdout(text: string): void;
  readStdin(): Promise<string>;
}

export type Command = (args: string[], cli: Cli) => Promise<number>;

export const DEFAULT_ORIGIN_PREFIX = "sealtrail.local";

/** DATABASE_URL and SEALTRAIL_DB_SCHEMA, checked before any connection is attempted. */
export function databaseConfig(cli: Cli): { url: string; schema: string; rolePrefix: string | undefined } {
  const { databaseUrl: url, schema, rolePrefix } = cli.config;
  try {
    new URL(splitSocketDir(url).url);
  } catch (error) {
    throw new CliError("CONFIG", "DATABASE_URL is not a valid URL", { cause: error });
  }
  try {
    checkSchemaName(schema);
  } catch (error) {
    throw new CliError("CONFIG", `SEALTRAIL_DB_SCHEMA: ${(error as Error).message.replace(/^schema name: /, "")}`, { cause: error });
  }
  if (rolePrefix !== undefined) {
    try {
      checkRolePrefix(rolePrefix);
    } catch (error) {
      throw new CliError("CONFIG", `SEALTRAIL_DB_ROLE_PREFIX: ${(error as Error).message.replace(/^role prefix: /, "")}`, { cause: error });
    }
  }
  return { url, schema, rolePrefix };
}

/**
 * Runs `fn` on a connection pool to the ledger schema, always closed afterwards. Writes act
 * as the deployment's writer role, the role the grants and triggers are written for; reads and
 * verification use the login role as it is.
 */
export async function withDatabase<T>(cli: Cli, access: "read" | "write", fn: (store: LedgerStore) => Promise<T>): Promise<T> {
  const { url, schema, rolePrefix } = databaseConfig(cli);
  const store = PostgresLedgerStore.open({ url, schema, rolePrefix, max: 2, applicationName: "sealtrail-cli", ...(access === "write" ? { role: "writer" as const } : {}) });
  try {
    return await fn(store);
  } finally {
    await store.close(5);
  }
}

export async function readTextFile(what: string, path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new CliError("FILE", `${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}

export function json(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
