/** `npm run schema:print`: writes schema/schema.graphql, the committed SDL a test keeps current. */
import { writeFileSync } from "node:fs";
import { lexicographicSortSchema, printSchema } from "graphql";
import { apiSchema } from "./schema.js";

export async function printApiSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await apiSchema()))}\n`;
}

if (process.argv[1]?.endsWith("print-schema.ts")) {
  writeFileSync(new URL("../../schema/schema.graphql", import.meta.url), await printApiSchema());
}
