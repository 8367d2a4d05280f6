/**
 * What a refused single sign-on means to the person on the sign-in page, and what to do, by
 * the server's code (src/api/console/sso-error.ts). The details stay in the server's log.
 */
export const SSO_ERRORS: Record<string, string> = {
  SSO_NOT_CONFIGURED: "Single sign-on is not set up on this server. Sign in with an API key, or ask your administrator to configure it.",
  SSO_PROVIDER_UNAVAILABLE: "Your identity provider could not be reached. Try again in a moment; if it persists, tell your administrator.",
  SSO_PROVIDER_REFUSED: "Your identity provider did not complete the sign-in (it was cancelled or refused there). Try again, or ask your administrator for access.",
  SSO_STATE_INVALID: "That sign-in could not be matched to this browser (it expired, was already used, or was altered). Start again with Sign in with SSO.",
  SSO_TOKEN_INVALID: "Your identity provider's answer failed its security checks, so no session was opened. Try again; if it persists, tell your administrator.",
  SSO_NO_TENANT: "Your account is not assigned to a sealtrail tenant (or to more than one). Ask your administrator to set the tenant claim for your account.",
  SSO_NO_SCOPE: "Your account has no sealtrail permissions. Ask your administrator to add you to a group that grants access to the console.",
};

/** The message for a code from the address bar; an unknown code still says something useful. */
export function ssoErrorMessage(code: string): string {
  return SSO_ERRORS[code] ?? "Single sign-on did not complete. Try again, or sign in with an API key.";
}
