#!/usr/bin/env node
/**
 * The build `npm ci` runs (the `prepare` script) and `npm run build`: compiles src, workers
 * and schema to dist/ with tsc's incremental build mode (tsc -b: only what changed), then
 * writes the manual pages from the command spec into dist/man, and builds the web console
 * (console/) into dist/console with Vite. Installed without the dev
 * dependencies (`npm ci --omit=dev`, the Docker image), there is no compiler: the dist/
 * copied beside package.json is used as it is, and its absence is an error.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureConsoleTypes } from "./console-types.js";

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

// verify.mjs, the verifier every pack carries: verify-pack's own code bundled into one file
// that imports only node: built-ins, so an auditor runs it with no install.
const esbuild = await import(createRequire(join(root, "package.json")).resolve("esbuild"));
const verifier = await esbuild.build({
  entryPoints: [join(root, "src", "packs", "verifier", "verify-main.ts")],
  outfile: join(root, "dist", "verifier", "verify.mjs"),
  bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", legalComments: "none", metafile: true, logLevel: "warning",
  banner: { js: "// The pack's verifier: node verify.mjs [--key VKEY|FILE]... [--pack-key FILE] [--json] (see VERIFY.md)." },
});
const outside = Object.values(verifier.metafile.outputs).flatMap((o) => o.imports).filter((i) => !i.path.startsWith("node:"));
if (outside.length > 0) {
  process.stderr.write(`sealtrail build: verify.mjs must import node: built-ins only, not ${outside.map((i) => i.path).join(", ")}\n`);
  process.exit(1);
}

// The manual pages, from the compiled command spec.
const man = spawnSync(process.execPath, [join(root, "dist", "src", "cli", "spec", "generate.js"), "man"], { cwd: root, stdio: "inherit" });
if (man.status !== 0) process.exit(man.status ?? 1);

// The web console (console/), served at / by `sealtrail serve`: its GraphQL types from
// schema/schema.graphql (gql.tada, for `npm run typecheck`), then the page bundled by Vite
// into dist/console. Regenerated only when the schema is newer than its types.
const consoleDir = join(root, "console");
if (!ensureConsoleTypes(root)) process.exit(1);
// Rebuilt only when a console source or the lock file is newer than the last build.
const newest = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((t, e) => Math.max(t, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
const consoleBuilt = join(root, "dist", "console", "index.html");
if (!existsSync(consoleBuilt) || statSync(consoleBuilt).mtimeMs < Math.max(newest(consoleDir), statSync(join(root, "package-lock.json")).mtimeMs)) {
  // Always the production bundle, whoever runs this: Vite takes NODE_ENV as it finds it, and
  // vitest's globalSetup (test/support/build.ts) runs this with NODE_ENV=test, which would give
  // React's development JSX runtime to a console that `sealtrail serve` then serves.
  process.env.NODE_ENV = "production";
  const vite = await import(createRequire(join(root, "package.json")).resolve("vite"));
  await vite.build({ configFile: join(consoleDir, "vite.config.ts"), logLevel: "warn", mode: "production" });
}
