/**
 * Scope checks for @Authorized fields. A request reaches the resolvers only with a valid key
 * (the server answers 401 before that); here each field asks for the scope it needs.
 */
import type { AuthCheckerFn } from "type-graphql";
import { hasScope, type Scope } from "../core/token/index.js";
import { ApiError } from "./api-error.js";
import type { ApiContext } from "./context.js";
import type { LedgerStore, TenantView } from "../ledger/index.js";

export const authChecker: AuthCheckerFn<ApiContext, Scope> = ({ context, info }, scopes) => {
  const principal = context.principal;
  if (!principal) throw new ApiError("UNAUTHENTICATED", "an API key is needed: Authorization: Bearer <token>");
  const missing = scopes.filter((scope) => !hasScope(principal.scopes, scope));
  if (missing.length > 0) throw new ApiError("FORBIDDEN", `${info.parentType.name}.${info.fieldName} needs scope ${missing.join(", ")}`);
  return true;
};

/**
 * The request's ledger view; present whenever a principal is. Every resolver reaches the ledger
 * through it, so the request's wall-clock limit is kept here: past its deadline no read starts
 * (the store's methods check it too, so a resolver's next query does not start either), and the
 * fields left answer TIMEOUT; what was read before is answered and recorded.
 */
export function db(context: ApiContext): TenantView {
  const view = context.db;
  if (!view) throw new ApiError("UNAUTHENTICATED", "an API key is needed: Authorization: Bearer <token>");
  checkDeadline(context);
  return {
    use: (fn) => view.use((store) => fn(withDeadline(store, context))),
    close: () => view.close(),
  };
}

function checkDeadline(context: ApiContext): void {
  if (Date.now() > context.deadline.at) {
    throw new ApiError("TIMEOUT", `the request ran past its time limit of ${context.deadline.limitMs} ms (SEALTRAIL_API_REQUEST_TIMEOUT_MS): the fields read before it are answered; ask for less`);
  }
}

/** The store, each of its methods checking the request's deadline before it starts. */
function withDeadline(store: LedgerStore, context: ApiContext): LedgerStore {
  if (context.deadline.at === Infinity) return store;
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        checkDeadline(context);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
