/**
 * Apollo Server for the ledger's schema, with the API's limits and the read log as plugins.
 * Transport-free: server.ts hands it HTTP requests, graphql-ws hands subscriptions to the
 * same schema and rules.
 */
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import type { GraphQLSchema } from "graphql";
import type { ApiConfig } from "../config/index.js";
import { errorCode, failedStatus, formatError } from "./api-error.js";
import type { ApiContext } from "./context.js";
import { recordedFields } from "./executed-fields.js";
import { checkComplexity, depthLimit } from "./limits.js";
import type { ReadRecorder } from "./read-log.js";

function readLogPlugin(recorder: ReadRecorder): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, document, request, response, errors }) {
          const principal = contextValue.principal;
          const fields = recordedFields(operation ?? undefined, document ?? undefined, contextValue);
          if (!principal || fields.length === 0) return;
          const body = response.body.kind === "single" ? response.body.singleResult : undefined;
          // The codes the client was sent: the formatted errors of the answer; errors raised
          // before one (their raw form, which carries no code for a domain error) are classified.
          const codes = body?.errors ? body.errors.map((e) => String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR")) : (errors ?? []).map(errorCode);
          recorder.record({
            requestId: contextValue.requestId,
            principal,
            at: new Date(),
            operation: request.operationName ?? operation?.name?.value ?? null,
            fields,
            query: request.query ?? "",
            variables: request.variables ?? null,
            ...(contextValue.calls ? { calls: contextValue.calls } : {}),
            ...(contextValue.callsDropped ? { callsDropped: contextValue.callsDropped } : {}),
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

/** A request whose operation failed whole is answered with its error's status (failedStatus). */
function statusPlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, errors }) {
          const body = response.body.kind === "single" ? response.body.singleResult : undefined;
          if (!body || body.data != null || !errors || errors.length === 0) return;
          if (response.http.status !== undefined && response.http.status !== 200) return;
          const status = failedStatus(errors);
          if (status !== undefined) response.http.status = status;
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
    // The process stops the server itself (server.close, after the read log is flushed).
    // Apollo's own handler would stop it too, then send the signal again to the process,
    // which ends it before its workers, queues and databases are closed.
    stopOnTerminationSignals: false,
    plugins: [
      config.landingPage ? ApolloServerPluginLandingPageLocalDefault({ embed: false }) : ApolloServerPluginLandingPageDisabled(),
      complexityPlugin(schema, config.maxComplexity),
      readLogPlugin(recorder),
      statusPlugin(),
    ],
  });
  await server.start();
  return server;
}
