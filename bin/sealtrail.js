#!/usr/bin/env node
// The `sealtrail` command. A build (npm run build) is used when present; otherwise the
// TypeScript sources run through tsx, a runtime dependency, so `npx sealtrail` works right
// after `npm ci`.
import { existsSync } from "node:fs";

const built = new URL("../dist/src/cli/main.js", import.meta.url);
let cli;
if (existsSync(built)) {
  cli = await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import("../src/cli/main.ts");
}
await cli.runCli(process.argv.slice(2));
