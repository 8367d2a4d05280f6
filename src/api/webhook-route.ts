import type { IncomingMessage, ServerResponse } from "node:http";
import type { WebhookSource } from "../config/index.js";
import { receiveWebhook } from "../ingest/webhooks/index.js";
import { readBody, sendJson } from "./http-io.js";
import type { ServerOptions } from "./server-options.js";

export type WebhookRoute = (req: IncomingMessage, res: ServerResponse, source: string) => Promise<void>;

/** POST /hooks/:source: a webhook source's deliveries, onto the ingest queue. */
export function webhookRoute(options: ServerOptions): WebhookRoute {
  // Log names a webhook source writes to, once seen to exist (logs are never deleted).
  const knownLogs = new Set<string>();
  const webhookDeps = options.ingest && {
    sources: options.webhooks ?? new Map<string, WebhookSource>(),
    queue: options.ingest.queue,
    maxPayloadBytes: options.ingest.maxPayloadBytes,
    maxBatchEvents: options.ingest.maxBatchEvents,
    logExists: async (name: string) => {
      if (knownLogs.has(name)) return true;
      const exists = await options.writer.logExists(name);
      if (exists) knownLogs.add(name);
      return exists;
    },
  };

  return async (req, res, source) => {
    // An unknown source is answered before its body is read.
    if (!options.webhooks?.has(source)) return sendJson(res, 404, { error: { code: "UNKNOWN_SOURCE", message: `no webhook source named ${JSON.stringify(source)}` } });
    if (!webhookDeps) return sendJson(res, 503, { error: { code: "QUEUE_UNAVAILABLE", message: "this server has no ingest queue" } });
    const body = req.method === "POST" ? await readBody(req, options.config.maxBodyBytes) : Buffer.alloc(0);
    const response = await receiveWebhook(webhookDeps, { source, method: req.method ?? "", headers: req.headers, body });
    if (response.status === 405) res.setHeader("allow", "POST");
    sendJson(res, response.status, response.body);
  };
}
