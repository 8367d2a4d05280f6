/**
 * Query cost limits: a validation rule for selection depth (fragments followed, introspection
 * included) and the estimated complexity of the operation (graphql-query-complexity, with the
 * per-field estimates the resolvers declare: a page of N events costs N × its selection).
 */
import { createRequire } from "node:module";
import {
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from "graphql";
import { ApiError } from "./api-error.js";

// STACK.md: the package's ESM build loads a second copy of graphql; its CJS build shares ours.
const require = createRequire(import.meta.url);
const { getComplexity, fieldExtensionsEstimator, simpleEstimator } = require("graphql-query-complexity/cjs") as typeof import("graphql-query-complexity");

/**
 * What a field that runs a database query costs, beside the 1 of a field read from memory: the
 * estimate must follow the real cost, or aliases multiply cheap-looking queries (security
 * review: 2,000 aliased `logs { size lastSweep { result } }` ran 20 s).
 */
export const QUERY_COST = 10;

/** Logs a tenant is assumed to have, for the cost of a field that lists them all. */
export const LOGS_ESTIMATE = 50;

/** Every root field runs at least one query: QUERY_COST plus its selection, unless it declares its own cost. */
function rootFieldEstimator(schema: GraphQLSchema) {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean));
  return ({ type, childComplexity }: { type: unknown; childComplexity: number }): number | void => (roots.has(type as never) ? QUERY_COST + childComplexity : undefined);
}

export function depthLimit(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    // A fragment's depth is the same wherever it is spread: computed once (walking each spread
    // again costs 2^n for n fragments that each spread the next twice).
    const fragmentDepth = new Map<string, number>();
    const depthOf = (set: SelectionSetNode, seen: Set<string>): number => {
      let deepest = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) deepest = Math.max(deepest, sel.selectionSet ? 1 + depthOf(sel.selectionSet, seen) : 1);
        else if (sel.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depthOf(sel.selectionSet, seen));
        else {
          const name = sel.name.value;
          const fragment = fragments.get(name);
          // A fragment cycle is reported by graphql's own NoFragmentCycles rule.
          if (fragment && !seen.has(name)) {
            let depth = fragmentDepth.get(name);
            if (depth === undefined) {
              seen.add(name);
              depth = depthOf(fragment.selectionSet, seen);
              seen.delete(name);
              fragmentDepth.set(name, depth);
            }
            deepest = Math.max(deepest, depth);
          }
        }
        if (deepest > maxDepth) return deepest;
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > maxDepth) {
          context.reportError(new GraphQLError(`query depth ${depth} exceeds the limit of ${maxDepth}`, { nodes: [node], extensions: { code: "QUERY_TOO_COMPLEX" } }));
        }
      },
    };
  };
}

/** Throws QUERY_TOO_COMPLEX when the operation's estimated cost is above `max`. */
export function checkComplexity(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>, max: number): number {
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      variables,
      ...(operationName ? { operationName } : {}),
      // Each aliased field is estimated on its own: aliases add up.
      estimators: [fieldExtensionsEstimator(), rootFieldEstimator(schema), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    // The estimate coerces the variables first: a value that does not fit its type is the
    // client's error, the same one execution would report.
    if (error instanceof GraphQLError) throw new ApiError("BAD_USER_INPUT", error.message, { cause: error });
    throw error;
  }
  if (complexity > max) throw new ApiError("QUERY_TOO_COMPLEX", `query complexity ${complexity} exceeds the limit of ${max}; ask for smaller pages or fewer fields`);
  return complexity;
}
