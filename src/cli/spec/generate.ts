/**
 * Writes what the command spec generates: the manual pages into dist/man (at build, from
 * scripts/build.js: `node dist/src/cli/spec/generate.js man`), and docs/cli.md with the
 * README's help block (`npm run docs:cli`, committed). test/cli/spec.test.ts regenerates
 * each and compares, so none can drift from `sealtrail help`.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isEntryPoint } from "../../entry-point.js";
import { packageVersion } from "../../version.js";
import { overviewText, PAGES } from "./index.js";
import { manPages } from "./man.js";
import { cliMarkdown } from "./markdown.js";

/** The package root, from src/cli/spec or dist/src/cli/spec. */
export function packageRoot(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  return join(here, here.includes("/dist/") ? "../../../.." : "../../..");
}

export const README_HELP_START = "`npx sealtrail help` prints:\n\n```\n";

/** The README with its help block replaced by the overview. */
export function readmeWithHelp(readme: string): string {
  const start = readme.indexOf(README_HELP_START);
  if (start < 0) throw new Error("README.md: no help block (`npx sealtrail help` prints:)");
  const from = start + README_HELP_START.length;
  const end = readme.indexOf("```\n", from);
  return readme.slice(0, from) + overviewText(PAGES) + readme.slice(end);
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
  const readme = join(root, "README.md");
  writeFileSync(readme, readmeWithHelp(readFileSync(readme, "utf8")));
}

if (isEntryPoint(import.meta.url)) {
  const root = packageRoot();
  const what = process.argv[2];
  if (what === "man") writeManPages(join(root, "dist", "man"));
  else if (what === "docs") writeDocs(root);
  else throw new Error("usage: generate.js man|docs");
}
