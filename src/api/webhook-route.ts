import type { IncomingMessage, ServerResponse } from "node:http";
import type { WebhookSource } from "../config/index.js";
import { receiveWebhook } from "../ingest/webhooks/index.js";
import { ApiError } from "./api-error.js";
import { readBody, sendJson } from "./http-io.js";
import type { Principal } from "./principal.js";
import { limiterFor } from "./request-limiter.js";
import type { ServerOptions } from "./server-options.js";

export type WebhookRoute = (req: IncomingMessage, res: ServerResponse, source: string) => Promise<void>;

/**
 * POST /hooks/:source: a webhook source's deliveries, onto the ingest queue. A source's secret
 * is its key: each signed delivery is charged to the source's rate (the per-key rate, a bucket
 * of its own per source), past it refused 429 RATE_LIMITED with Retry-After and recorded in
 * the audit log of its log's tenant as other refusals are (refusal-log.ts).
 */
export function webhookRoute(options: ServerOptions): WebhookRoute {
  // Log names a webhook source writes to, once seen to exist (logs are never deleted).
  const knownLogs = new Set<string>();
  // The tenant of each source's log, once read (a log keeps its tenant).
  const tenants = new Map<string, string>();
  const limiter = options.limiter ?? limiterFor(options.config);
  const admit = async (source: WebhookSource): Promise<number> => {
    let tenant = tenants.get(source.log);
    if (tenant === undefined) {
      tenant = (await options.writer.tileLogState(source.log))?.tenant;
      // A source naming no log is refused as misconfigured further on; nothing to charge.
      if (tenant === undefined) return 0;
      tenants.set(source.log, tenant);
    }
    const principal: Principal = { keyId: `webhook:${source.name}`, keyName: source.name, tenant, scopes: [], webhook: source.name };
    try {
      limiter.charge(principal, { transport: "http", query: `POST /hooks/${source.name}`, fields: ["webhook"], access: "write" });
      return 0;
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "RATE_LIMITED") throw error;
      return Number(error.extensions.retryAfter ?? 1);
    }
  };
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
    admit,
  };

  return async (req, res, source) => {
    // An unknown source is answered before its body is read.
    if (!options.webhooks?.has(source)) return sendJson(res, 404, { error: { code: "UNKNOWN_SOURCE", message: `no webhook source named ${JSON.stringify(source)}` } });
    if (!webhookDeps) return sendJson(res, 503, { error: { code: "QUEUE_UNAVAILABLE", message: "this server has no ingest queue" } });
    const body = req.method === "POST" ? await readBody(req, options.config.maxBodyBytes) : Buffer.alloc(0);
    const response = await receiveWebhook(webhookDeps, { source, method: req.method ?? "", headers: req.headers, body });
    if (response.status === 405) res.setHeader("allow", "POST");
    if (response.retryAfter !== undefined) res.setHeader("retry-after", String(response.retryAfter));
    sendJson(res, response.status, response.body);
  };
}
