/**
 * The layering rules of docs/architecture.md, checked by test/architecture.test.ts (and by
 * `npx depcruise src workers` by hand). Type-only imports count: a type names a dependency too.
 */
/** Files outside src/ledger may reach the PostgreSQL store only through these: the wiring (open a store, migrate) and the driver's errors. */
const STORE_ENTRIES = "^src/ledger/postgres/(postgres-store|migrate|service-login|database-error)\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "core-is-pure",
      comment: "src/core does no I/O: it imports node built-ins and other core modules only.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { pathNot: "^src/core/", dependencyTypesNot: ["core"] },
    },
    {
      name: "core-domain-face",
      comment: "A core domain is used through its index.ts, never its internals.",
      severity: "error",
      from: { path: "^(src|workers)/", pathNot: "^src/core/" },
      to: { path: "^src/core/[^/]+/", pathNot: "^src/core/[^/]+/index\\.ts$" },
    },
    {
      name: "core-domain-face-inside-core",
      comment: "One core domain uses another through its index.ts.",
      severity: "error",
      from: { path: "^src/core/([^/]+)/" },
      to: { path: "^src/core/[^/]+/", pathNot: "^src/core/($1/|[^/]+/index\\.ts$)" },
    },
    {
      name: "sql-only-in-the-ledger-store",
      comment: "The PostgreSQL driver, drizzle and the table definitions are the ledger store's: nothing else issues SQL.",
      severity: "error",
      from: { path: "^(src|workers)/", pathNot: "^src/ledger/" },
      to: { path: ["(^|/)node_modules/(postgres|drizzle-orm|drizzle-kit)/", "^(postgres|drizzle-orm|drizzle-kit)($|/)", "^schema/"] },
    },
    {
      name: "store-through-its-interface",
      comment: "Outside src/ledger, the PostgreSQL store's statements (and its Sql type) are reached only through LedgerStore.",
      severity: "error",
      from: { path: "^(src|workers)/", pathNot: "^src/ledger/" },
      to: { path: "^src/ledger/postgres/", pathNot: STORE_ENTRIES },
    },
    {
      name: "ledger-through-its-face",
      comment: "Outside src/ledger, the ledger is used through src/ledger/index.ts (and the PostgreSQL store's wiring), never its internals.",
      severity: "error",
      from: { path: "^(src|workers)/", pathNot: "^src/ledger/" },
      to: { path: "^src/ledger/", pathNot: ["^src/ledger/index\\.ts$", "^src/ledger/postgres/"] },
    },
    {
      name: "console-speaks-graphql-only",
      comment: "The web console (console/) reaches the server only through the public GraphQL API: it imports no server code, tables or entry points.",
      severity: "error",
      from: { path: "^console/" },
      to: { path: "^(src|schema|workers|bin|scripts)/" },
    },
    {
      name: "no-cycles",
      comment: "Dependencies form no cycle, through type-only imports too: a type shared by two modules lives in a module of its own.",
      severity: "error",
      from: { path: "^(src|workers)/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
