/**
 * The console's single sign-on routes (docs/console.md, "Single sign-on"):
 * - GET /auth/sso: whether it is configured, for the sign-in page's button (public);
 * - GET /auth/sso/login: starts a sign-in: a fresh state, nonce and PKCE verifier are held on
 *   the server under a random id in a short-lived cookie, and the browser is sent to the provider;
 * - GET /auth/sso/callback: the provider's answer. The pending sign-in is taken (once: a
 *   replayed answer finds none), the state compared, the code exchanged and the ID token checked
 *   (sso-flow.ts); the claims mapped to a tenant and scopes (sso-claims.ts) open the same kind of
 *   session as an API key does: same cookie, same CSRF defences, same sign-out.
 * - GET /auth/sso/logged-out: where the provider sends the browser back after a sign-out that
 *   went on there (RP-Initiated Logout 1.0 §3): the state is compared with the one this browser
 *   was sent with, and the sign-in page says the person is signed out at the provider too.
 * A refusal returns to the sign-in page with its code (`/?sso_error=CODE`), which the page
 * explains; the details go to the server's log.
 *
 * The pending cookie is SameSite=Lax, not Strict: the provider's redirect back is a cross-site
 * navigation, and a Strict cookie would not come with it. It carries no authority by itself: it
 * only ties the answer to the browser that asked (login CSRF, RFC 6749 §10.12).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type OidcSetting, SSO_CALLBACK_PATH } from "../../config/index.js";
import { sendJson } from "../http-io.js";
import { isHttps } from "./session-route.js";
import { recordSessionEvent } from "./sign-in-record.js";
import { type ConsoleSessions, DEFAULT_SESSION_LIMITS, type SignOutAtProvider, sessionCookie } from "./sessions.js";
import type { ReadRecorder } from "../read-log.js";
import type { Principal } from "../principal.js";
import { type Claims, personOf, principalOf } from "./sso-claims.js";
import { SsoError } from "./sso-error.js";
import { OidcRelyingParty, type PendingSignIn } from "./sso-flow.js";

export const SSO_PATH = /^\/auth\/sso(\/login|\/callback|\/logged-out)?$/;
/** Where the provider sends the browser back after a sign-out (its post_logout_redirect_uri, to register there). */
export const SSO_LOGGED_OUT_PATH = "/auth/sso/logged-out";
const PENDING_COOKIE = "sealtrail_sso";
/** The state of a sign-out sent on to the provider, until the browser comes back. */
const LOGOUT_COOKIE = "sealtrail_sso_out";
/** How long the person has at the provider to sign in. */
const PENDING_MS = 10 * 60_000;
/** Most sign-ins pending at once; the oldest is dropped past it (a flood cannot grow memory). */
const MAX_PENDING = 10_000;

interface Pending extends PendingSignIn {
  expiresAt: number;
}

