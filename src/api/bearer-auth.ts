import type { LedgerStore } from "../ledger/index.js";
import { ApiError } from "./api-error.js";
import type { Principal } from "./principal.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./http-io.js";

/**
 * The principal of an `Authorization: Bearer <token>` value or, given the request, of the
 * console's session cookie (console/session-auth.ts); ApiError UNAUTHENTICATED otherwise.
 */
export type Authenticate = (authorization: string | undefined, req?: IncomingMessage) => Promise<Principal>;

export function bearerAuthenticator(writer: LedgerStore): Authenticate {
  return async (authorization) => {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "");
    if (!match) throw new ApiError("UNAUTHENTICATED", "an API key is needed: Authorization: Bearer <token>");
    const key = await writer.findApiKeyByToken(match[1]!);
    if (!key) throw new ApiError("UNAUTHENTICATED", "the API key is unknown or revoked");
    return { keyId: key.id, keyName: key.name, tenant: key.tenant, scopes: key.scopes };
  };
}

/**
 * The principal of a plain HTTP route's request, or undefined after answering 401 with a
 * Bearer challenge (RFC 6750 §3) and the error as JSON.
 */
export async function principalOr401(authenticate: Authenticate, req: IncomingMessage, res: ServerResponse): Promise<Principal | undefined> {
  try {
    return await authenticate(req.headers.authorization, req);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === "FORBIDDEN") return void sendJson(res, 403, { error: error.code, message: error.message });
    res.setHeader("www-authenticate", 'Bearer realm="sealtrail"');
    sendJson(res, 401, { error: error.code, message: error.message });
    return undefined;
  }
}
