/**
 * Subscriptions: graphql-ws on the GraphQL path of the HTTP server. Each operation gets its own
 * context (and its own read record when it ends).
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { type GraphQLError, type GraphQLSchema, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, getOperationAST, type ExecutionArgs, type DocumentNode, type OperationDefinitionNode, type ValidationRule } from "graphql";
import type { Disposable, Context as WsContext } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import { ApiError, formatError } from "./api-error.js";
import { ExactWebSocket } from "./exact-socket.js";
import type { AppendedFeed } from "./appended-feed.js";
import type { Authenticate } from "./bearer-auth.js";
import { type ConsoleSessions, sessionIdOf } from "./console/sessions.js";
import { type DeliveryParts, finalPart, recordPartsEvery } from "./delivery-parts.js";
import { recordedFields } from "./executed-fields.js";
import { checkComplexity, depthLimit } from "./limits.js";
import type { Principal } from "./principal.js";
import type { ReadRecord, ReadRecorder } from "./read-log.js";
import { newRequestContext } from "./request-context.js";
import { limiterFor } from "./request-limiter.js";
import type { LiveContext } from "./resolvers/event-appended.resolver.js";
import type { ServerOptions } from "./server-options.js";

export interface SubscriptionParts {
  http: Server;
  path: string;
  schema: GraphQLSchema;
  options: ServerOptions;
  feed: AppendedFeed;
  recorder: ReadRecorder;
  authenticate: Authenticate;
  /** The console's sessions: a connection opened with the session cookie ends when its session does. */
  sessions?: ConsoleSessions;
}

/** An open connection: the key it authenticated with and, when it rode on the console's cookie, the session. */
interface OpenSocket {
  keyId: string;
  session: string | undefined;
  socket: WebSocket;
}

/** An operation under way, kept for its read record. */
interface LiveOperation {
  context: LiveContext;
  /** The operation and its document: the record's fields are taken from them when it ends. */
  operationNode: OperationDefinitionNode | undefined;
  document: DocumentNode;
  query: string;
  operation: string | null;
  variables: unknown;
  errors: Set<string>;
  write: boolean;
  /** Gives back its slot of the key's and tenant's concurrency bounds. */
  release: () => void;
  /** A subscription's record, written in parts while it delivers (delivery-parts.ts). */
  parts: DeliveryParts;
}

type Extra = { socketId: string; principal: Principal };

/**
 * The close code of a connection whose key was revoked or whose console session ended:
 * graphql-ws's Forbidden, as a refused connection gets.
 */
const ACCESS_ENDED = 4403;

/** An operation parsed, validated (depth, introspection) and within the cost bound, as over HTTP; or why not. */
function checkOperation(
  schema: GraphQLSchema,
  rules: readonly ValidationRule[],
  maxComplexity: number,
  payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
): { document: DocumentNode; variables: Record<string, unknown> } | readonly GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(payload.query);
  } catch (error) {
    return [error as GraphQLError];
  }
  const errors = validate(schema, document, rules);
  if (errors.length > 0) return errors;
  const variables = (payload.variables ?? {}) as Record<string, unknown>;
  try {
    checkComplexity(schema, document, payload.operationName ?? undefined, variables, maxComplexity);
  } catch (error) {
    return [error as GraphQLError];
  }
  return { document, variables };
}

/** What the operation's record names: its text, its name, its variables, and whether it writes. */
function described(payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null }, operation: OperationDefinitionNode | undefined) {
  return { query: payload.query, operation: payload.operationName ?? operation?.name?.value ?? null, variables: payload.variables ?? null, write: operation?.operation === "mutation" };
}

