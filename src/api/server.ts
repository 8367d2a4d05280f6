/**
 * The HTTP server of sealtrail. It answers the health checks of orchestrators and load
 * balancers: GET /healthz is 200 when the ledger's database answers and its tables are
 * there, 503 otherwise (with the reason, never a stack trace or SQL).
 */
import { createServer, type Server } from "node:http";
import type { Sql } from "../ledger/db.js";

export interface ServerOptions {
  sql: Sql;
  schema: string;
  version: string;
}

export function createApiServer(options: ServerOptions): Server {
  return createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(body) + "\n");
    };
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== "/healthz") return send(404, { error: "NOT_FOUND" });
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, { error: "METHOD_NOT_ALLOWED" });
    health(options).then(
      (status) => send(status.ok ? 200 : 503, status),
      () => send(503, { ok: false, reason: "health check failed" }),
    );
  });
}

async function health({ sql, schema, version }: ServerOptions): Promise<{ ok: boolean; version: string; schema: string; reason?: string }> {
  try {
    // Touches the ledger's tables; as the reader role with no tenant set, it sees no rows.
    await sql`select 1 from logs limit 1`;
    return { ok: true, version, schema };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return { ok: false, version, schema, reason: code === "42P01" ? "ledger tables missing: run sealtrail migrate" : "database unavailable" };
  }
}
