/**
 * Apollo Server for the ledger's schema, with the API's limits and the read log as plugins.
 * Transport-free: server.ts hands it HTTP requests, graphql-ws hands subscriptions to the
 * same schema and rules.
 */
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { type DocumentNode, type GraphQLSchema, Kind, type OperationDefinitionNode } from "graphql";
import type { ApiConfig } from "../config/index.js";
import { formatError } from "./api-error.js";
import type { ApiContext } from "./context.js";
import { checkComplexity, depthLimit } from "./limits.js";
import type { ReadRecorder } from "./read-log.js";

/** Root fields of an operation that read the ledger (introspection and __typename do not). */
export function ledgerFields(operation: OperationDefinitionNode | undefined, document?: DocumentNode): string[] {
  if (!operation) return [];
  const fields = new Set<string>();
  const fragments = new Map(document?.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]) ?? []);
  const walk = (selections: OperationDefinitionNode["selectionSet"]["selections"], depth: number) => {
    for (const s of selections) {
      if (s.kind === Kind.FIELD) {
        if (!s.name.value.startsWith("__")) fields.add(s.name.value);
      } else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet.selections, depth);
      else if (depth < 8) {
        const f = fragments.get(s.name.value);
        if (f) walk(f.selectionSet.selections, depth + 1);
      }
    }
  };
  walk(operation.selectionSet.selections, 0);
  return [...fields].sort();
}

function readLogPlugin(recorder: ReadRecorder): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, document, request, response, errors }) {
          const principal = contextValue.principal;
          const fields = ledgerFields(operation ?? undefined, document ?? undefined);
          if (!principal || fields.length === 0) return;
          const body = response.body.kind === "single" ? response.body.singleResult : undefined;
          const codes = [...(errors ?? []), ...(body?.errors ?? [])].map((e) => String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR"));
          recorder.record({
            requestId: contextValue.requestId,
            principal,
            at: new Date(),
            operation: request.operationName ?? operation?.name?.value ?? null,
            fields,
            query: request.query ?? "",
            variables: request.variables ?? null,
            rows: contextValue.rows.count,
            outcome: codes.length === 0 ? "success" : "failure",
            ...(codes.length > 0 ? { errors: [...new Set(codes)] } : {}),
            transport: "http",
            ...(operation?.operation === "mutation" ? { access: "write" as const } : {}),
          });
        },
      };
    },
  };
}

function complexityPlugin(schema: GraphQLSchema, max: number): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          checkComplexity(schema, document, request.operationName ?? undefined, request.variables ?? {}, max);
        },
      };
    },
  };
}

export async function createGraphQLServer(schema: GraphQLSchema, config: ApiConfig, recorder: ReadRecorder): Promise<ApolloServer<ApiContext>> {
  const development = config.development;
  const server = new ApolloServer<ApiContext>({
    schema,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: development,
    validationRules: [depthLimit(config.maxDepth)],
    formatError: formatError(development),
    // Browsers may not send cross-site queries with ambient credentials; keys are bearer
    // tokens, but the protection costs nothing (GET needs a content type or a preflight header).
    csrfPrevention: true,
    plugins: [
      config.landingPage ? ApolloServerPluginLandingPageLocalDefault({ embed: false }) : ApolloServerPluginLandingPageDisabled(),
      complexityPlugin(schema, config.maxComplexity),
      readLogPlugin(recorder),
    ],
  });
  await server.start();
  return server;
}