export function ssoRoute(setting: OidcSetting | undefined, sessions: ConsoleSessions, recorder: Pick<ReadRecorder, "record">, log: (message: string) => void, now: () => number = Date.now) {
  const party = setting ? new OidcRelyingParty(setting) : undefined;
  const pending = new Map<string, Pending>();
  const signOutAtProvider: SignOutAtProvider = async (grant, req) => {
    if (!party || grant.kind !== "sso") return undefined;
    const state = randomBytes(32).toString("base64url");
    const url = await party.endSessionUrl(grant.idToken, new URL(SSO_LOGGED_OUT_PATH, party.setting.redirectUrl), state);
    if (!url) return undefined;
    log(`sso: ${grant.principal.keyName} (subject ${grant.subject}) signed out; ending the session at the provider too`);
    return { url, cookie: logoutCookie(state, party.setting.redirectUrl.protocol === "https:" || isHttps(req), PENDING_MS / 1000) };
  };
  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    res.setHeader("cache-control", "no-store");
    res.setHeader("referrer-policy", "no-referrer");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET");
      return sendJson(res, 405, { error: "METHOD_NOT_ALLOWED", message: `method ${req.method} not allowed` });
    }
    if (url.pathname === "/auth/sso") return sendJson(res, 200, { enabled: party !== undefined });
    const secure = setting?.redirectUrl.protocol === "https:" || isHttps(req);
    if (url.pathname === SSO_LOGGED_OUT_PATH) {
      // The console's session ended before the browser left; the state only tells whether this
      // is the answer to the sign-out this browser started (§3: the RP checks the state).
      const expected = cookieValue(req.headers.cookie, LOGOUT_COOKIE);
      const confirmed = expected !== undefined && sameText(url.searchParams.get("state") ?? "", expected);
      res.setHeader("set-cookie", logoutCookie("", secure, 0));
      res.writeHead(303, { location: confirmed ? "/?sso_signed_out=1" : "/" });
      return void res.end();
    }
    try {
      if (!party) throw new SsoError("SSO_NOT_CONFIGURED", "single sign-on is not configured (SEALTRAIL_OIDC_ISSUER)");
      if (url.pathname === "/auth/sso/login") {
        const started = await party.start();
        const id = randomBytes(32).toString("base64url");
        pending.set(id, { ...started.pending, expiresAt: now() + PENDING_MS });
        while (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!);
        res.setHeader("set-cookie", pendingCookie(id, secure, PENDING_MS / 1000));
        res.writeHead(302, { location: started.url.href });
        return void res.end();
      }
      const held = take(pending, req.headers.cookie, now());
      const state = url.searchParams.get("state") ?? "";
      if (!held || !sameText(state, held.state)) throw new SsoError("SSO_STATE_INVALID", held ? "the answer's state is not the one this browser was sent with" : "no sign-in pending in this browser (none started, expired, or already used)");
      // The URL the provider sent the browser to, as configured (a proxy may have rewritten the host).
      const callback = new URL(`${SSO_CALLBACK_PATH}${url.search}`, party.setting.redirectUrl);
      const { claims, issuer, idToken } = await party.finish(callback, held);
      const principal = mapped(claims, party.setting, issuer, recorder);
      // The ID token stays on the server, the hint of a later sign-out at the provider.
      const id = sessions.open({ kind: "sso", principal, subject: principal.sso!.subject, idToken });
      log(`sso: ${principal.keyName} (subject ${principal.sso!.subject}) signed in to tenant ${principal.tenant} with ${principal.scopes.join(",")}`);
      recordSignIn(recorder, principal, "success");
      res.setHeader("set-cookie", [sessionCookie(id, isHttps(req) || secure, Math.floor(DEFAULT_SESSION_LIMITS.maxAgeMs / 1000)), pendingCookie("", secure, 0)]);
      res.writeHead(303, { location: "/overview" });
      return void res.end();
    } catch (error) {
      if (!(error instanceof SsoError)) throw error;
      log(`sso: sign-in refused: ${error.code}: ${error.message}`);
      res.setHeader("set-cookie", pendingCookie("", secure, 0));
      res.writeHead(303, { location: `/?sso_error=${error.code}` });
      return void res.end();
    }
  };
  return Object.assign(handle, { signOutAtProvider });
}

/**
 * The principal the claims map to. A person whose tenant is known but who is granted no scope
 * is refused, and the refusal recorded in that tenant's audit log (PCI DSS 10.2.1.4, invalid
 * access attempts); without a tenant there is no audit log to hold it, and the server's log does.
 */
function mapped(claims: Claims, setting: OidcSetting, issuer: string, recorder: Pick<ReadRecorder, "record">): Principal {
  try {
    return principalOf(claims, setting, issuer);
  } catch (error) {
    if (error instanceof SsoError && error.code === "SSO_NO_SCOPE") recordSignIn(recorder, personOf(claims, setting, issuer), "failure", error.code);
    throw error;
  }
}

/** A console sign-in by single sign-on, `sso.signin` in the tenant's audit log (sign-in-record.ts). */
function recordSignIn(recorder: Pick<ReadRecorder, "record">, principal: Principal, outcome: "success" | "failure", code?: string): void {
  recordSessionEvent(recorder, principal, "sso.signin", outcome, code);
}

/** The pending sign-in the browser's cookie names, removed: each is used at most once. */
function take(pending: Map<string, Pending>, cookieHeader: string | undefined, at: number): Pending | undefined {
  const id = cookieValue(cookieHeader, PENDING_COOKIE);
  if (!id) return undefined;
  const held = pending.get(id);
  pending.delete(id);
  return held && at < held.expiresAt ? held : undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      if (/^[A-Za-z0-9_-]{43}$/.test(value)) return value;
    }
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function logoutCookie(state: string, secure: boolean, maxAgeSeconds: number): string {
  return `${LOGOUT_COOKIE}=${state}; Path=/auth/sso; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}

function pendingCookie(id: string, secure: boolean, maxAgeSeconds: number): string {
  return `${PENDING_COOKIE}=${id}; Path=/auth/sso; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}
