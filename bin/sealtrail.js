#!/usr/bin/env node
// The `sealtrail` command: runs the compiled CLI in dist/, which `npm ci` builds (the
// `prepare` script) and `npm run build` refreshes after a change to the sources.
import { existsSync } from "node:fs";

const built = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(built)) {
  process.stderr.write("sealtrail: not built: run `npm run build` (npm ci runs it)\n");
  process.exit(2);
}
const cli = await import(built.href);
await cli.runCli(process.argv.slice(2));
