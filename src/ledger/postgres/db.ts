import net from "node:net";
import postgres from "postgres";
import { LedgerError } from "../errors.js";
import { splitSocketDir } from "./db-url.js";
import { type LedgerRole, ledgerRoles } from "./roles.js";

export { splitSocketDir } from "./db-url.js";
export { type LedgerRole, type LedgerRoles, ledgerRoles, rolePrefix } from "./roles.js";

export type Sql = postgres.Sql<Record<string, never>>;

export interface DbOptions {
  url: string;
  /** The Postgres schema holding this ledger's tables. */
  schema: string;
  /**
   * Which of the deployment's roles (roles.ts) the connection acts as (SET ROLE at startup);
   * the login user must be a member.
   */
  role?: LedgerRole;
  /** SEALTRAIL_DB_ROLE_PREFIX: the deployment's role prefix, when not derived from the database and schema. */
  rolePrefix?: string | undefined;
  max?: number;
  applicationName?: string;
  /**
   * Called with each statement as it is handed to a connection, in the order the connection
   * sends them (postgres.js `debug`): what travels with what, for tests of pipelining.
   */
  trace?: (statement: string) => void;
}

/**
 * A postgres.js pool bound to one ledger schema. bigint columns come back as JS numbers: seqs
 * and sizes stay far below 2^53. Every socket is made here: over TCP with TCP_NODELAY (with
 * Nagle on, every COPY round trip stalls ~40–55 ms, STACK.md), or on a unix socket when the
 * URL says `?host=/run/postgresql` (the libpq form, which postgres.js cannot parse itself).
 */
export function connect(options: DbOptions): Sql {
  const { url, socketDir } = splitSocketDir(options.url);
  const connection: Record<string, string> = {
    search_path: options.schema,
    application_name: options.applicationName ?? "sealtrail",
    TimeZone: "UTC",
  };
  const roles = ledgerRoles(options.url, options.schema, options.rolePrefix);
  // A tenant's view switches to the reader for its transaction (tenant-view.ts): it finds the
  // deployment's reader here rather than being told the prefix again.
  connection["sealtrail.reader_role"] = roles.reader;
  if (options.role) connection.role = roles[options.role];
  return postgres(url, {
    max: options.max ?? 4,
    onnotice: () => {},
    connection,
    types: {
      bigint: { to: 20, from: [20], serialize: (x: number | bigint) => x.toString(), parse: (x: string) => Number(x) },
    },
    ...(socketDir ? { host: socketDir } : {}),
    ...(options.trace ? { debug: (_connection: number, statement: string) => options.trace!(statement) } : {}),
    // Supported by postgres.js, missing from its type definitions.
    ...({ socket: openSocket } as object),
  }) as unknown as Sql;
}

/**
 * The socket is handed over before it is connected (writes wait in it until it is): a factory
 * that rejects on a refused connection leaves postgres.js with a connection that never gets
 * its close handling, and a later COPY on it waits forever. A socket that fails after being
 * handed over goes through postgres.js's own error and close handlers instead.
 */
function openSocket(options: { host: string[]; port: number[]; path?: string | false }): net.Socket {
  const socket = options.path ? net.connect(options.path) : net.connect(options.port[0] ?? 5432, options.host[0] ?? "127.0.0.1");
  if (!options.path) socket.setNoDelay(true);
  return socket;
}

/** A schema name safe to interpolate as an identifier. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new LedgerError("INVALID_INPUT", `schema name: got ${JSON.stringify(schema)}, want lower-case letters, digits and _`);
  }
  return schema;
}
