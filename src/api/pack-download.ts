import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { hasScope } from "../core/token/index.js";
import { packArchivePath } from "../packs/evidence-job.js";
import { packJobStatus } from "../packs/evidence-queue.js";
import { type Authenticate, principalOr401 } from "./bearer-auth.js";
import { sendJson } from "./http-io.js";
import { chargedOr429 } from "./http-rate.js";
import type { ReadRecorder } from "./read-log.js";
import { limiterFor } from "./request-limiter.js";
import type { ServerOptions } from "./server-options.js";

export type PackDownloadRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/**
 * GET /packs/<request id>.tar.gz: a finished pack of the key's tenant, with the same bearer
 * key and scope (packs:create) as the request. Errors are JSON with a code; the download is
 * recorded in the read log like any other access to the audit trail (PCI DSS 10.2.1.3). Each
 * request is charged to the key's rate, as its GraphQL requests are (429 past it).
 */
export function packDownloadRoute(options: ServerOptions, authenticate: Authenticate, recorder: ReadRecorder): PackDownloadRoute {
  const limiter = options.limiter ?? limiterFor(options.config);
  return async (req, res, url) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return sendJson(res, 405, { error: "METHOD_NOT_ALLOWED", message: `method ${req.method} not allowed: use GET` });
    }
    const evidence = options.evidence;
    if (!evidence) return sendJson(res, 404, { error: "NOT_FOUND", message: "evidence packs are not enabled on this server" });
    const principal = await principalOr401(authenticate, req, res);
    if (!principal) return;
    if (!chargedOr429(limiter, principal, res, "evidencePackDownload", `${req.method} ${url.pathname}`)) return;
    const record = (outcome: "success" | "failure", code?: string) =>
      recorder.record({
        requestId: randomUUID(), principal, at: new Date(), operation: null, fields: ["evidencePackDownload"],
        query: `${req.method} ${url.pathname}`, variables: null, rows: outcome === "success" ? 1 : 0, outcome, transport: "http",
        ...(code ? { errors: [code] } : {}),
      });
    // A refused download is an access attempt on the audit trail too: recorded as a failure (PCI DSS 10.2.1.3, 10.2.1.4).
    const refuse = (status: number, body: { error: string; message: string } & Record<string, unknown>) => {
      record("failure", body.error);
      sendJson(res, status, body);
    };
    if (!hasScope(principal.scopes, "packs:create")) return refuse(403, { error: "FORBIDDEN", message: "downloading a pack needs scope packs:create" });
    const id = /^\/packs\/([0-9a-f-]{36})\.tar\.gz$/.exec(url.pathname)?.[1];
    const status = id === undefined ? undefined : await packJobStatus(evidence.queue, principal.tenant, id).catch(() => null);
    if (status === null) return refuse(503, { error: "SERVICE_UNAVAILABLE", message: "the evidence queue is unavailable" });
    // Another tenant's pack answers exactly like one that does not exist.
    if (!status) return refuse(404, { error: "NOT_FOUND", message: "no such pack" });
    if (status.status !== "COMPLETED" || !status.result) return refuse(409, { error: "NOT_READY", message: `the pack is ${status.status.toLowerCase()}`, status: status.status, progress: status.progress.percent });
    const file = packArchivePath(evidence.packDir, principal.tenant, status.id);
    const info = await stat(file).catch(() => undefined);
    if (!info) return refuse(410, { error: "GONE", message: "the pack's archive is no longer on this server" });
    res.writeHead(200, {
      "content-type": "application/gzip",
      "content-length": String(info.size),
      "content-disposition": `attachment; filename="sealtrail-${status.data.request.framework}-${status.result.packId}.tar.gz"`,
      "x-sealtrail-pack-id": status.result.packId,
      "x-sealtrail-sha256": status.result.sha256,
      "cache-control": "no-store",
    });
    record("success");
    if (req.method === "HEAD") return void res.end();
    createReadStream(file).on("error", () => res.destroy()).pipe(res);
  };
}
