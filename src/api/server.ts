/**
 * The HTTP server of sealtrail:
 * - GET /healthz: 200 when the ledger's database answers and its tables are there, 503
 *   otherwise (with the reason, never a stack trace or SQL);
 * - /graphql: the GraphQL API over HTTP (GraphQL-over-HTTP: GET and POST) and, on the same
 *   path, subscriptions over WebSocket (graphql-ws protocol).
 * Every GraphQL request needs an API key (Authorization: Bearer …; over WebSocket, the
 * `authorization` connection parameter or header).
 */
import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { HeaderMap } from "@apollo/server";
import { type GraphQLError, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, getOperationAST, type ExecutionArgs } from "graphql";
import type { Context as WsContext } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { ApiConfig, WebhookSource } from "../config/index.js";
import { hasScope } from "../core/token/index.js";
import { receiveWebhook } from "../ingest/webhooks/index.js";
import type { LedgerStore } from "../ledger/store.js";
import { packArchivePath } from "../packs/evidence-job.js";
import { packJobStatus } from "../packs/evidence-queue.js";
import { ApiError, formatError } from "./api-error.js";
import { AppendedFeed } from "./appended-feed.js";
import type { ApiContext, ApiIngest } from "./context.js";
import { DOWNLOAD_PREFIX, type EvidenceService } from "./evidence-service.js";
import { createGraphQLServer, ledgerFields } from "./graphql-server.js";
import { checkComplexity, depthLimit } from "./limits.js";
import type { Principal } from "./principal.js";
import { ReadRecorder } from "./read-log.js";
import type { LiveContext } from "./resolvers/event-appended.resolver.js";
import { apiSchema } from "./schema.js";

export interface ServerOptions {
  /** Login-role pool: requests' transactions (as sealtrail_reader) and the LISTEN connection. */
  store: LedgerStore;
  /** sealtrail_writer pool: API key lookups, the read log, the feed's log catalogue. */
  writer: LedgerStore;
  schema: string;
  version: string;
  config: ApiConfig;
  originPrefix: string;
  /** Where operational problems go (the read log failing to write, …). */
  log?: (message: string) => void;
  /** The ingest queue recordEvents and webhooks write to; without it they answer 503. */
  ingest?: ApiIngest;
  /** Webhook sources (SEALTRAIL_WEBHOOK_SOURCES), served at POST /hooks/:source. */
  webhooks?: ReadonlyMap<string, WebhookSource>;
  /** Evidence pack requests (GraphQL) and downloads (GET /packs/<id>.tar.gz); off when absent. */
  evidence?: EvidenceService;
}

