/**
 * Scope checks for @Authorized fields. A request reaches the resolvers only with a valid key
 * (the server answers 401 before that); here each field asks for the scope it needs.
 */
import type { AuthCheckerFn } from "type-graphql";
import { hasScope, type Scope } from "../core/token/index.js";
import { ApiError } from "./api-error.js";
import type { ApiContext } from "./context.js";

export const authChecker: AuthCheckerFn<ApiContext, Scope> = ({ context, info }, scopes) => {
  const principal = context.principal;
  if (!principal) throw new ApiError("UNAUTHENTICATED", "an API key is needed: Authorization: Bearer <token>");
  const missing = scopes.filter((scope) => !hasScope(principal.scopes, scope));
  if (missing.length > 0) throw new ApiError("FORBIDDEN", `${info.parentType.name}.${info.fieldName} needs scope ${missing.join(", ")}`);
  return true;
};

/** The request's ledger view; present whenever a principal is. */
export function db(context: ApiContext) {
  if (!context.db) throw new ApiError("UNAUTHENTICATED", "an API key is needed: Authorization: Bearer <token>");
  return context.db;
}
