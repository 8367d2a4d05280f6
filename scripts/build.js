#!/usr/bin/env node
/**
 * The build `npm ci` runs (the `prepare` script) and `npm run build`: compiles src, workers
 * and schema to dist/ with tsc's incremental build mode (tsc -b: only what changed), then
 * writes the manual pages from the command spec into dist/man. Installed without the dev
 * dependencies (`npm ci --omit=dev`, the Docker image), there is no compiler: the dist/
 * copied beside package.json is used as it is, and its absence is an error.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "dist", "src", "cli", "main.js");

let tsc;
try {
  tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
} catch {
  if (existsSync(built)) process.exit(0);
  process.stderr.write("sealtrail build: no TypeScript compiler (dev dependencies omitted) and no dist/: copy a built dist/ first\n");
  process.exit(1);
}

const compiled = spawnSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

// The manual pages, from the compiled command spec.
const man = spawnSync(process.execPath, [join(root, "dist", "src", "cli", "spec", "generate.js"), "man"], { cwd: root, stdio: "inherit" });
process.exit(man.status ?? 1);
