/**
 * Writes what the command spec generates: the manual pages into dist/man (at build, from
 * scripts/build.js: `node dist/src/cli/spec/generate.js man`), and docs/cli.md, which holds
 * the help overview (`npm run docs:cli`, committed). test/cli/spec.test.ts regenerates each
 * and compares, so none can drift from `sealtrail help`.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isEntryPoint } from "../../entry-point.js";
import { packageVersion } from "../../version.js";
import { PAGES } from "./index.js";
import { manPages } from "./man.js";
import { cliMarkdown } from "./markdown.js";

/** The package root, from src/cli/spec or dist/src/cli/spec. */
export function packageRoot(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  return join(here, here.includes("/dist/") ? "../../../.." : "../../..");
}

export function writeManPages(dir: string): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pages = manPages(PAGES, packageVersion());
  for (const [name, text] of pages) writeFileSync(join(dir, name), text);
  return readdirSync(dir).sort();
}

export function writeDocs(root: string): void {
  writeFileSync(join(root, "docs", "cli.md"), cliMarkdown(PAGES));
}

if (isEntryPoint(import.meta.url)) {
  const root = packageRoot();
  const what = process.argv[2];
  if (what === "man") writeManPages(join(root, "dist", "man"));
  else if (what === "docs") writeDocs(root);
  else throw new Error("usage: generate.js man|docs");
}
