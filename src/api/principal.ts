import type { Scope } from "../core/token/index.js";

/**
 * Who a request acts for: an API key of one tenant, with its scopes, or a person signed in to
 * the console by single sign-on (keyId `sso:<subject>`, keyName their e-mail or name, and the
 * provider's identifiers in `sso`).
 */
export interface Principal {
  keyId: string;
  keyName: string;
  tenant: string;
  scopes: readonly Scope[];
  /** Set for single sign-on: the OpenID provider's issuer and the person's subject there. */
  sso?: { issuer: string; subject: string };
}

/**
 * The actor of the audit records a principal's requests make: `api_key:<id>` for a key,
 * `sso:<e-mail or name>` for a person, so a record names who looked (PCI DSS 10.2.1, 10.2.2).
 */
export function actorOf(p: Principal): string {
  return p.sso ? `sso:${p.keyName}` : `api_key:${p.keyId}`;
}

/** The principal as custody and admin records name it: the actor and, in brackets, the key's name or the person's subject. */
export function actorWithName(p: Principal): string {
  return p.sso ? `sso:${p.keyName} (${p.sso.subject})` : `api_key:${p.keyId} (${p.keyName})`;
}
