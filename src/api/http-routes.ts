import { createServer, type Server } from "node:http";
import type { ApolloServer } from "@apollo/server";
import type { Authenticate } from "./bearer-auth.js";
import type { ApiContext } from "./context.js";
import { DOWNLOAD_PREFIX } from "./evidence-service.js";
import { graphqlRoute } from "./graphql-http.js";
import { healthz } from "./health.js";
import { decodeURIComponentSafe, sendJson } from "./http-io.js";
import { packDownloadRoute } from "./pack-download.js";
import type { ReadRecorder } from "./read-log.js";
import type { ServerOptions } from "./server-options.js";
import { webhookRoute } from "./webhook-route.js";
import { TILES_PATH, tilesRoute } from "./tiles-route.js";
import { SESSION_PATH, type SignInGate, sessionRoute } from "./console/session-route.js";
import type { ConsoleSessions } from "./console/sessions.js";
import { consoleDir, consoleRoute } from "./console/static-route.js";
import { SSO_PATH, ssoRoute } from "./console/sso-route.js";

export const GRAPHQL_PATH = "/graphql";
const HOOK_PATH = /^\/hooks\/([^/]+)$/;
/** The console's pages (history routes of one page) and its built files. */
const CONSOLE_PATH = /^\/(|overview|events|sessions|packs|integrity|signin)\/?$|^\/assets\/|^\/favicon\.svg$/;

export interface HttpParts {
  options: ServerOptions;
  log: (message: string) => void;
  apollo: ApolloServer<ApiContext>;
  recorder: ReadRecorder;
  authenticate: Authenticate;
  /** The key check alone, for exchanging a key for a console session. */
  bearer: Authenticate;
  sessions: ConsoleSessions;
  /** The bound on console sign-ins per client address, and where its refusals are written. */
  signIn: SignInGate;
}

/**
 * The HTTP server and its routes. A route that fails answers 500 in its own error shape
 * without the cause (which goes to the log), or, once its answer has begun, drops the socket.
 */
export function createHttpServer({ options, log, apollo, recorder, authenticate, bearer, sessions, signIn }: HttpParts): Server {
  const { config } = options;
  const download = packDownloadRoute(options, authenticate, recorder);
  const graphql = graphqlRoute(options, apollo, authenticate);
  const webhook = webhookRoute(options);
  const tiles = tilesRoute(options, authenticate, recorder);
  const sso = ssoRoute(config.oidc, sessions, recorder, log);
  const session = sessionRoute(sessions, bearer, authenticate, recorder, log, signIn, sso.signOutAtProvider);
  const consolePage = consoleRoute(consoleDir());
  const http = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/healthz") return healthz(req, res, options, () => ({ ...recorder.metrics, pending: recorder.pendingCount }));
    if (url.pathname.startsWith(DOWNLOAD_PREFIX)) return void download(req, res, url).catch((error) => {
      log(`download: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: "INTERNAL_SERVER_ERROR", message: "internal error" });
      else res.destroy();
    });
    if (url.pathname === GRAPHQL_PATH) return void graphql(req, res, url).catch((error) => {
      log(`graphql: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "internal error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
      else res.destroy();
    });
    if (TILES_PATH.test(url.pathname)) return void tiles(req, res, url).catch((error) => {
      log(`tiles: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: "INTERNAL_SERVER_ERROR", message: "internal error" });
      else res.destroy();
    });
    if (url.pathname === SESSION_PATH) return void session(req, res).catch((error) => {
      log(`session: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: "INTERNAL_SERVER_ERROR", message: "internal error" });
      else res.destroy();
    });
    if (SSO_PATH.test(url.pathname)) return void sso(req, res, url).catch((error) => {
      log(`sso: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: "INTERNAL_SERVER_ERROR", message: "internal error" });
      else res.destroy();
    });
    if (CONSOLE_PATH.test(url.pathname)) return void consolePage(req, res, url).catch((error) => {
      log(`console: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: "INTERNAL_SERVER_ERROR", message: "internal error" });
      else res.destroy();
    });
    const hook = HOOK_PATH.exec(url.pathname);
    if (hook) return void webhook(req, res, decodeURIComponentSafe(hook[1]!)).catch((error) => {
      log(`webhook: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: { code: "INTERNAL_SERVER_ERROR", message: "internal error" } });
      else res.destroy();
    });
    sendJson(res, 404, { error: "NOT_FOUND" });
  });
  http.requestTimeout = Math.max(config.timeoutMs, config.requestTimeoutMs) + 5_000;
  http.headersTimeout = Math.min(http.requestTimeout, 60_000);
  return http;
}