/** Serves subscriptions; the result's dispose() closes every socket. */
export function serveSubscriptions({ http, path, schema, options, feed, recorder, authenticate, sessions: consoleSessions }: SubscriptionParts): Disposable {
  const { config } = options;
  const limiter = options.limiter ?? limiterFor(config);
  // Upgrades are handed over by hand (noServer) rather than the socket server being attached to
  // the HTTP server, which would re-emit the HTTP server's own errors (EADDRINUSE on listen) on
  // it, where graphql-ws prints them with a stack trace: listen() reports those itself.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxBodyBytes, WebSocket: ExactWebSocket });
  http.on("upgrade", (req, socket, head) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== path) return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  const live = new Map<string, LiveOperation>();
  const rules = [...specifiedRules, depthLimit(config.maxDepth), ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const format = formatError(config.development);
  const liveKey = (ctx: WsContext, id: string) => `${(ctx.extra as { socketId?: string }).socketId}:${id}`;
  const sockets = new Map<string, OpenSocket>();
  const stopWatching = watchAccess(options, sockets, consoleSessions);
  const server = useServer<Record<string, unknown>, Extra>(
    {
      schema,
      onConnect: async (ctx) => {
        const fromParams = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const authorization = typeof fromParams === "string" ? fromParams : ctx.extra.request.headers.authorization;
        try {
          ctx.extra.principal = await authenticate(authorization, ctx.extra.request);
          const socketId = randomUUID();
          ctx.extra.socketId = socketId;
          // Without an Authorization, the principal is the cookie's session's (console/session-auth.ts).
          const session = authorization === undefined || authorization === "" ? sessionIdOf(ctx.extra.request.headers.cookie) : undefined;
          sockets.set(socketId, { keyId: ctx.extra.principal.keyId, session, socket: ctx.extra.socket });
          ctx.extra.socket.once("close", () => sockets.delete(socketId));
          return true;
        } catch (error) {
          if (error instanceof ApiError) return false; // closes with 4403 Forbidden
          throw error;
        }
      },
      onSubscribe: async (ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        const checked = checkOperation(schema, rules, config.maxComplexity, payload);
        if (!("document" in checked)) return checked;
        const { document, variables } = checked;
        const operation = getOperationAST(document, payload.operationName ?? undefined) ?? undefined;
        // Counted in the same rate and bounds as HTTP requests, for as long as it runs (a
        // subscription: until it ends, without holding a pool connection): a WebSocket is no way around them.
        let release: () => void;
        try {
          release = await limiter.enter(ctx.extra.principal!, { transport: "websocket", pooled: operation?.operation !== "subscription", query: payload.query });
        } catch (error) {
          return [error as GraphQLError];
        }
        const context: LiveContext = { ...newRequestContext(options, ctx.extra.principal!), feed, store: options.store, timeoutMs: config.timeoutMs };
        // The wall-clock limit is a query's or a mutation's; a subscription lives until it ends.
        if (operation?.operation === "subscription") context.deadline = { at: Infinity, limitMs: Infinity };
        const entry: LiveOperation = { context, operationNode: operation, document, ...described(payload, operation), errors: new Set(), release, parts: { written: 0, rows: 0 } };
        live.set(liveKey(ctx, id), entry);
        if (operation?.operation === "subscription") recordWhileOpen(entry, recorder, config.subscriptionRecordMs);
        return { schema, document, variableValues: variables, contextValue: context, ...(payload.operationName ? { operationName: payload.operationName } : {}) };
      },
      onNext: (ctx, id, _payload, _args, result) => {
        if (!result.errors) return;
        const entry = live.get(liveKey(ctx, id));
        const errors = result.errors.map((e) => format(e.toJSON(), e));
        for (const e of errors) entry?.errors.add(String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR"));
        return { ...result, errors };
      },
      onError: (ctx, id, _payload, errors) => {
        // An operation that fails outright (its source throws) ends here, not in onNext: its
        // codes go to its record too, which then says failure.
        const entry = live.get(liveKey(ctx, id));
        const formatted = errors.map((e) => format(e.toJSON(), e));
        for (const e of formatted) entry?.errors.add(String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR"));
        return formatted;
      },
      onComplete: async (ctx, id) => {
        const key = liveKey(ctx, id);
        const entry = live.get(key);
        live.delete(key);
        entry?.release();
        if (entry) await recordLiveOperation(entry, recorder);
      },
      // An operation whose execution threw never completes: its slot and record end with the socket.
      onClose: async (ctx) => {
        const prefix = `${(ctx.extra as { socketId?: string }).socketId}:`;
        for (const [key, entry] of live) {
          if (!key.startsWith(prefix)) continue;
          live.delete(key);
          entry.release();
          await recordLiveOperation(entry, recorder);
        }
      },
    },
    wss,
  );
  return {
    async dispose() {
      stopWatching();
      await server.dispose();
    },
  };
}

/**
 * Ends connections whose access ended: signing a console session out (DELETE /auth/session)
 * closes its sockets at once; revoked keys and expired sessions are found by the periodic
 * recheck. Returns the stop.
 */
function watchAccess(options: ServerOptions, sockets: Map<string, OpenSocket>, consoleSessions: ConsoleSessions | undefined): () => void {
  const recheck = recheckKeys(options, sockets, consoleSessions);
  const unsubscribe = consoleSessions?.onEnd((ended) => {
    for (const s of sockets.values()) if (s.session === ended) s.socket.close(ACCESS_ENDED, "Forbidden: the console session ended");
  });
  return () => {
    clearInterval(recheck);
    unsubscribe?.();
  };
}

/**
 * Every SEALTRAIL_API_KEY_RECHECK_MS, the keys of the open connections are looked up again, and
 * the connections of a key revoked since are closed: a revoked key's subscriptions end within
 * that interval and one query (docs/security.md). HTTP requests authenticate each time. A
 * connection opened with the console's cookie is closed too once its session has expired (a
 * sign-out closes it at once, above).
 */
function recheckKeys(options: ServerOptions, sockets: Map<string, OpenSocket>, consoleSessions: ConsoleSessions | undefined): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running || sockets.size === 0) return;
    const open = [...sockets.values()];
    for (const s of open) if (s.session !== undefined && consoleSessions && !consoleSessions.isOpen(s.session)) s.socket.close(ACCESS_ENDED, "Forbidden: the console session ended");
    running = true;
    // A person's single sign-on has no key to look up (keyId sso:…): its session's own limits hold.
    const keyed = open.filter((s) => !s.keyId.startsWith("sso:"));
    options.writer.liveApiKeyIds([...new Set(keyed.map((s) => s.keyId))])
      .then((live) => {
        for (const { keyId, socket } of keyed) if (!live.has(keyId)) socket.close(ACCESS_ENDED, "Forbidden: the API key was revoked");
      })
      // The database away: checked again at the next tick; the connections stay as they are.
      .catch(() => {})
      .finally(() => (running = false));
  }, options.config.keyRecheckMs);
  timer.unref();
  return timer;
}

