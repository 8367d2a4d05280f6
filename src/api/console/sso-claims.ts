/**
 * From the claims a provider vouched for to the principal a console session acts for, through
 * the configured mappings (src/config/oidc.ts). Refuses rather than guesses: no tenant, several
 * tenants, or no scope is an SsoError naming the claim to fix at the provider.
 */
import type { OidcSetting } from "../../config/index.js";
import { SCOPES, type Scope } from "../../core/token/index.js";
import type { Principal } from "../principal.js";
import { SsoError } from "./sso-error.js";

export type Claims = Record<string, unknown>;

const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type Mappings = Pick<OidcSetting, "tenantClaim" | "tenantMap" | "scopesClaim" | "scopeMap">;

export function principalOf(claims: Claims, setting: Mappings, issuer: string): Principal {
  const person = personOf(claims, setting, issuer);
  return { ...person, scopes: scopesOf(claims, setting, person.keyName) };
}

/**
 * The person and their tenant without scopes: who a refusal for want of scopes is recorded
 * against, in that tenant's audit log. SsoError when even the tenant is not known.
 */
export function personOf(claims: Claims, setting: Mappings, issuer: string): Principal {
  const subject = typeof claims.sub === "string" ? claims.sub : "";
  if (subject === "") throw new SsoError("SSO_TOKEN_INVALID", "the ID token has no subject (sub)");
  const name = firstText(claims.email, claims.preferred_username, claims.name) ?? subject;
  return { keyId: `sso:${subject}`, keyName: name, tenant: tenantOf(claims, setting, name), scopes: [], sso: { issuer, subject } };
}

function tenantOf(claims: Claims, { tenantClaim, tenantMap }: Pick<OidcSetting, "tenantClaim" | "tenantMap">, who: string): string {
  const values = valuesAt(claims, tenantClaim);
  if (values.length === 0) throw new SsoError("SSO_NO_TENANT", `${who}: the claim ${tenantClaim} is missing or empty`);
  const tenants = new Set(values.map((v) => (tenantMap ? tenantMap.get(v) : v)).filter((t): t is string => t !== undefined && TENANT.test(t)));
  if (tenants.size === 0) throw new SsoError("SSO_NO_TENANT", `${who}: no value of the claim ${tenantClaim} maps to a tenant (${JSON.stringify(values.slice(0, 5))})`);
  if (tenants.size > 1) throw new SsoError("SSO_NO_TENANT", `${who}: the claim ${tenantClaim} maps to several tenants (${[...tenants].join(", ")}); a session acts for one`);
  return [...tenants][0]!;
}

function scopesOf(claims: Claims, { scopesClaim, scopeMap }: Pick<OidcSetting, "scopesClaim" | "scopeMap">, who: string): Scope[] {
  const values = valuesAt(claims, scopesClaim, true);
  if (values.length === 0) throw new SsoError("SSO_NO_SCOPE", `${who}: the claim ${scopesClaim} is missing or empty`);
  const granted = new Set<string>(values.flatMap((v) => (scopeMap ? [...(scopeMap.get(v) ?? [])] : [v])));
  const scopes = SCOPES.filter((s) => granted.has(s));
  if (scopes.length === 0) throw new SsoError("SSO_NO_SCOPE", `${who}: no value of the claim ${scopesClaim} maps to a scope (${JSON.stringify(values.slice(0, 5))})`);
  return scopes;
}

/**
 * The string values of a claim at a dotted path: an array of strings, or one string (a tenant's
 * claim is taken whole, "Acme Corp"; a scopes claim is split on spaces, as OAuth's `scope`
 * claim is, RFC 9068 §2.2.3); anything else counts as absent.
 */
export function valuesAt(claims: Claims, path: string, split = false): string[] {
  let at: unknown = claims;
  for (const part of path.split(".")) {
    if (typeof at !== "object" || at === null || Array.isArray(at) || !Object.hasOwn(at, part)) return [];
    at = (at as Record<string, unknown>)[part];
  }
  const list = typeof at === "string" ? (split ? at.split(" ") : [at]) : Array.isArray(at) ? at : [];
  return list.filter((v): v is string => typeof v === "string" && v !== "").slice(0, 256);
}

function firstText(...values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === "string" && v.trim() !== "" && v.length <= 256) return v.trim();
  return undefined;
}
