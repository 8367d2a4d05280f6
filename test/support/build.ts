/**
 * vitest globalSetup: brings dist/ up to date (the incremental build, a second or two when
 * nothing changed) before any test file runs, so the tests that spawn bin/sealtrail.js run
 * the compiled CLI from the sources under test rather than a stale build.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL("../../scripts/build.js", import.meta.url))], { stdio: "inherit" });
}