/** Ends an operation: closes its transaction and records what it read (or wrote) since its last part. */
async function recordLiveOperation(entry: LiveOperation, recorder: ReadRecorder): Promise<void> {
  const last = finalPart(entry.parts, () => entry.context.rows.count);
  await entry.context.db?.close();
  recordOf(entry, recorder, last);
}

/** A subscription's deliveries are recorded in parts while it is open (delivery-parts.ts). */
function recordWhileOpen(entry: LiveOperation, recorder: ReadRecorder, everyMs: number): void {
  recordPartsEvery(entry.parts, everyMs, () => entry.context.rows.count, (rows, n) => recordOf(entry, recorder, { rows, part: { n, open: true } }));
}

/** Records (a part of) an operation: its fields, what it was asked, and the rows given. */
function recordOf(entry: LiveOperation, recorder: ReadRecorder, { rows, part }: Pick<ReadRecord, "rows" | "part">): void {
  // Joined with the root fields the executor ran (executed-fields.ts).
  const fields = recordedFields(entry.operationNode, entry.document, entry.context);
  if (fields.length === 0) return;
  recorder.record({
    requestId: entry.context.requestId,
    principal: entry.context.principal!,
    at: new Date(),
    operation: entry.operation,
    fields,
    query: entry.query,
    variables: entry.variables,
    ...(entry.context.calls ? { calls: entry.context.calls } : {}),
    ...(entry.context.callsDropped ? { callsDropped: entry.context.callsDropped } : {}),
    rows,
    ...(part ? { part } : {}),
    outcome: entry.errors.size === 0 ? "success" : "failure",
    ...(entry.errors.size > 0 ? { errors: [...entry.errors] } : {}),
    transport: "websocket",
    ...(entry.write ? { access: "write" as const } : {}),
  });
}
