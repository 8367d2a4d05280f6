import type { IncomingMessage, ServerResponse } from "node:http";
import { type ApolloServer, HeaderMap } from "@apollo/server";
import { ApiError } from "./api-error.js";
import type { Authenticate } from "./bearer-auth.js";
import type { ApiContext } from "./context.js";
import { readBody, sendJson } from "./http-io.js";
import { readRequest } from "./graphql-request.js";
import type { Principal } from "./principal.js";
import { newRequestContext } from "./request-context.js";
import { limiterFor } from "./request-limiter.js";
import type { ServerOptions } from "./server-options.js";

export type GraphqlRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/**
 * GET and POST /graphql (GraphQL-over-HTTP): the request's body and key are checked here, and
 * Apollo runs it in a context of its own, whose transaction is closed when the answer is sent.
 */
export function graphqlRoute(options: ServerOptions, apollo: ApolloServer<ApiContext>, authenticate: Authenticate): GraphqlRoute {
  const { config } = options;
  // Shared with the WebSocket operations (subscriptions.ts): one key's bound counts both.
  const limiter = options.limiter ?? limiterFor(config);
  return async (req, res, url) => {
    if (req.method !== "GET" && req.method !== "POST") {
      res.setHeader("allow", "GET, POST");
      return sendJson(res, 405, { errors: [{ message: `method ${req.method} not allowed: use GET or POST`, extensions: { code: "METHOD_NOT_ALLOWED" } }] });
    }
    const raw = await readBody(req, config.maxBodyBytes);
    if (raw === undefined) {
      return sendJson(res, 413, { errors: [{ message: `request body over ${config.maxBodyBytes} bytes`, extensions: { code: "PAYLOAD_TOO_LARGE" } }] });
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const request = readRequest(req.method, headers.get("content-type"), raw, url);
    if ("refused" in request) return sendJson(res, 400, { errors: [{ message: request.refused, extensions: { code: "BAD_REQUEST" } }] });
    const { body } = request;
    // The landing page (GET text/html) is the only thing served without a key.
    const wantsHtml = req.method === "GET" && /text\/html/.test(headers.get("accept") ?? "") && !url.searchParams.has("query");
    let principal: Principal | undefined;
    if (!(wantsHtml && config.landingPage)) {
      try {
        principal = await authenticate(headers.get("authorization"), req);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.code === "FORBIDDEN") return sendJson(res, 403, { errors: [{ message: error.message, extensions: { code: error.code } }] });
        res.setHeader("www-authenticate", 'Bearer realm="sealtrail"');
        return sendJson(res, 401, { errors: [{ message: error.message, extensions: { code: error.code } }] });
      }
    }
    let release = () => {};
    if (principal) {
      try {
        const query = (body as { query?: unknown } | undefined)?.query ?? url.searchParams.get("query");
        release = await limiter.enter(principal, { transport: "http", pooled: true, query: typeof query === "string" ? query : "" });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        res.setHeader("retry-after", String(error.extensions.retryAfter ?? 1));
        return sendJson(res, 429, { errors: [{ message: error.message, extensions: { code: error.code } }] });
      }
    }
    const context = newRequestContext(options, principal);
    try {
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
        context: async () => context,
      });
      for (const [name, value] of response.headers) res.setHeader(name, value);
      res.setHeader("cache-control", "no-store");
      res.statusCode = response.status ?? 200;
      if (response.body.kind === "complete") {
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } finally {
      await context.db?.close();
      release();
    }
  };
}
