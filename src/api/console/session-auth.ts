import type { IncomingMessage } from "node:http";
import { ApiError } from "../api-error.js";
import type { Authenticate } from "../bearer-auth.js";
import type { ConsoleSessions } from "./sessions.js";
import { sessionIdOf } from "./sessions.js";

/**
 * Bearer keys first; without an Authorization header, the console's session cookie. A request
 * riding on the cookie must come from the console's own origin: SameSite=Strict already keeps
 * other sites' pages from sending it, and the Fetch Metadata (Sec-Fetch-Site) and Origin
 * headers, when the browser sends them, must say the same (a second CSRF defence that does not
 * rely on the cookie attribute alone).
 */
export function sessionAuthenticator(bearer: Authenticate, sessions: ConsoleSessions): Authenticate {
  return async (authorization, req) => {
    if (authorization !== undefined && authorization !== "") return bearer(authorization);
    const id = sessionIdOf(req?.headers.cookie);
    if (!id || !req) return bearer(authorization);
    if (!sameOrigin(req)) throw new ApiError("FORBIDDEN", "a console session is used only from the console's own origin");
    const grant = sessions.use(id);
    if (!grant) throw new ApiError("UNAUTHENTICATED", "the console session ended (signed out or expired): sign in again");
    if (grant.kind === "sso") return grant.principal;
    // The key is looked up again each time: a revoked key ends its sessions at once.
    try {
      return await bearer(`Bearer ${grant.token}`);
    } catch (error) {
      sessions.revoke(id);
      throw error;
    }
  };
}

/** False when the browser says the request came from another site or origin. */
export function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
