import net from "node:net";
import postgres from "postgres";
import { LedgerError } from "../errors.js";

export type Sql = postgres.Sql<Record<string, never>>;

/** Database roles created by the migrations (schema/migrations/0001_protection.sql). */
export type LedgerRole = "sealtrail_owner" | "sealtrail_writer" | "sealtrail_reader";

export interface DbOptions {
  url: string;
  /** The Postgres schema holding this ledger's tables. */
  schema: string;
  /** Role the connection acts as (SET ROLE at startup); the login user must be a member. */
  role?: LedgerRole;
  max?: number;
  applicationName?: string;
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
  if (options.role) connection.role = options.role;
  return postgres(url, {
    max: options.max ?? 4,
    onnotice: () => {},
    connection,
    types: {
      bigint: { to: 20, from: [20], serialize: (x: number | bigint) => x.toString(), parse: (x: string) => Number(x) },
    },
    ...(socketDir ? { host: socketDir } : {}),
    // Supported by postgres.js, missing from its type definitions.
    ...({ socket: openSocket } as object),
  }) as unknown as Sql;
}

/** `postgres://user@host/db?host=/dir` → the URL without `host=` and the socket directory. */
export function splitSocketDir(url: string): { url: string; socketDir: string | undefined } {
  const match = /([?&])host=(%2F[^&]*|\/[^&]*)(&|$)/i.exec(url);
  if (!match) return { url, socketDir: undefined };
  const rest = url.slice(0, match.index) + (match[3] ? match[1] : "") + url.slice(match.index + match[0].length);
  // postgres.js needs a parseable URL: give it a host, which the socket directory overrides.
  return { url: rest.replace(/^(postgres(?:ql)?:\/\/(?:[^@/]*@)?)(\/)/, "$1localhost$2").replace(/[?&]$/, ""), socketDir: decodeURIComponent(match[2]!) };
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
