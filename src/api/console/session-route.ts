import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "../api-error.js";
import type { Authenticate } from "../bearer-auth.js";
import { readBody, sendJson } from "../http-io.js";
import type { Principal } from "../principal.js";
import type { ReadRecorder } from "../read-log.js";
import { clientAddress } from "./client-address.js";
import type { SignInLimiter } from "./sign-in-limiter.js";
import type { SignInRefusals } from "./sign-in-refusals.js";
import { recordSessionEvent } from "./sign-in-record.js";
import { sameOrigin } from "./session-auth.js";
import { clearedSessionCookie, type ConsoleSessions, DEFAULT_SESSION_LIMITS, sessionCookie, sessionIdOf, type SignOutAtProvider } from "./sessions.js";

export const SESSION_PATH = "/auth/session";

/**
 * /auth/session, the console's sign-in with an API key:
 * - POST {"token": "sealtrail_…"} (application/json, same origin): the key is checked and
 *   exchanged for a session cookie; the token itself never reaches a cookie or storage;
 * - GET: who the session acts for (tenant, key, scopes), 401 without one;
 * - DELETE: signs the session out (the id is forgotten on the server) and clears the cookie;
 *   204, or, for a session opened by single sign-on whose provider advertises an
 *   end_session_endpoint, 200 {"endSessionUrl"}: the console sends the browser there, so the
 *   person is signed out at the provider too (OpenID Connect RP-Initiated Logout 1.0).
 * Requiring a JSON body makes a cross-site form post impossible without a CORS preflight,
 * which this server never grants. A sign-in and a sign-out are recorded in the tenant's audit
 * log (`console.signin`, `console.signout`); a token that names no key has no tenant to record
 * it for, and goes to the server's log. Sign-ins are bounded per client address before the key
 * is looked up (sign-in-limiter.ts): past the bound 429 RATE_LIMITED with Retry-After (RFC 6585
 * §4), written to the server's log (sign-in-refusals.ts).
 */
export interface SignInGate {
  limiter: SignInLimiter;
  refusals: SignInRefusals;
}

export function sessionRoute(sessions: ConsoleSessions, bearer: Authenticate, authenticate: Authenticate, recorder: Pick<ReadRecorder, "record">, log: (message: string) => void, gate: SignInGate, signOutAtProvider?: SignOutAtProvider) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const secure = isHttps(req);
    if (!sameOrigin(req)) return sendJson(res, 403, { error: "FORBIDDEN", message: "sign in from the console's own origin" });
    if (req.method === "GET") return whoAmI(req, res, authenticate);
    if (req.method === "DELETE") {
      const id = sessionIdOf(req.headers.cookie);
      // Who is leaving, read before the session is forgotten: a session already ended or
      // expired names no one, and its sign-out only clears the cookie.
      const leaving = id ? await authenticate(undefined, req).catch((error: unknown) => {
        if (error instanceof ApiError) return undefined;
        throw error;
      }) : undefined;
      const grant = id ? sessions.revoke(id) : undefined;
      if (leaving && grant) recordSessionEvent(recorder, leaving, "console.signout", "success");
      const atProvider = grant && signOutAtProvider ? await signOutAtProvider(grant, req) : undefined;
      if (atProvider) {
        res.setHeader("set-cookie", [clearedSessionCookie(secure), atProvider.cookie]);
        return sendJson(res, 200, { endSessionUrl: atProvider.url.href });
      }
      res.setHeader("set-cookie", clearedSessionCookie(secure));
      res.writeHead(204, { "cache-control": "no-store" });
      return void res.end();
    }
    if (req.method !== "POST") {
      res.setHeader("allow", "GET, POST, DELETE");
      return sendJson(res, 405, { error: "METHOD_NOT_ALLOWED", message: `method ${req.method} not allowed` });
    }
    if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
      return sendJson(res, 415, { error: "BAD_REQUEST", message: 'send {"token": "…"} as application/json' });
    }
    const token = tokenOf(await readBody(req, 4096));
    if (!token) return sendJson(res, 400, { error: "BAD_REQUEST", message: 'send {"token": "…"}: the API key to sign in with' });
    const address = clientAddress(req);
    const waitMs = gate.limiter.admit(address);
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      gate.refusals.note(address, seconds);
      res.setHeader("retry-after", String(seconds));
      return sendJson(res, 429, { error: "RATE_LIMITED", message: `too many sign-ins from this address; retry in ${seconds} s` });
    }
    let principal: Principal;
    try {
      principal = await bearer(`Bearer ${token}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      log(`console sign-in refused (${error.code}) from ${address}`);
      return sendJson(res, 401, { error: error.code, message: error.message });
    }
    gate.limiter.signedIn(address);
    const id = sessions.open({ kind: "api-key", token });
    recordSessionEvent(recorder, principal, "console.signin", "success");
    res.setHeader("set-cookie", sessionCookie(id, secure, Math.floor(DEFAULT_SESSION_LIMITS.maxAgeMs / 1000)));
    sendJson(res, 200, describe(principal, "api-key"));
  };
}

async function whoAmI(req: IncomingMessage, res: ServerResponse, authenticate: Authenticate): Promise<void> {
  if (!sessionIdOf(req.headers.cookie)) return sendJson(res, 401, { error: "UNAUTHENTICATED", message: "not signed in" });
  try {
    const principal = await authenticate(undefined, req);
    sendJson(res, 200, describe(principal, principal.sso ? "sso" : "api-key"));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    sendJson(res, 401, { error: error.code, message: error.message });
  }
}

function describe(p: Principal, method: "api-key" | "sso") {
  return { tenant: p.tenant, name: p.keyName, scopes: p.scopes, method };
}

function tokenOf(body: Buffer | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { token?: unknown };
    return typeof parsed.token === "string" && /^\S{1,512}$/.test(parsed.token) ? parsed.token : undefined;
  } catch {
    return undefined;
  }
}

export function isHttps(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true || req.headers["x-forwarded-proto"] === "https";
}
