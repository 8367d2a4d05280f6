/**
 * Whether the module at `moduleUrl` (its `import.meta.url`) is the script Node was started
 * with — `node dist/workers/ingest.js`, `node dist/src/cli/main.js` — rather than one imported by the CLI
 * or a test. Symlinks (npm's bin links) are resolved first.
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";

export function isEntryPoint(moduleUrl: string): boolean {
  try {
    return process.argv[1] !== undefined && pathToFileURL(realpathSync(process.argv[1])).href === moduleUrl;
  } catch {
    return false;
  }
}
