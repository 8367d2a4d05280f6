/**
 * A real API server on a random port over a test ledger, API keys for it, and a small
 * GraphQL-over-HTTP client. Each call makes its own server; close() stops it and its pools.
 */
import "reflect-metadata";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { loadApiConfig, type ApiConfig } from "../../src/config/index.js";
import type { Scope } from "../../src/core/token/index.js";
import { createApiServer, type ApiServer, type ServerOptions } from "../../src/api/server.js";
import { createApiKey } from "../../src/ledger/postgres/api-keys.js";
import type { TestLedger } from "./ledger.js";
import { PostgresLedgerStore } from "../../src/ledger/postgres/postgres-store.js";

export interface TestApi {
  base: string;
  url: string;
  wsUrl: string;
  server: ApiServer;
  store: PostgresLedgerStore;
  apiWriter: PostgresLedgerStore;
  close(): Promise<void>;
}

/** The application_name of the API's request pool (the one `sealtrail serve` gives it). */
export const API_POOL_NAME = "sealtrail-api";

export async function startApi(
  ledger: TestLedger,
  overrides: Partial<ApiConfig> = {},
  env: NodeJS.ProcessEnv = {},
  sources: Pick<ServerOptions, "ingest" | "webhooks" | "evidence" | "verifierPublicKey"> = {},
  log: (message: string) => void = () => {},
): Promise<TestApi> {
  const config = { ...loadApiConfig(env), readLogFlushMs: 20, ...overrides };
  // Named as `sealtrail serve` names them (run-api.ts): a test can tell the request pool's queries from the recorder's.
  const store = PostgresLedgerStore.open({ url: ledger.url, schema: ledger.schema, max: config.dbPool, applicationName: API_POOL_NAME });
  const apiWriter = PostgresLedgerStore.open({ url: ledger.url, schema: ledger.schema, role: "writer", max: 3, applicationName: "sealtrail-api-writer" });
  const server = await createApiServer({ store, writer: apiWriter, schema: ledger.schema, version: "test", config, originPrefix: "test.example", log, ...sources });
  // overrides.port: a port chosen beforehand, when a URL naming it must be configured (the SSO redirect URL).
  const port = await server.listen(overrides.port ?? 0, "127.0.0.1");
  return {
    base: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    server,
    store,
    apiWriter,
    async close() {
      await server.close();
      await Promise.all([store.close(2), apiWriter.close(2)]);
    },
  };
}

export async function apiKey(ledger: TestLedger, tenant: string, scopes: Scope[] = ["events:read", "proofs:read"]): Promise<string> {
  return (await createApiKey(ledger.admin, { tenant, scopes })).token;
}

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  body: string;
}

export async function gql<T = any>(api: TestApi, token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> {
  const res = await fetch(api.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
  });
  const body = await res.text();
  const parsed = JSON.parse(body) as { data?: T; errors?: GqlResult["errors"] };
  return { status: res.status, body, ...parsed };
}

export function wsClient(api: TestApi, token: string | undefined): Client {
  return createClient({
    url: api.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}
