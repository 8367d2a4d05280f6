import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./http-io.js";
import type { ReadLogMetrics } from "./read-log.js";
import type { ServerOptions } from "./server-options.js";

/** GET /healthz: 200 when the ledger's database answers and its tables are there, 503 otherwise. */
export function healthz(req: IncomingMessage, res: ServerResponse, options: ServerOptions, readLog: () => ReadLogMetrics & { pending: number }): void {
  if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 405, { error: "METHOD_NOT_ALLOWED" });
  health(options).then(
    // The read log's counters ride along: records reduced or lost are an alert, whatever the database says.
    (status) => sendJson(res, status.ok ? 200 : 503, { ...status, readLog: readLog() }),
    () => sendJson(res, 503, { ok: false, reason: "health check failed" }),
  );
}

async function health({ writer, schema, version }: ServerOptions): Promise<{ ok: boolean; version: string; schema: string; reason?: string }> {
  const state = await writer.health();
  if (state === "ok") return { ok: true, version, schema };
  return { ok: false, version, schema, reason: state === "tables missing" ? "ledger tables missing: run sealtrail migrate" : "database unavailable" };
}
