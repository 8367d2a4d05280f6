/**
 * The HTTP server of sealtrail:
 * - GET /healthz: 200 when the ledger's database answers and its tables are there, 503
 *   otherwise (with the reason, never a stack trace or SQL);
 * - /graphql: the GraphQL API over HTTP (GraphQL-over-HTTP: GET and POST) and, on the same
 *   path, subscriptions over WebSocket (graphql-ws protocol);
 * - GET /packs/<id>.tar.gz: finished evidence packs; POST /hooks/:source: webhooks;
 * - GET / and the console's pages: the web console (console/, built to dist/console), and
 *   /auth/session, its sign-in with an API key for a session cookie, and /auth/sso/*, its
 *   single sign-on with OpenID Connect for the same kind of session.
 * Every GraphQL request needs an API key (Authorization: Bearer …; over WebSocket, the
 * `authorization` connection parameter or header) or the console's session cookie.
 *
 * Its phases, each in a file of its own: the schema and the request context (schema.ts,
 * graphql-server.ts, request-context.ts), the HTTP routes and the WebSocket server
 * (http-routes.ts, subscriptions.ts), then listening and shutting down (here).
 */
import "reflect-metadata";
import type { Server } from "node:http";
import { AppendedFeed } from "./appended-feed.js";
import { bearerAuthenticator } from "./bearer-auth.js";
import { sessionAuthenticator } from "./console/session-auth.js";
import { ConsoleSessions } from "./console/sessions.js";
import { createGraphQLServer } from "./graphql-server.js";
import { createHttpServer, GRAPHQL_PATH } from "./http-routes.js";
import { IntegrityAlarm } from "./integrity-alarm.js";
import { ReadRecorder } from "./read-log.js";
import { ReadVerifier } from "./read-verifier.js";
import { RefusalLog } from "./refusal-log.js";
import { SignInLimiter } from "./console/sign-in-limiter.js";
import { SignInRefusals } from "./console/sign-in-refusals.js";
import { limiterFor } from "./request-limiter.js";
import { apiSchema } from "./schema.js";
import type { ServerOptions } from "./server-options.js";
import { serveSubscriptions } from "./subscriptions.js";

export type { ServerOptions } from "./server-options.js";

export interface ApiServer {
  http: Server;
  recorder: ReadRecorder;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export async function createApiServer(given: ServerOptions): Promise<ApiServer> {
  const { config } = given;
  const log = given.log ?? ((m: string) => void process.stderr.write(`${m}\n`));
  const alarm = new IntegrityAlarm(given.writer, given.originPrefix, given.alerts, log);
  const limiter = limiterFor(config);
  const options: ServerOptions = { ...given, integrity: { verifier: new ReadVerifier(given.verifierPublicKey), alarm }, limiter };
  const schema = await apiSchema();
  const recorder = new ReadRecorder(options.writer, options.originPrefix, config.readLogFlushMs, (e) => log(`read log: ${(e as Error).message}`));
  limiter.refusals = new RefusalLog((r) => recorder.record(r));
  const apollo = await createGraphQLServer(schema, config, recorder);
  const feed = new AppendedFeed(options.store, options.writer);
  const bearer = bearerAuthenticator(options.writer);
  const sessions = new ConsoleSessions();
  const authenticate = sessionAuthenticator(bearer, sessions);

  const signIn = { limiter: new SignInLimiter(config.signIn), refusals: new SignInRefusals(log) };
  const http = createHttpServer({ options, log, apollo, recorder, authenticate, bearer, sessions, signIn });
  const subscriptions = serveSubscriptions({ http, path: GRAPHQL_PATH, schema, options, feed, recorder, authenticate, sessions });

  return {
    http,
    recorder,
    async listen(port, host) {
      await feed.start();
      await new Promise<void>((resolve, reject) => {
        http.once("error", reject);
        http.listen(port, host, () => {
          http.off("error", reject);
          resolve();
        });
      });
      const address = http.address();
      return typeof address === "object" && address ? address.port : port;
    },
    async close() {
      await subscriptions.dispose();
      await feed.stop();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
      });
      await apollo.stop();
      await alarm.settle();
      limiter.refusals?.flush();
      signIn.refusals.flush();
      await recorder.close();
    },
  };
}
