import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { printApiSchema } from "../../src/api/print-schema.js";

it("the committed schema/schema.graphql is the schema the server serves (npm run schema:print)", async () => {
  const committed = readFileSync(new URL("../../schema/schema.graphql", import.meta.url), "utf8");
  expect(committed).toBe(await printApiSchema());
});
