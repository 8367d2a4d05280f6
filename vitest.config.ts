import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql for everyone (Apollo, type-graphql, graphql-ws, our code): two copies fail
    // with "Cannot use GraphQLSchema from another module or realm" (STACK.md).
    alias: { graphql: require.resolve("graphql") },
  },
  test: {
    include: ["test/**/*.test.ts"],
    // The CLI tests spawn bin/sealtrail.js, which runs dist/: build it once, first.
    globalSetup: ["test/support/build.ts"],
    // Integration tests talk to a real Postgres; each file isolates itself in its own schema,
    // so files run in parallel. Two forks match the two cores CI has.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
