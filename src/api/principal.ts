import type { Scope } from "../core/token/index.js";

/**
 * Who a request acts for: an API key of one tenant, with its scopes, or a person signed in to
 * the console by single sign-on (keyId `sso:<subject>`, keyName their e-mail or name, and the
 * provider's identifiers in `sso`), or a webhook source whose deliveries are charged to a rate
 * (keyId `webhook:<source>`: the source's secret is its key; `webhook` names the source).
 */
export interface Principal {
  keyId: string;
  keyName: string;
  tenant: string;
  scopes: readonly Scope[];
  /** Set for single sign-on: the OpenID provider's issuer and the person's subject there. */
  sso?: { issuer: string; subject: string };
  /** Set for a webhook source: its name. */
  webhook?: string;
}

/**
 * The actor of the audit records a principal's requests make: `api_key:<id>` for a key,
 * `sso:<e-mail or name>` for a person, `webhook:<source>` for a webhook source, so a record
 * names who looked (PCI DSS 10.2.1, 10.2.2).
 */
export function actorOf(p: Principal): string {
  if (p.webhook !== undefined) return `webhook:${p.webhook}`;
  return p.sso ? `sso:${p.keyName}` : `api_key:${p.keyId}`;
}

/** The principal as custody and admin records name it: the actor and, in brackets, the key's name or the person's subject. */
export function actorWithName(p: Principal): string {
  if (p.webhook !== undefined) return `webhook:${p.webhook}`;
  return p.sso ? `sso:${p.keyName} (${p.sso.subject})` : `api_key:${p.keyId} (${p.keyName})`;
}
