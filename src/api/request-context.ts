import { randomUUID } from "node:crypto";
import type { ApiContext } from "./context.js";
import type { Principal } from "./principal.js";
import type { ServerOptions } from "./server-options.js";

/** A new request's context: its own id, row count and (with a principal) its own transaction. */
export function newRequestContext(options: ServerOptions, principal: Principal | undefined): ApiContext {
  const { config, integrity } = options;
  if (!integrity) throw new Error("newRequestContext: the server's ReadIntegrity is missing (createApiServer makes it)");
  return {
    integrity,
    deadline: { at: Date.now() + config.requestTimeoutMs, limitMs: config.requestTimeoutMs },
    requestId: randomUUID(),
    principal,
    db: principal ? options.store.tenantView(principal.tenant, config.timeoutMs) : undefined,
    rows: { count: 0 },
    admin: { writer: options.writer, originPrefix: options.originPrefix },
    maxPageSize: config.maxPageSize,
    ...(options.ingest ? { ingest: options.ingest } : {}),
    ...(options.evidence ? { evidence: options.evidence } : {}),
    searchTailMax: config.searchTailMax,
    ...(options.verifierPublicKey ? { verifierPublicKey: options.verifierPublicKey } : {}),
  };
}
