import type { ServerResponse } from "node:http";
import { ApiError } from "./api-error.js";
import { sendJson } from "./http-io.js";
import type { Principal } from "./principal.js";
import type { RequestLimiter } from "./request-limiter.js";

/**
 * Charges a plain HTTP route's request (a pack download, a tile of a private log) to its key's
 * rate, as GraphQL requests are; past it answers 429 RATE_LIMITED with Retry-After (RFC 6585
 * §4, RFC 9110 §10.2.3) in the route's error shape and returns false. The refusal is recorded
 * by the limiter (refusal-log.ts), so the route records nothing more for it.
 */
export function chargedOr429(limiter: RequestLimiter, principal: Principal, res: ServerResponse, route: string, request: string): boolean {
  try {
    limiter.charge(principal, { transport: "http", query: request, fields: [route] });
    return true;
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "RATE_LIMITED") throw error;
    res.setHeader("retry-after", String(error.extensions.retryAfter ?? 1));
    sendJson(res, 429, { error: error.code, message: error.message });
    return false;
  }
}
