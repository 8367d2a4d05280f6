/**
 * The console's single sign-on with OpenID Connect (docs/console.md, "Single sign-on"):
 * SEALTRAIL_OIDC_ISSUER turns it on. The provider is discovered from the issuer; the console is
 * a confidential client (SEALTRAIL_OIDC_CLIENT_SECRET or _SECRET_FILE) or, without a secret, a
 * public one, and uses the authorization code flow with PKCE either way.
 *
 * Who a person acts for comes from the claims the provider vouches for, through two mappings:
 * - the tenant: the claim SEALTRAIL_OIDC_TENANT_CLAIM (default `sealtrail_tenant`); with
 *   SEALTRAIL_OIDC_TENANT_MAP (JSON, claim value → tenant) its values are translated, else the
 *   value is the tenant's name itself. The values must come to exactly one tenant;
 * - the scopes: the claim SEALTRAIL_OIDC_SCOPES_CLAIM (default `groups`); with
 *   SEALTRAIL_OIDC_SCOPE_MAP (JSON, claim value → scopes) each value grants the scopes it maps
 *   to, else only values that are sealtrail scope names count, as themselves.
 * Claim names may be dotted paths into nested claims (`realm_access.roles`).
 */
import { readFileSync } from "node:fs";
import { SCOPES, type Scope } from "../core/token/index.js";
import { ConfigError } from "./config-error.js";

/** The path the provider sends the browser back to; the redirect URL must end with it. */
export const SSO_CALLBACK_PATH = "/auth/sso/callback";

export interface OidcSetting {
  issuer: URL;
  clientId: string;
  /** Absent: a public client (token_endpoint_auth_method none), PKCE alone binds the code. */
  clientSecret: string | undefined;
  redirectUrl: URL;
  /** The OAuth scopes asked of the provider (always including openid). */
  requestScopes: string[];
  tenantClaim: string;
  /** Claim value → tenant; absent: the value is the tenant. */
  tenantMap: ReadonlyMap<string, string> | undefined;
  scopesClaim: string;
  /** Claim value → sealtrail scopes; absent: values that are scope names count as themselves. */
  scopeMap: ReadonlyMap<string, readonly Scope[]> | undefined;
}

const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const CLAIM = /^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/;

/** The setting, or undefined when SEALTRAIL_OIDC_ISSUER is unset (sign-in with API keys only). */
export function loadOidc(env: NodeJS.ProcessEnv): OidcSetting | undefined {
  const issuerText = env.SEALTRAIL_OIDC_ISSUER;
  if (!issuerText) {
    const stray = Object.keys(env).find((k) => k.startsWith("SEALTRAIL_OIDC_") && env[k]);
    if (stray) throw new ConfigError("ENV_INVALID", `${stray}: set SEALTRAIL_OIDC_ISSUER too, or single sign-on stays off`);
    return undefined;
  }
  const issuer = httpUrl(issuerText, "SEALTRAIL_OIDC_ISSUER");
  const clientId = env.SEALTRAIL_OIDC_CLIENT_ID;
  if (!clientId) throw new ConfigError("ENV_INVALID", "SEALTRAIL_OIDC_CLIENT_ID: required with SEALTRAIL_OIDC_ISSUER (the console's client id at the provider)");
  const redirectText = env.SEALTRAIL_OIDC_REDIRECT_URL;
  if (!redirectText) throw new ConfigError("ENV_INVALID", `SEALTRAIL_OIDC_REDIRECT_URL: required with SEALTRAIL_OIDC_ISSUER (the console's address followed by ${SSO_CALLBACK_PATH})`);
  const redirectUrl = httpUrl(redirectText, "SEALTRAIL_OIDC_REDIRECT_URL");
  if (redirectUrl.pathname !== SSO_CALLBACK_PATH || redirectUrl.search || redirectUrl.hash) {
    throw new ConfigError("ENV_INVALID", `SEALTRAIL_OIDC_REDIRECT_URL: got ${JSON.stringify(redirectText)}, want the console's address followed by ${SSO_CALLBACK_PATH}`);
  }
  const requestScopes = (env.SEALTRAIL_OIDC_REQUEST_SCOPES || "openid email profile").split(/[\s,]+/).filter((s) => s !== "");
  if (!requestScopes.includes("openid")) requestScopes.unshift("openid");
  return {
    issuer,
    clientId,
    clientSecret: clientSecret(env),
    redirectUrl,
    requestScopes,
    tenantClaim: claimName(env, "SEALTRAIL_OIDC_TENANT_CLAIM", "sealtrail_tenant"),
    tenantMap: jsonMap(env, "SEALTRAIL_OIDC_TENANT_MAP", (value, at) => {
      if (typeof value !== "string" || !TENANT.test(value)) throw new ConfigError("ENV_INVALID", `${at}: want a tenant name (letters, digits, . _ -, at most 64)`);
      return value;
    }),
    scopesClaim: claimName(env, "SEALTRAIL_OIDC_SCOPES_CLAIM", "groups"),
    scopeMap: jsonMap(env, "SEALTRAIL_OIDC_SCOPE_MAP", (value, at) => {
      const list = typeof value === "string" ? value.split(/[\s,]+/).filter((s) => s !== "") : value;
      if (!Array.isArray(list) || list.some((s) => !(SCOPES as readonly unknown[]).includes(s))) throw new ConfigError("ENV_INVALID", `${at}: want a list of scopes, some of ${SCOPES.join(", ")}`);
      return SCOPES.filter((s) => (list as unknown[]).includes(s));
    }),
  };
}

/**
 * An http(s) URL. Plain http only on a loopback address: the provider's answers and the code
 * travel over it, so anything else must be HTTPS (OAuth 2.0 Security BCP, RFC 9700 §2.6).
 */
function httpUrl(text: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new ConfigError("ENV_INVALID", `${name}: got ${JSON.stringify(text)}, want an https URL`, { cause: error });
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname))) return url;
  throw new ConfigError("ENV_INVALID", `${name}: got ${JSON.stringify(text)}, want an https URL (http only on localhost or a loopback address)`);
}

export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function clientSecret(env: NodeJS.ProcessEnv): string | undefined {
  const inline = env.SEALTRAIL_OIDC_CLIENT_SECRET;
  const file = env.SEALTRAIL_OIDC_CLIENT_SECRET_FILE;
  if (inline && file) throw new ConfigError("ENV_INVALID", "SEALTRAIL_OIDC_CLIENT_SECRET and SEALTRAIL_OIDC_CLIENT_SECRET_FILE: set one, not both");
  if (!file) return inline || undefined;
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch (error) {
    throw new ConfigError("FILE", `SEALTRAIL_OIDC_CLIENT_SECRET_FILE: ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}

function claimName(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const text = env[name] || fallback;
  if (!CLAIM.test(text)) throw new ConfigError("ENV_INVALID", `${name}: got ${JSON.stringify(text)}, want a claim name (a dotted path for a nested claim)`);
  return text;
}

function jsonMap<T>(env: NodeJS.ProcessEnv, name: string, each: (value: unknown, at: string) => T): ReadonlyMap<string, T> | undefined {
  const text = env[name];
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError("ENV_INVALID", `${name}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ConfigError("ENV_INVALID", `${name}: want a JSON object of claim value → mapping`);
  return new Map(Object.entries(parsed).map(([key, value]) => [key, each(value, `${name}: ${JSON.stringify(key)}`)]));
}
