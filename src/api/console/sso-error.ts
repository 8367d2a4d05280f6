import { SealtrailError } from "../../core/errors.js";

/**
 * Why a single sign-on did not open a session. The sign-in page names the problem and what to
 * do from the code alone (console/src/pages/sso-errors.ts); the message, with details, goes to
 * the server's log only.
 */
export type SsoErrorCode =
  /** Single sign-on is not configured on this server. */
  | "SSO_NOT_CONFIGURED"
  /** The provider could not be reached, or its discovery document or keys were unusable. */
  | "SSO_PROVIDER_UNAVAILABLE"
  /** The provider answered the sign-in with an error (the person cancelled, or was refused). */
  | "SSO_PROVIDER_REFUSED"
  /** No sign-in was started in this browser, it expired, or its state did not match (a forged or replayed answer). */
  | "SSO_STATE_INVALID"
  /** The code exchange or the ID token failed its checks (signature, issuer, audience, expiry, nonce). */
  | "SSO_TOKEN_INVALID"
  /** The claims do not say the tenant, or say several. */
  | "SSO_NO_TENANT"
  /** The claims map to no scope of sealtrail. */
  | "SSO_NO_SCOPE";

export class SsoError extends SealtrailError<SsoErrorCode> {}
