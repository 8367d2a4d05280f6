import { randomUUID } from "node:crypto";
import { withArchive } from "../ledger/index.js";
import type { ApiContext } from "./context.js";
import type { Principal } from "./principal.js";
import type { ServerOptions } from "./server-options.js";

/**
 * A new request's context: its own id, row count and (with a principal) its own transaction.
 * The transaction's store reads a log's archived prefix from the archive where the tables no
 * longer hold it (withArchive): a verified read of an archived entry hashes its leaf up with
 * the archived leaves beside it, which the tree's stored levels do not keep (docs/operations.md,
 * "Retention and the archive"). Reads of hot entries are unchanged.
 */
export function newRequestContext(options: ServerOptions, principal: Principal | undefined): ApiContext {
  const { config, integrity } = options;
  if (!integrity) throw new Error("newRequestContext: the server's ReadIntegrity is missing (createApiServer makes it)");
  return {
    integrity,
    deadline: { at: Date.now() + config.requestTimeoutMs, limitMs: config.requestTimeoutMs },
    requestId: randomUUID(),
    principal,
    db: principal ? withArchive(options.store).tenantView(principal.tenant, config.timeoutMs) : undefined,
    rows: { count: 0 },
    admin: { writer: options.writer, originPrefix: options.originPrefix },
    maxPageSize: config.maxPageSize,
    ...(options.ingest ? { ingest: options.ingest } : {}),
    ...(options.evidence ? { evidence: options.evidence } : {}),
    searchTailMax: config.searchTailMax,
    ...(options.verifierPublicKey ? { verifierPublicKey: options.verifierPublicKey } : {}),
  };
}
