import net from "node:net";
import postgres from "postgres";
import { LedgerError } from "./errors.js";

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
 * A postgres.js pool bound to one ledger schema. Over TCP, sockets get TCP_NODELAY: with Nagle
 * on, every COPY round trip stalls ~40–55 ms (STACK.md). bigint columns come back as JS
 * numbers: seqs and sizes stay far below 2^53.
 */
export function connect(options: DbOptions): Sql {
  const url = new URL(options.url);
  const overTcp = !url.searchParams.has("host") && !url.hostname.startsWith("%2F") && url.hostname !== "";
  const connection: Record<string, string> = {
    search_path: options.schema,
    application_name: options.applicationName ?? "sealtrail",
    TimeZone: "UTC",
  };
  if (options.role) connection.role = options.role;
  return postgres(options.url, {
    max: options.max ?? 4,
    onnotice: () => {},
    connection,
    types: {
      bigint: { to: 20, from: [20], serialize: (x: number | bigint) => x.toString(), parse: (x: string) => Number(x) },
    },
    ...(overTcp ? { socket: tcpNoDelay } : {}),
  }) as unknown as Sql;
}

function tcpNoDelay(options: { host: string[]; port: number[] }): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options.port[0] ?? 5432, options.host[0] ?? "127.0.0.1");
    socket.setNoDelay(true);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** A schema name safe to interpolate as an identifier. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new LedgerError("INVALID_INPUT", `schema name: got ${JSON.stringify(schema)}, want lower-case letters, digits and _`);
  }
  return schema;
}
