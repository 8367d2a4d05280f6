/**
 * The OpenID Connect relying party of the console, on openid-client (a certified
 * implementation: discovery, PKCE, the authorization response's state and iss checks, the code
 * exchange, and the ID token's signature by the provider's JWKS, iss, aud, exp, iat and nonce;
 * OpenID Connect Core 1.0 §3.1.3.7). Nothing of JOSE is done here by hand.
 *
 * The flow (RFC 6749 §4.1 with PKCE S256, RFC 7636; OAuth 2.0 Security BCP, RFC 9700 §2.1):
 * start() makes a fresh state, nonce and code verifier and the provider's authorization URL;
 * finish() takes the URL the provider sent the browser back to, with what start() made, and
 * answers the claims of the ID token, completed from the userinfo endpoint when the mapped
 * claims are not in the token (providers often keep groups there), and the ID token itself, kept
 * with the session as the hint of a later sign-out; endSessionUrl() is that sign-out's address
 * at the provider (OpenID Connect RP-Initiated Logout 1.0 §2), when it advertises one.
 */
import * as client from "openid-client";
import type { OidcSetting } from "../../config/index.js";
import { type Claims, valuesAt } from "./sso-claims.js";
import { SsoError } from "./sso-error.js";

/** What a started sign-in must be finished with; held by the server, never sent but as the state. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
}

/** Seconds the provider has to answer each request. */
const PROVIDER_TIMEOUT_S = 10;

export class OidcRelyingParty {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(readonly setting: OidcSetting) {}

  /** The provider's metadata, discovered once; a failed discovery is tried again next time. */
  private config(): Promise<client.Configuration> {
    this.configuration ??= this.discover().catch((error: unknown) => {
      this.configuration = undefined;
      throw new SsoError("SSO_PROVIDER_UNAVAILABLE", `discovery of ${this.setting.issuer.href} failed: ${describe(error)}`, { cause: error });
    });
    return this.configuration;
  }

  private discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.setting;
    // The configuration allows http only for a loopback issuer (src/config/oidc.ts).
    const execute = issuer.protocol === "http:" ? [client.allowInsecureRequests] : [];
    const options = { execute, timeout: PROVIDER_TIMEOUT_S };
    // A confidential client authenticates with client_secret_basic, the default of OpenID
    // Connect Dynamic Client Registration §2; a public one with none, and PKCE binds the code.
    return clientSecret
      ? client.discovery(issuer, clientId, { client_secret: clientSecret }, client.ClientSecretBasic(clientSecret), options)
      : client.discovery(issuer, clientId, { token_endpoint_auth_method: "none" }, client.None(), options);
  }

  async start(): Promise<{ url: URL; pending: PendingSignIn }> {
    const config = await this.config();
    const pending: PendingSignIn = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.setting.redirectUrl.href,
      scope: this.setting.requestScopes.join(" "),
      response_type: "code",
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: "S256",
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /**
   * Where to send the browser to end the person's session at the provider too: its
   * end_session_endpoint with id_token_hint (which session), client_id, post_logout_redirect_uri
   * (back to the console, registered at the provider) and state (RP-Initiated Logout 1.0 §2-3).
   * Undefined when the provider advertises no end_session_endpoint, or cannot be reached: the
   * console's own session has ended either way.
   */
  async endSessionUrl(idToken: string | undefined, postLogoutRedirect: URL, state: string): Promise<URL | undefined> {
    let config: client.Configuration;
    try {
      config = await this.config();
    } catch {
      return undefined;
    }
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(config, {
      ...(idToken ? { id_token_hint: idToken } : {}),
      client_id: this.setting.clientId,
      post_logout_redirect_uri: postLogoutRedirect.href,
      state,
    });
  }

  /** The person's claims, the issuer that vouched for them and the raw ID token; SsoError when the provider refused, or any check failed. */
  async finish(callback: URL, pending: PendingSignIn): Promise<{ claims: Claims; issuer: string; idToken: string | undefined }> {
    const config = await this.config();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw classify(error);
    }
    const idClaims = tokens.claims() as Claims | undefined;
    if (!idClaims) throw new SsoError("SSO_TOKEN_INVALID", "the provider answered without an ID token");
    const { tenantClaim, scopesClaim } = this.setting;
    const complete = valuesAt(idClaims, tenantClaim).length > 0 && valuesAt(idClaims, scopesClaim, true).length > 0;
    const issuer = config.serverMetadata().issuer;
    const idToken = tokens.id_token;
    if (complete || !config.serverMetadata().userinfo_endpoint) return { claims: idClaims, issuer, idToken };
    try {
      // The userinfo answer must be about the ID token's subject (OpenID Connect Core §5.3.2).
      const info = (await client.fetchUserInfo(config, tokens.access_token, idClaims.sub as string)) as Claims;
      return { claims: { ...info, ...idClaims }, issuer, idToken };
    } catch (error) {
      throw classify(error);
    }
  }
}

function classify(error: unknown): SsoError {
  if (error instanceof SsoError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    return new SsoError("SSO_PROVIDER_REFUSED", `the provider answered ${error.error}${error.error_description ? `: ${error.error_description}` : ""}`, { cause: error });
  }
  if (error instanceof TypeError || (error as Error)?.name === "TimeoutError" || (error as Error)?.name === "AbortError") {
    return new SsoError("SSO_PROVIDER_UNAVAILABLE", `the provider did not answer: ${describe(error)}`, { cause: error });
  }
  return new SsoError("SSO_TOKEN_INVALID", `the provider's answer failed its checks: ${describe(error)}`, { cause: error });
}

function describe(error: unknown): string {
  const e = error as { message?: string; code?: string; cause?: { message?: string; code?: string } };
  const detail = [e?.code, e?.message, e?.cause?.code, e?.cause?.message].filter((s) => typeof s === "string" && s !== "");
  return detail.join(": ") || String(error);
}