export interface ApiServer {
  http: Server;
  recorder: ReadRecorder;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

const GRAPHQL_PATH = "/graphql";
const HOOK_PATH = /^\/hooks\/([^/]+)$/;

export async function createApiServer(options: ServerOptions): Promise<ApiServer> {
  const { config } = options;
  const log = options.log ?? ((m: string) => void process.stderr.write(`${m}\n`));
  const schema = await apiSchema();
  const recorder = new ReadRecorder(options.writer, options.originPrefix, config.readLogFlushMs, (e) => log(`read log: ${(e as Error).message}`));
  const apollo = await createGraphQLServer(schema, config, recorder);
  const feed = new AppendedFeed(options.store, options.writer);

  const authenticate = async (authorization: string | undefined): Promise<Principal> => {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "");
    if (!match) throw new ApiError("UNAUTHENTICATED", "an API key is needed: Authorization: Bearer <token>");
    const key = await options.writer.findApiKeyByToken(match[1]!);
    if (!key) throw new ApiError("UNAUTHENTICATED", "the API key is unknown or revoked");
    return { keyId: key.id, keyName: key.name, tenant: key.tenant, scopes: key.scopes };
  };

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/healthz") return healthz(req, res, options);
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
    const hook = HOOK_PATH.exec(url.pathname);
    if (hook) return void webhook(req, res, decodeURIComponentSafe(hook[1]!)).catch((error) => {
      log(`webhook: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: { code: "INTERNAL_SERVER_ERROR", message: "internal error" } });
      else res.destroy();
    });
    sendJson(res, 404, { error: "NOT_FOUND" });
  });
  http.requestTimeout = config.timeoutMs + 5_000;
  http.headersTimeout = Math.min(http.requestTimeout, 60_000);

  // Log names a webhook source writes to, once seen to exist (logs are never deleted).
  const knownLogs = new Set<string>();
  const webhookDeps = options.ingest && {
    sources: options.webhooks ?? new Map<string, WebhookSource>(),
    queue: options.ingest.queue,
    maxPayloadBytes: options.ingest.maxPayloadBytes,
    maxBatchEvents: options.ingest.maxBatchEvents,
    logExists: async (name: string) => {
      if (knownLogs.has(name)) return true;
      const exists = await options.writer.logExists(name);
      if (exists) knownLogs.add(name);
      return exists;
    },
  };

  async function webhook(req: IncomingMessage, res: ServerResponse, source: string): Promise<void> {
    // An unknown source is answered before its body is read.
    if (!options.webhooks?.has(source)) return sendJson(res, 404, { error: { code: "UNKNOWN_SOURCE", message: `no webhook source named ${JSON.stringify(source)}` } });
    if (!webhookDeps) return sendJson(res, 503, { error: { code: "QUEUE_UNAVAILABLE", message: "this server has no ingest queue" } });
    const body = req.method === "POST" ? await readBody(req, config.maxBodyBytes) : Buffer.alloc(0);
    const response = await receiveWebhook(webhookDeps, { source, method: req.method ?? "", headers: req.headers, body });
    if (response.status === 405) res.setHeader("allow", "POST");
    sendJson(res, response.status, response.body);
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
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
    let body: unknown = raw.toString("utf8");
    if (req.method === "POST" && /^application\/(graphql-response\+)?json\b/i.test(headers.get("content-type") ?? "")) {
      try {
        body = raw.length === 0 ? undefined : JSON.parse(body as string);
      } catch {
        return sendJson(res, 400, { errors: [{ message: "the request body is not valid JSON", extensions: { code: "BAD_REQUEST" } }] });
      }
    }
    // The landing page (GET text/html) is the only thing served without a key.
    const wantsHtml = req.method === "GET" && /text\/html/.test(headers.get("accept") ?? "") && !url.searchParams.has("query");
    let principal: Principal | undefined;
    if (!(wantsHtml && config.landingPage)) {
      try {
        principal = await authenticate(headers.get("authorization"));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        res.setHeader("www-authenticate", 'Bearer realm="sealtrail"');
        return sendJson(res, 401, { errors: [{ message: error.message, extensions: { code: error.code } }] });
      }
    }
    const db = principal ? options.store.tenantView(principal.tenant, config.timeoutMs) : undefined;
    const context: ApiContext = { requestId: randomUUID(), principal, db, rows: { count: 0 }, maxPageSize: config.maxPageSize, ...(options.ingest ? { ingest: options.ingest } : {}), ...(options.evidence ? { evidence: options.evidence } : {}), searchTailMax: config.searchTailMax };
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
      await db?.close();
    }
  }

  /**
   * GET /packs/<request id>.tar.gz: a finished pack of the key's tenant, with the same bearer
   * key and scope (packs:create) as the request. Errors are JSON with a code; the download is
   * recorded in the read log like any other access to the audit trail (PCI DSS 10.2.1.3).
   */
  async function download(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return sendJson(res, 405, { error: "METHOD_NOT_ALLOWED", message: `method ${req.method} not allowed: use GET` });
    }
    const evidence = options.evidence;
    if (!evidence) return sendJson(res, 404, { error: "NOT_FOUND", message: "evidence packs are not enabled on this server" });
    let principal: Principal;
    try {
      principal = await authenticate(req.headers.authorization);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      res.setHeader("www-authenticate", 'Bearer realm="sealtrail"');
      return sendJson(res, 401, { error: error.code, message: error.message });
    }
    if (!hasScope(principal.scopes, "packs:create")) return sendJson(res, 403, { error: "FORBIDDEN", message: "downloading a pack needs scope packs:create" });
    const id = /^\/packs\/([0-9a-f-]{36})\.tar\.gz$/.exec(url.pathname)?.[1];
    const status = id === undefined ? undefined : await packJobStatus(evidence.queue, principal.tenant, id).catch(() => null);
    if (status === null) return sendJson(res, 503, { error: "SERVICE_UNAVAILABLE", message: "the evidence queue is unavailable" });
    // Another tenant's pack answers exactly like one that does not exist.
    if (!status) return sendJson(res, 404, { error: "NOT_FOUND", message: "no such pack" });
    if (status.status !== "COMPLETED" || !status.result) return sendJson(res, 409, { error: "NOT_READY", message: `the pack is ${status.status.toLowerCase()}`, status: status.status, progress: status.progress.percent });
    const file = packArchivePath(evidence.packDir, principal.tenant, status.id);
    const info = await stat(file).catch(() => undefined);
    if (!info) return sendJson(res, 410, { error: "GONE", message: "the pack's archive is no longer on this server" });
    res.writeHead(200, {
      "content-type": "application/gzip",
      "content-length": String(info.size),
      "content-disposition": `attachment; filename="sealtrail-${status.data.request.framework}-${status.result.packId}.tar.gz"`,
      "x-sealtrail-pack-id": status.result.packId,
      "x-sealtrail-sha256": status.result.sha256,
      "cache-control": "no-store",
    });
    recorder.record({
      requestId: randomUUID(), principal, at: new Date(), operation: null, fields: ["evidencePackDownload"],
      query: `${req.method} ${url.pathname}`, variables: null, rows: 1, outcome: "success", transport: "http",
    });
    if (req.method === "HEAD") return void res.end();
    createReadStream(file).on("error", () => res.destroy()).pipe(res);
  }

  // Subscriptions: graphql-ws on the same path. Each operation gets its own context (and its
  // own read record when it ends).
  const wss = new WebSocketServer({ server: http, path: GRAPHQL_PATH, maxPayload: config.maxBodyBytes });
  const live = new Map<string, { context: LiveContext; fields: string[]; query: string; operation: string | null; variables: unknown; errors: Set<string>; write: boolean }>();
  const development = config.development;
  const rules = [...specifiedRules, depthLimit(config.maxDepth), ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const format = formatError(development);
  const liveKey = (ctx: WsContext, id: string) => `${(ctx.extra as { socketId?: string }).socketId}:${id}`;
  const wsServer = useServer<Record<string, unknown>, { socketId: string; principal: Principal }>(
    {
      schema,
      onConnect: async (ctx) => {
        const fromParams = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const authorization = typeof fromParams === "string" ? fromParams : ctx.extra.request.headers.authorization;
        try {
          ctx.extra.principal = await authenticate(authorization);
          ctx.extra.socketId = randomUUID();
          return true;
        } catch (error) {
          if (error instanceof ApiError) return false; // closes with 4403 Forbidden
          throw error;
        }
      },
      onSubscribe: async (ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        const principal = ctx.extra.principal!;
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) return errors;
        const variables = (payload.variables ?? {}) as Record<string, unknown>;
        try {
          checkComplexity(schema, document, payload.operationName ?? undefined, variables, config.maxComplexity);
        } catch (error) {
          return [error as GraphQLError];
        }
        const context: LiveContext = {
          requestId: randomUUID(),
          principal,
          db: options.store.tenantView(principal.tenant, config.timeoutMs),
          rows: { count: 0 },
          maxPageSize: config.maxPageSize,
          ...(options.ingest ? { ingest: options.ingest } : {}),
          ...(options.evidence ? { evidence: options.evidence } : {}),
          searchTailMax: config.searchTailMax,
          feed,
          store: options.store,
          timeoutMs: config.timeoutMs,
        };
        const operation = getOperationAST(document, payload.operationName ?? undefined) ?? undefined;
        live.set(liveKey(ctx, id), {
          context,
          fields: ledgerFields(operation, document),
          query: payload.query,
          operation: payload.operationName ?? operation?.name?.value ?? null,
          variables: payload.variables ?? null,
          errors: new Set(),
          write: operation?.operation === "mutation",
        });
        return { schema, document, variableValues: variables, contextValue: context, ...(payload.operationName ? { operationName: payload.operationName } : {}) };
      },
      onNext: (ctx, id, _payload, _args, result) => {
        if (!result.errors) return;
        const entry = live.get(liveKey(ctx, id));
        const errors = result.errors.map((e) => format(e.toJSON(), e));
        for (const e of errors) entry?.errors.add(String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR"));
        return { ...result, errors };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e.toJSON(), e)),
      onComplete: async (ctx, id) => {
        const key = liveKey(ctx, id);
        const entry = live.get(key);
        live.delete(key);
        if (!entry) return;
        await entry.context.db?.close();
        if (entry.fields.length === 0) return;
        recorder.record({
          requestId: entry.context.requestId,
          principal: entry.context.principal!,
          at: new Date(),
          operation: entry.operation,
          fields: entry.fields,
          query: entry.query,
          variables: entry.variables,
          rows: entry.context.rows.count,
          outcome: entry.errors.size === 0 ? "success" : "failure",
          ...(entry.errors.size > 0 ? { errors: [...entry.errors] } : {}),
          transport: "websocket",
          ...(entry.write ? { access: "write" as const } : {}),
        });
      },
    },
    wss,
  );

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
      await wsServer.dispose();
      await feed.stop();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
      });
      await apollo.stop();
      await recorder.close();
    },
  };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(`${JSON.stringify(body)}\n`);
}

/** The body, or undefined when it is larger than `max` bytes (the rest is not read). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > max) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function healthz(req: IncomingMessage, res: ServerResponse, options: ServerOptions): void {
  if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 405, { error: "METHOD_NOT_ALLOWED" });
  health(options).then(
    (status) => sendJson(res, status.ok ? 200 : 503, status),
    () => sendJson(res, 503, { ok: false, reason: "health check failed" }),
  );
}

async function health({ writer, schema, version }: ServerOptions): Promise<{ ok: boolean; version: string; schema: string; reason?: string }> {
  const state = await writer.health();
  if (state === "ok") return { ok: true, version, schema };
  return { ok: false, version, schema, reason: state === "tables missing" ? "ledger tables missing: run sealtrail migrate" : "database unavailable" };
}
