import type { LedgerStore } from "../ledger/store.js";
import { ApiError } from "./api-error.js";
import type { Principal } from "./principal.js";

/** The principal of an `Authorization: Bearer <token>` value; ApiError UNAUTHENTICATED otherwise. */
export type Authenticate = (authorization: string | undefined) => Promise<Principal>;

export function bearerAuthenticator(writer: LedgerStore): Authenticate {
  return async (authorization) => {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "");
    if (!match) throw new ApiError("UNAUTHENTICATED", "an API key is needed: Authorization: Bearer <token>");
    const key = await writer.findApiKeyByToken(match[1]!);
    if (!key) throw new ApiError("UNAUTHENTICATED", "the API key is unknown or revoked");
    return { keyId: key.id, keyName: key.name, tenant: key.tenant, scopes: key.scopes };
  };
}
