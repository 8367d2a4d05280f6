import { LEAF_VERSION, LEAF_VERSIONS, RESERVED_NAME_PREFIX } from "../../core/entry/index.js";
import { LedgerError } from "../errors.js";
import type { Sql } from "./db.js";

export type { Log } from "../records.js";
import type { Log } from "../records.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// C2SP tlog-checkpoint: the origin is a non-empty line, by convention a schema-less URL; it is
// also the signer name of the log's checkpoints, and a C2SP signed-note name has no "+".
const ORIGIN = /^[\x21-\x2a\x2c-\x7e]{1,255}$/;

export type { CreateLogOptions } from "../records.js";
import type { CreateLogOptions } from "../records.js";

export async function createLog(sql: Sql, name: string, options: CreateLogOptions): Promise<Log> {
  if (!NAME.test(name)) throw new LedgerError("INVALID_INPUT", `log name: got ${JSON.stringify(name)}, want letters, digits, . _ - (max 200)`);
  if (!options.system && name.startsWith(RESERVED_NAME_PREFIX)) throw new LedgerError("INVALID_INPUT", `log name: names starting with ${RESERVED_NAME_PREFIX} are kept for the ledger's own logs`);
  if (!ORIGIN.test(options.origin)) throw new LedgerError("INVALID_INPUT", `origin: got ${JSON.stringify(options.origin)}, want printable ASCII without spaces or "+"`);
  const tenant = options.tenant ?? "default";
  if (!TENANT.test(tenant)) throw new LedgerError("INVALID_INPUT", `tenant: got ${JSON.stringify(tenant)}, want letters, digits, . _ - (max 64)`);
  const leafVersion = options.leafVersion ?? LEAF_VERSION;
  if (!(LEAF_VERSIONS as readonly number[]).includes(leafVersion)) throw new LedgerError("INVALID_INPUT", `leaf version: got ${leafVersion}, want one of ${LEAF_VERSIONS.join(", ")}`);
  try {
    const [row] = await sql<Log[]>`
      insert into logs (name, tenant, origin, leaf_version) values (${name}, ${tenant}, ${options.origin}, ${leafVersion})
      returning id, name, tenant, origin, created_at as "createdAt", leaf_version as "leafVersion"`;
    return row!;
  } catch (error) {
    if ((error as { code?: string }).code === "23505") throw new LedgerError("LOG_EXISTS", `log ${name} (or origin ${options.origin}) exists already`, { cause: error });
    throw new LedgerError("DATABASE", `creating log ${name}: ${(error as Error).message}`, { cause: error });
  }
}

export async function findLog(sql: Sql, name: string): Promise<Log> {
  const [row] = await sql<Log[]>`
    select id, name, tenant, origin, created_at as "createdAt", leaf_version as "leafVersion" from logs where name = ${name}`;
  if (!row) throw new LedgerError("LOG_NOT_FOUND", `no log named ${JSON.stringify(name)}`);
  return row;
}

export async function listLogs(sql: Sql): Promise<Log[]> {
  return sql<Log[]>`select id, name, tenant, origin, created_at as "createdAt", leaf_version as "leafVersion" from logs order by name`;
}

/** Current tree size (number of entries) of a log. */
export async function treeSize(sql: Sql, logId: number): Promise<number> {
  const [row] = await sql<{ size: number | null }[]>`
    select max(seq) + 1 as size from entries where log_id = ${logId}`;
  return row?.size ?? 0;
}

/** The log and its current tree size, in one round trip (proofs ask for both on every call). */
export async function findLogWithSize(sql: Sql, name: string): Promise<Log & { size: number }> {
  const [row] = await sql<(Log & { size: number | null })[]>`
    select l.id, l.name, l.tenant, l.origin, l.created_at as "createdAt", l.leaf_version as "leafVersion",
           (select max(e.seq) + 1 from entries e where e.log_id = l.id) as size
    from logs l where l.name = ${name}`;
  if (!row) throw new LedgerError("LOG_NOT_FOUND", `no log named ${JSON.stringify(name)}`);
  return { ...row, size: row.size ?? 0 };
}
