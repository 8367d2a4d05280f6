import type { Scope } from "../core/token/index.js";

/** Who a request acts for: an API key of one tenant, with its scopes. */
export interface Principal {
  keyId: string;
  keyName: string;
  tenant: string;
  scopes: readonly Scope[];
}
